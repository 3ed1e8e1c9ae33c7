package dev.stowaway.vault.kms;

/** The root key in use does not open this vault's key material. */
public final class RootKeyMismatchException extends RuntimeException {
  RootKeyMismatchException(String keyId) {
    super("the root key does not match this vault: it cannot unseal KMS key " + keyId
        + " (wrong root.key file or STOWAWAY_ROOT_PASSPHRASE?)", null, false, false);
  }
}
