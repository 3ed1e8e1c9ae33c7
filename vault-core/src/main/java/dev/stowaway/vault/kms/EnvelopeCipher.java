package dev.stowaway.vault.kms;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.store.KmsKeyRecord;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * Envelope encryption as AWS does it: a fresh 256-bit data key per value, the value sealed
 * under it, the data key sealed under a KMS key. The encryption context is the AAD of both
 * layers, so an envelope moved to another secret or version does not open.
 */
public final class EnvelopeCipher {

  private final KeyRing keyRing;

  public EnvelopeCipher(KeyRing keyRing) {
    this.keyRing = keyRing;
  }

  public Envelope seal(KmsKeyRecord key, byte[] plaintext, EncryptionContext context) {
    if (!key.enabled() || key.deletionDate() != null) {
      throw new VaultException(VaultError.ENCRYPTION_FAILURE, keyRing.keyArn(key.keyId())
          + (key.deletionDate() != null ? " is pending deletion." : " is disabled."));
    }
    byte[] aad = context.aad();
    byte[] dataKey = keyRing.randomBytes(AesGcm.KEY_BYTES);
    int version = key.currentMaterialVersion();
    byte[] material = keyRing.unsealMaterial(key, version);
    try {
      byte[] wrappedDataKey = AesGcm.seal(material, dataKey, aad, keyRing.random());
      byte[] box = AesGcm.seal(dataKey, plaintext, aad, keyRing.random());
      byte[] nonce = Arrays.copyOf(box, AesGcm.NONCE_BYTES);
      byte[] ciphertext = Arrays.copyOfRange(box, AesGcm.NONCE_BYTES, box.length);
      return new Envelope(Envelope.FORMAT_V2, key.keyId(), version, wrappedDataKey, nonce, ciphertext);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
      Arrays.fill(material, (byte) 0);
    }
  }

  /**
   * Opens an envelope; the caller owns (and zeroes) the plaintext. Tampering, a wrong context
   * or a wrong key all give the same {@code DECRYPTION_FAILURE}, naming nothing secret.
   */
  public byte[] open(KmsKeyRecord key, Envelope envelope, EncryptionContext context) {
    if (!key.keyId().equals(envelope.keyId())) {
      throw decryptionFailure();
    }
    if (!key.enabled() || key.deletionDate() != null) {
      throw new VaultException(VaultError.DECRYPTION_FAILURE, keyRing.keyArn(key.keyId())
          + (key.deletionDate() != null ? " is pending deletion." : " is disabled."));
    }
    byte[] aad = context.aad();
    byte[] material;
    try {
      material = keyRing.unsealMaterial(key, envelope.materialVersion());
    } catch (IllegalArgumentException e) {
      throw decryptionFailure();
    }
    byte[] dataKey = null;
    try {
      dataKey = AesGcm.open(material, envelope.wrappedDataKey(), aad);
      byte[] box = new byte[envelope.nonce().length + envelope.ciphertext().length];
      System.arraycopy(envelope.nonce(), 0, box, 0, envelope.nonce().length);
      System.arraycopy(envelope.ciphertext(), 0, box, envelope.nonce().length, envelope.ciphertext().length);
      return AesGcm.open(dataKey, box, aad);
    } catch (InvalidCipherTextException e) {
      throw decryptionFailure();
    } finally {
      Arrays.fill(material, (byte) 0);
      if (dataKey != null) {
        Arrays.fill(dataKey, (byte) 0);
      }
    }
  }

  private static VaultException decryptionFailure() {
    return new VaultException(VaultError.DECRYPTION_FAILURE,
        "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
  }
}
