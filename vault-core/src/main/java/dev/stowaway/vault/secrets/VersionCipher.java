package dev.stowaway.vault.secrets;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.kms.EncryptionContext;
import dev.stowaway.vault.kms.Envelope;
import dev.stowaway.vault.kms.EnvelopeCipher;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.StoreView;
import java.util.Arrays;

/**
 * Seals and opens secret versions, binding each to its secret and version through the
 * encryption context {@code {SecretARN, SecretVersionId}}.
 */
final class VersionCipher {

  private static final String CANNOT_DECRYPT =
      "Secrets Manager can't decrypt the protected secret text using the provided KMS key.";

  private final EnvelopeCipher cipher;

  VersionCipher(EnvelopeCipher cipher) {
    this.cipher = cipher;
  }

  byte[] seal(KmsKeyRecord key, String arn, String versionId, SecretValue value) {
    byte[] plaintext = value.serialize();
    try {
      return cipher.seal(key, plaintext, context(arn, versionId)).encode();
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** The version's value; the caller destroys it. A missing or damaged envelope never opens. */
  SecretValue open(StoreView view, String arn, String versionId) {
    byte[] stored = view.versionData(arn, versionId).orElseThrow(() -> new VaultException(
        VaultError.DECRYPTION_FAILURE, "The value of version " + versionId + " is missing from the store."));
    Envelope envelope;
    try {
      envelope = Envelope.decode(stored);
    } catch (IllegalArgumentException e) {
      throw new VaultException(VaultError.DECRYPTION_FAILURE, CANNOT_DECRYPT);
    }
    KmsKeyRecord key = view.kmsKey(envelope.keyId()).orElseThrow(() ->
        new VaultException(VaultError.DECRYPTION_FAILURE, "KMS key " + envelope.keyId() + " no longer exists."));
    byte[] plaintext = cipher.open(key, envelope, context(arn, versionId));
    try {
      return SecretValue.deserialize(plaintext);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  private static EncryptionContext context(String arn, String versionId) {
    return EncryptionContext.of("SecretARN", arn, "SecretVersionId", versionId);
  }
}
