package dev.stowaway.vault.store;

/** The store could not do its job (I/O, corruption). Never carries stored bytes. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
