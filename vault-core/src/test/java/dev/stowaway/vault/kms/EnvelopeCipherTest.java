package dev.stowaway.vault.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnvelopeCipherTest {

  private static final byte[] PLAINTEXT = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
  private static final EncryptionContext CONTEXT =
      EncryptionContext.of("SecretARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AAAAAA", "SecretVersionId", "v1");

  private final MapDbSecretStore store = MapDbSecretStore.openInMemory();
  private KeyRing keyRing;
  private EnvelopeCipher cipher;
  private KmsKeyRecord key;

  @BeforeEach
  void setUp() {
    keyRing = new KeyRing(TestVaults.rootKey(1), TestVaults.seededRandom(1), MutableClock.at("2026-01-01T00:00:00Z"),
        "us-east-1", "123456789012");
    cipher = new EnvelopeCipher(keyRing);
    String keyId = store.write(tx -> keyRing.ensureManagedKey(tx, KeyRing.SECRETS_MANAGER_ALIAS, "test"));
    key = store.read(view -> view.kmsKey(keyId).orElseThrow());
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void sealThenOpenReturnsThePlaintext() {
    Envelope envelope = cipher.seal(key, PLAINTEXT, CONTEXT);
    assertArrayEquals(PLAINTEXT, cipher.open(key, Envelope.decode(envelope.encode()), CONTEXT));
  }

  @Test
  void ciphertextDoesNotContainThePlaintext() {
    byte[] encoded = cipher.seal(key, PLAINTEXT, CONTEXT).encode();
    assertFalse(new String(encoded, StandardCharsets.ISO_8859_1).contains("horse"));
  }

  @Test
  void eachSealUsesAFreshDataKeyAndNonce() {
    Envelope a = cipher.seal(key, PLAINTEXT, CONTEXT);
    Envelope b = cipher.seal(key, PLAINTEXT, CONTEXT);
    assertFalse(Arrays.equals(a.wrappedDataKey(), b.wrappedDataKey()));
    assertFalse(Arrays.equals(a.nonce(), b.nonce()));
    assertFalse(Arrays.equals(a.ciphertext(), b.ciphertext()));
  }

  @Test
  void flippedCiphertextBitFailsToOpen() {
    Envelope e = cipher.seal(key, PLAINTEXT, CONTEXT);
    e.ciphertext()[3] ^= 1;
    assertDecryptionFailure(() -> cipher.open(key, e, CONTEXT));
  }

  @Test
  void flippedWrappedKeyBitFailsToOpen() {
    Envelope e = cipher.seal(key, PLAINTEXT, CONTEXT);
    e.wrappedDataKey()[20] ^= 1;
    assertDecryptionFailure(() -> cipher.open(key, e, CONTEXT));
  }

  @Test
  void envelopeMovedToAnotherSecretFailsToOpen() {
    Envelope e = cipher.seal(key, PLAINTEXT, CONTEXT);
    EncryptionContext other = EncryptionContext.of(
        "SecretARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:b-BBBBBB", "SecretVersionId", "v1");
    assertDecryptionFailure(() -> cipher.open(key, e, other));
  }

  @Test
  void envelopeMovedToAnotherVersionFailsToOpen() {
    Envelope e = cipher.seal(key, PLAINTEXT, CONTEXT);
    EncryptionContext other = EncryptionContext.of("SecretARN", CONTEXT.entries().get("SecretARN"), "SecretVersionId", "v2");
    assertDecryptionFailure(() -> cipher.open(key, e, other));
  }

  @Test
  void contextEntriesCannotBeShiftedBetweenKeyAndValue() {
    EncryptionContext a = EncryptionContext.of("ab", "c");
    EncryptionContext b = EncryptionContext.of("a", "bc");
    assertFalse(Arrays.equals(a.aad(), b.aad()));
  }

  @Test
  void disabledKeyRefusesToOpen() {
    Envelope e = cipher.seal(key, PLAINTEXT, CONTEXT);
    KmsKeyRecord disabled = new KmsKeyRecord(key.keyId(), key.arn(), key.description(), key.createdDate(), false,
        key.awsManaged(), key.wrappedMaterial());
    VaultException thrown = assertThrows(VaultException.class, () -> cipher.open(disabled, e, CONTEXT));
    assertEquals(VaultError.DECRYPTION_FAILURE, thrown.error());
    assertEquals(key.arn() + " is disabled.", thrown.getMessage());
  }

  @Test
  void anotherRootKeyCannotUnsealTheKeyMaterial() {
    KeyRing other = new KeyRing(TestVaults.rootKey(2), TestVaults.seededRandom(1), MutableClock.at("2026-01-01T00:00:00Z"),
        "us-east-1", "123456789012");
    RootKeyMismatchException thrown = assertThrows(RootKeyMismatchException.class,
        () -> store.read(view -> {
          other.verifyRootKey(view, KeyRing.SECRETS_MANAGER_ALIAS);
          return null;
        }));
    assertEquals("the root key does not match this vault: it cannot unseal KMS key " + key.keyId()
        + " (wrong root.key file or STOWAWAY_ROOT_PASSPHRASE?)", thrown.getMessage());
  }

  @Test
  void truncatedEnvelopeIsRejectedWithoutEchoingBytes() {
    byte[] encoded = cipher.seal(key, PLAINTEXT, CONTEXT).encode();
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
        () -> Envelope.decode(Arrays.copyOf(encoded, encoded.length - 5)));
    assertEquals("truncated envelope", thrown.getMessage());
  }

  private static void assertDecryptionFailure(org.junit.jupiter.api.function.Executable open) {
    VaultException thrown = assertThrows(VaultException.class, open);
    assertEquals(VaultError.DECRYPTION_FAILURE, thrown.error());
    assertEquals("Secrets Manager can't decrypt the protected secret text using the provided KMS key.", thrown.getMessage());
  }
}
