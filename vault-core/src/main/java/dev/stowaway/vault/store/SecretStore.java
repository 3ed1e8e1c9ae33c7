package dev.stowaway.vault.store;

import java.util.function.Function;

/**
 * The storage port. Units of work are serialized; a {@link #write} returns only after its
 * changes are durable, and leaves nothing behind if the work throws. A write's work may run on
 * another thread than its caller's (an adapter may run queued writes together under one commit),
 * so it must not rely on thread-locals.
 */
public interface SecretStore extends AutoCloseable {

  <T> T read(Function<? super StoreView, T> work);

  <T> T write(Function<? super StoreTransaction, T> work);

  /**
   * Throws {@link StoreException} if the store cannot serve now (a database out of reach), for
   * readiness probes. An embedded store that is open can always serve.
   */
  default void probe() {}

  @Override
  void close();
}
