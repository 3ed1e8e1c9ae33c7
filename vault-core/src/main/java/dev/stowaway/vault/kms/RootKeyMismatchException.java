package dev.stowaway.vault.kms;

/** The root key in use does not open this vault's key material. */
public final class RootKeyMismatchException extends RuntimeException {
  RootKeyMismatchException(String keyId) {
    this("KMS key " + keyId, true);
  }

  private RootKeyMismatchException(String what, boolean named) {
    super("the root key does not match this vault: it cannot unseal " + what
        + " (wrong root.key file or STOWAWAY_ROOT_PASSPHRASE?)", null, false, false);
  }

  static RootKeyMismatchException forMaterial(String what) {
    return new RootKeyMismatchException(what, true);
  }
}
