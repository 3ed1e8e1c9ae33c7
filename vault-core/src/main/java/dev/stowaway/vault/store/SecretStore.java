package dev.stowaway.vault.store;

import java.util.function.Function;

/**
 * The storage port. Units of work are serialized; a {@link #write} returns only after its
 * changes are durable, and leaves nothing behind if the work throws.
 */
public interface SecretStore extends AutoCloseable {

  <T> T read(Function<? super StoreView, T> work);

  <T> T write(Function<? super StoreTransaction, T> work);

  @Override
  void close();
}
