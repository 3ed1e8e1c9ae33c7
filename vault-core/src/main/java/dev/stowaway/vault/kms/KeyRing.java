package dev.stowaway.vault.kms;

import dev.stowaway.vault.RandomIds;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.StoreTransaction;
import dev.stowaway.vault.store.StoreView;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * The KMS keys: creates them with fresh material sealed under the root key, resolves ids,
 * aliases and ARNs, and unseals material only for the moment it is needed.
 */
public final class KeyRing {

  public static final String SECRETS_MANAGER_ALIAS = "alias/aws/secretsmanager";

  private final RootKey rootKey;
  private final SecureRandom random;
  private final Clock clock;
  private final String region;
  private final String account;

  public KeyRing(RootKey rootKey, SecureRandom random, Clock clock, String region, String account) {
    this.rootKey = rootKey;
    this.random = random;
    this.clock = clock;
    this.region = region;
    this.account = account;
  }

  /** Creates the AWS-managed key behind {@code alias} unless it exists; returns its key id. */
  public String ensureManagedKey(StoreTransaction tx, String alias, String description) {
    Optional<String> existing = tx.keyIdForAlias(alias);
    if (existing.isPresent()) {
      return existing.get();
    }
    String keyId = new RandomIds(random).uuid();
    tx.putKmsKey(new KmsKeyRecord(keyId, keyArn(keyId), description, clock.millis(), true, true,
        sealNewMaterial(keyId, 0)));
    tx.putAlias(alias, keyId);
    return keyId;
  }

  /**
   * Proves the root key opens this store's key material. Run at start-up, so a sidecar given
   * the wrong root key refuses to start instead of failing on the first read.
   */
  public void verifyRootKey(StoreView view, String alias) {
    view.keyIdForAlias(alias).flatMap(view::kmsKey).ifPresent(key -> {
      byte[] material = unsealMaterial(key);
      Arrays.fill(material, (byte) 0);
    });
  }

  /** Resolves a key id, key ARN, alias name or alias ARN to a usable key. */
  public KmsKeyRecord resolve(StoreView view, String keyReference) {
    String keyId = keyReference;
    if (keyReference.startsWith("arn:")) {
      // arn:aws:kms:REGION:ACCOUNT:key/ID or arn:aws:kms:REGION:ACCOUNT:alias/NAME
      String[] parts = keyReference.split(":", 6);
      keyId = parts.length == 6 ? parts[5] : keyReference;
      if (keyId.startsWith("key/")) {
        keyId = keyId.substring("key/".length());
      }
    }
    if (keyId.startsWith("alias/")) {
      keyId = view.keyIdForAlias(keyId).orElse(null);
    }
    KmsKeyRecord key = keyId == null ? null : view.kmsKey(keyId).orElse(null);
    if (key == null) {
      throw new VaultException(VaultError.RESOURCE_NOT_FOUND,
          "Key '" + keyReference + "' does not exist");
    }
    return key;
  }

  public String keyArn(String keyId) {
    return "arn:aws:kms:" + region + ":" + account + ":key/" + keyId;
  }

  /** The key's original material, unsealed; the caller zeroes it when done. */
  byte[] unsealMaterial(KmsKeyRecord key) {
    return unsealMaterial(key, 0);
  }

  /**
   * One version of the key's material, unsealed; the caller zeroes it.
   *
   * @throws IllegalArgumentException if the key has no such version
   */
  byte[] unsealMaterial(KmsKeyRecord key, int version) {
    byte[] sealed = version == 0 ? key.wrappedMaterial() : key.rotatedMaterials().stream()
        .filter(m -> m.version() == version).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no material version " + version)).wrappedMaterial();
    try {
      return rootKey.unwrap(sealed, materialAad(key.keyId(), version));
    } catch (InvalidCipherTextException e) {
      throw new RootKeyMismatchException(key.keyId());
    }
  }

  /** New key material, sealed for {@code version} of key {@code keyId}. */
  byte[] sealNewMaterial(String keyId, int version) {
    byte[] material = randomBytes(AesGcm.KEY_BYTES);
    try {
      return rootKey.wrap(material, materialAad(keyId, version), random);
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  /** A customer managed key: fresh material, enabled, no alias. */
  public KmsKeyRecord createKey(StoreTransaction tx, String description) {
    String keyId = new RandomIds(random).uuid();
    KmsKeyRecord key = new KmsKeyRecord(keyId, keyArn(keyId), description, clock.millis(), true, false,
        sealNewMaterial(keyId, 0));
    tx.putKmsKey(key);
    return key;
  }

  /** Adds a new version of material, which encrypts from now on; the old versions still decrypt. */
  public KmsKeyRecord rotate(KmsKeyRecord key, boolean onDemand, Long nextRotationDate) {
    int version = key.currentMaterialVersion() + 1;
    return key.withMaterial(new KmsKeyRecord.RotatedMaterial(version, clock.millis(), onDemand,
        sealNewMaterial(key.keyId(), version)), nextRotationDate);
  }

  private static byte[] materialAad(String keyId, int version) {
    return ("stowaway/kms-key-material/" + keyId + (version == 0 ? "" : "/v" + version)).getBytes(StandardCharsets.UTF_8);
  }

  byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  SecureRandom random() {
    return random;
  }
}
