package dev.stowaway.vault.identity;

import dev.stowaway.vault.RandomIds;
import dev.stowaway.vault.kms.EncryptionContext;
import dev.stowaway.vault.kms.Envelope;
import dev.stowaway.vault.kms.EnvelopeCipher;
import dev.stowaway.vault.kms.KeyRing;
import dev.stowaway.vault.store.AccessKeyRecord;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.SecretStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;

/**
 * Access keys: the secret half is sealed like a secret value (encryption context = the key
 * id), and unsealed only to verify a signature.
 */
public final class AccessKeys {

  static final String ACTIVE = "Active";
  private static final char[] KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
  private static final char[] SECRET_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

  private final SecretStore store;
  private final KeyRing keyRing;
  private final EnvelopeCipher cipher;
  private final Clock clock;
  private final RandomIds ids;
  private final String account;

  public AccessKeys(SecretStore store, KeyRing keyRing, EnvelopeCipher cipher, Clock clock, RandomIds ids,
      String account) {
    this.store = store;
    this.keyRing = keyRing;
    this.cipher = cipher;
    this.clock = clock;
    this.ids = ids;
    this.account = account;
  }

  /** Issues a long-term key ({@code AKIA…}, 40-character secret) for {@code userName}. */
  public NewAccessKey create(String userName) {
    String accessKeyId = "AKIA" + ids.fromAlphabet(KEY_ID_ALPHABET, 16);
    String secret = ids.fromAlphabet(SECRET_ALPHABET, 40);
    byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
    try {
      store.write(tx -> {
        KmsKeyRecord key = keyRing.resolve(tx, KeyRing.SECRETS_MANAGER_ALIAS);
        byte[] sealed = cipher.seal(key, secretBytes, context(accessKeyId)).encode();
        tx.putAccessKey(new AccessKeyRecord(accessKeyId, userName, userArn(userName), ACTIVE, clock.millis(), sealed));
        return null;
      });
    } finally {
      Arrays.fill(secretBytes, (byte) 0);
    }
    return new NewAccessKey(accessKeyId, secret, userName);
  }

  /** The signing key of an active access key, or empty if it is unknown or inactive. */
  public Optional<SigningKey> signingKey(String accessKeyId) {
    return store.read(view -> view.accessKey(accessKeyId)
        .filter(k -> ACTIVE.equals(k.status()))
        .map(k -> {
          Envelope envelope = Envelope.decode(k.sealedSecret());
          KmsKeyRecord key = keyRing.resolve(view, envelope.keyId());
          byte[] secret = cipher.open(key, envelope, context(accessKeyId));
          return new SigningKey(new Principal(k.userName(), k.userArn(), accessKeyId), secret);
        }));
  }

  public String userArn(String userName) {
    return "arn:aws:iam::" + account + ":user/" + userName;
  }

  private static EncryptionContext context(String accessKeyId) {
    return EncryptionContext.of("AccessKeyId", accessKeyId);
  }
}
