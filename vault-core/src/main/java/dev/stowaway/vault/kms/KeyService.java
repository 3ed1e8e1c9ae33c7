package dev.stowaway.vault.kms;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreView;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * KMS as a service: customer managed keys and their life cycle, aliases, automatic and on-demand
 * rotation, and the cryptographic operations. Every call is authorized as {@code kms:<Action>}
 * on the key's ARN. Key material is unsealed only inside one operation and zeroed after; the
 * only plaintext that leaves is what Decrypt and GenerateDataKey are asked for.
 */
public final class KeyService {

  public static final String SSM_ALIAS = "alias/aws/ssm";
  public static final int MAX_PLAINTEXT = 4096;
  private static final Pattern ALIAS = Pattern.compile("alias/[a-zA-Z0-9/_-]{1,250}");
  private static final byte[] MAGIC = {'S', 'K', 'M', 'S'};

  /** A key and its aliases, for DescribeKey and ListKeys. */
  public record KeyView(KmsKeyRecord key, List<String> aliases) {}

  /** What Encrypt answers: the opaque blob and the key that made it. */
  public record Encrypted(byte[] ciphertextBlob, String keyArn) {}

  /** What Decrypt answers; the caller zeroes the plaintext once it is written out. */
  public record Decrypted(byte[] plaintext, String keyArn) {}

  /** GenerateDataKey's answer; plaintext is null for GenerateDataKeyWithoutPlaintext. */
  public record DataKey(byte[] plaintext, byte[] ciphertextBlob, String keyArn) {}

  private final SecretStore store;
  private final KeyRing keyRing;
  private final Authorizer authorizer;
  private final Clock clock;
  private final Caller caller;
  private final String aliasArnPrefix;

  public KeyService(SecretStore store, KeyRing keyRing, Authorizer authorizer, Clock clock, String region,
      String account) {
    this(store, keyRing, authorizer, clock, Caller.SYSTEM, "arn:aws:kms:" + region + ":" + account + ":");
  }

  private KeyService(SecretStore store, KeyRing keyRing, Authorizer authorizer, Clock clock, Caller caller,
      String aliasArnPrefix) {
    this.store = store;
    this.keyRing = keyRing;
    this.authorizer = authorizer;
    this.clock = clock;
    this.caller = caller;
    this.aliasArnPrefix = aliasArnPrefix;
  }

  public KeyService as(Caller who) {
    return new KeyService(store, keyRing, authorizer, clock, who, aliasArnPrefix);
  }

  public String keyArn(String keyId) {
    return keyRing.keyArn(keyId);
  }

  public String aliasArn(String alias) {
    return aliasArnPrefix + alias;
  }

  // ---- keys -------------------------------------------------------------------------------------

  public KeyView createKey(String description, String keySpec, String keyUsage) {
    authorizer.authorize(caller, "kms:CreateKey", "*", Map.of(), null);
    if (keySpec != null && !keySpec.equals("SYMMETRIC_DEFAULT")) {
      throw VaultException.validation("KeySpec " + keySpec + " is not supported here: Stowaway makes only "
          + "SYMMETRIC_DEFAULT (AES-256-GCM) keys.");
    }
    if (keyUsage != null && !keyUsage.equals("ENCRYPT_DECRYPT")) {
      throw VaultException.validation("KeyUsage " + keyUsage + " is not supported here: use ENCRYPT_DECRYPT.");
    }
    if (description != null && description.length() > 8192) {
      throw VaultException.validation("1 validation error detected: Value at 'description' failed to satisfy "
          + "constraint: Member must have length less than or equal to 8192");
    }
    return new KeyView(store.write(tx -> keyRing.createKey(tx, description == null ? "" : description)), List.of());
  }

  public KeyView describeKey(String keyId) {
    return store.read(view -> {
      KmsKeyRecord key = resolve(view, keyId);
      authorize("kms:DescribeKey", key);
      return new KeyView(key, aliasesOf(view, key.keyId()));
    });
  }

  /** ListKeys: every key, by key id, a page at a time ({@code marker} is the last key id seen). */
  public List<KmsKeyRecord> listKeys() {
    authorizer.authorize(caller, "kms:ListKeys", "*", Map.of(), null);
    List<KmsKeyRecord> keys = new ArrayList<>(store.read(StoreView::kmsKeys));
    keys.sort(java.util.Comparator.comparing(KmsKeyRecord::keyId));
    return keys;
  }

  public void enableKey(String keyId) {
    change(keyId, "kms:EnableKey", key -> {
      customerManaged(key);
      notPendingDeletion(key);
      return key.withEnabled(true);
    });
  }

  public void disableKey(String keyId) {
    change(keyId, "kms:DisableKey", key -> {
      customerManaged(key);
      notPendingDeletion(key);
      return key.withEnabled(false);
    });
  }

  /** ScheduleKeyDeletion: 7–30 days (30 by default); a key pending deletion cannot be used. */
  public KmsKeyRecord scheduleKeyDeletion(String keyId, Integer pendingWindowInDays) {
    int days = pendingWindowInDays == null ? 30 : pendingWindowInDays;
    if (days < 7 || days > 30) {
      throw VaultException.validation("1 validation error detected: Value '" + days + "' at 'pendingWindowInDays' "
          + "failed to satisfy constraint: Member must have value between 7 and 30");
    }
    return change(keyId, "kms:ScheduleKeyDeletion", key -> {
      customerManaged(key);
      notPendingDeletion(key);
      return key.withDeletionDate(clock.instant().plus(Duration.ofDays(days)).toEpochMilli());
    });
  }

  /** CancelKeyDeletion: the key comes back disabled, as in KMS. */
  public KmsKeyRecord cancelKeyDeletion(String keyId) {
    return change(keyId, "kms:CancelKeyDeletion", key -> {
      if (key.deletionDate() == null) {
        throw new VaultException(VaultError.KEY_INVALID_STATE, key.arn() + " is not pending deletion.");
      }
      return key.withDeletionDate(null).withEnabled(false);
    });
  }

  /** Deletes the keys whose waiting period has ended, with their aliases. Returns their ids. */
  public List<String> purgeDeletedKeys() {
    long now = clock.millis();
    return store.write(tx -> {
      List<String> gone = new ArrayList<>();
      for (KmsKeyRecord key : tx.kmsKeys()) {
        if (key.deletionDate() != null && key.deletionDate() <= now) {
          tx.aliases().forEach((alias, target) -> {
            if (target.equals(key.keyId())) {
              tx.removeAlias(alias);
            }
          });
          tx.removeKmsKey(key.keyId());
          gone.add(key.keyId());
        }
      }
      return gone;
    });
  }

  // ---- rotation -----------------------------------------------------------------------------------

  public KmsKeyRecord enableKeyRotation(String keyId, Integer rotationPeriodInDays) {
    int days = rotationPeriodInDays == null ? 365 : rotationPeriodInDays;
    if (days < 90 || days > 2560) {
      throw VaultException.validation("1 validation error detected: Value '" + days + "' at 'rotationPeriodInDays' "
          + "failed to satisfy constraint: Member must have value between 90 and 2560");
    }
    return change(keyId, "kms:EnableKeyRotation", key -> {
      customerManaged(key);
      usable(key);
      return key.withRotation(true, days, clock.instant().plus(Duration.ofDays(days)).toEpochMilli());
    });
  }

  public KmsKeyRecord disableKeyRotation(String keyId) {
    return change(keyId, "kms:DisableKeyRotation", key -> {
      customerManaged(key);
      usable(key);
      return key.withRotation(false, key.rotationPeriodInDays(), null);
    });
  }

  public KmsKeyRecord keyRotationStatus(String keyId) {
    return store.read(view -> {
      KmsKeyRecord key = resolve(view, keyId);
      authorize("kms:GetKeyRotationStatus", key);
      return key;
    });
  }

  /** RotateKeyOnDemand: new material now, whatever the schedule; old material keeps decrypting. */
  public KmsKeyRecord rotateKeyOnDemand(String keyId) {
    return change(keyId, "kms:RotateKeyOnDemand", key -> {
      customerManaged(key);
      usable(key);
      if (key.rotatedMaterials().stream().filter(KmsKeyRecord.RotatedMaterial::onDemand).count() >= 10) {
        throw new VaultException(VaultError.LIMIT_EXCEEDED, "The on-demand rotations of " + key.arn()
            + " are used up (10).");
      }
      return keyRing.rotate(key, true, key.nextRotationDate());
    });
  }

  /** Rotates the keys whose automatic rotation is due. Returns their ids. */
  public List<String> rotateDueKeys() {
    Instant now = clock.instant();
    return store.write(tx -> {
      List<String> rotated = new ArrayList<>();
      for (KmsKeyRecord key : tx.kmsKeys()) {
        if (key.rotationEnabled() && key.nextRotationDate() != null && key.nextRotationDate() <= now.toEpochMilli()
            && key.deletionDate() == null) {
          tx.putKmsKey(keyRing.rotate(key, false,
              now.plus(Duration.ofDays(key.rotationPeriodInDays())).toEpochMilli()));
          rotated.add(key.keyId());
        }
      }
      return rotated;
    });
  }

  // ---- aliases -------------------------------------------------------------------------------------

  public void createAlias(String aliasName, String targetKeyId) {
    checkAliasName(aliasName);
    store.write(tx -> {
      KmsKeyRecord key = resolve(tx, targetKeyId);
      authorizer.authorize(caller, "kms:CreateAlias", aliasArn(aliasName), Map.of(), null);
      authorize("kms:CreateAlias", key);
      customerManaged(key);
      if (tx.keyIdForAlias(aliasName).isPresent()) {
        throw VaultException.exists("An alias with the name " + aliasArn(aliasName) + " already exists");
      }
      tx.putAlias(aliasName, key.keyId());
      return null;
    });
  }

  public void updateAlias(String aliasName, String targetKeyId) {
    checkAliasName(aliasName);
    authorizer.authorize(caller, "kms:UpdateAlias", aliasArn(aliasName), Map.of(), null);
    store.write(tx -> {
      if (tx.keyIdForAlias(aliasName).isEmpty()) {
        throw VaultException.notFound("Alias " + aliasArn(aliasName) + " is not found.");
      }
      KmsKeyRecord key = resolve(tx, targetKeyId);
      authorize("kms:UpdateAlias", key);
      customerManaged(key);
      tx.putAlias(aliasName, key.keyId());
      return null;
    });
  }

  public void deleteAlias(String aliasName) {
    if (aliasName != null && aliasName.startsWith("alias/aws/")) {
      throw new VaultException(VaultError.UNSUPPORTED_OPERATION, "Alias " + aliasName + " is AWS managed and "
          + "cannot be deleted.");
    }
    checkAliasName(aliasName);
    authorizer.authorize(caller, "kms:DeleteAlias", aliasArn(aliasName), Map.of(), null);
    store.write(tx -> {
      String keyId = tx.keyIdForAlias(aliasName).orElseThrow(() -> VaultException.notFound("Alias "
          + aliasArn(aliasName) + " is not found."));
      tx.kmsKey(keyId).ifPresent(key -> authorize("kms:DeleteAlias", key));
      tx.removeAlias(aliasName);
      return null;
    });
  }

  /** Alias names with their target key ids, by name; only those of {@code keyId} when it is given. */
  public Map<String, String> listAliases(String keyId) {
    authorizer.authorize(caller, "kms:ListAliases", "*", Map.of(), null);
    return store.read(view -> {
      Map<String, String> all = new java.util.TreeMap<>(view.aliases());
      if (keyId != null) {
        String id = resolve(view, keyId).keyId();
        all.values().removeIf(target -> !target.equals(id));
      }
      return all;
    });
  }

  // ---- cryptographic operations -----------------------------------------------------------------

  public Encrypted encrypt(String keyId, byte[] plaintext, Map<String, String> context) {
    if (plaintext == null || plaintext.length == 0 || plaintext.length > MAX_PLAINTEXT) {
      throw VaultException.validation("1 validation error detected: Value at 'plaintext' failed to satisfy "
          + "constraint: Member must have length between 1 and " + MAX_PLAINTEXT);
    }
    KmsKeyRecord key = store.read(view -> resolve(view, keyId));
    authorize("kms:Encrypt", key);
    return new Encrypted(seal(key, plaintext, context), key.arn());
  }

  public Decrypted decrypt(String keyId, byte[] blob, Map<String, String> context) {
    Blob parsed = Blob.parse(blob);
    KmsKeyRecord key = store.read(view -> view.kmsKey(parsed.keyId()).orElse(null));
    if (key == null) {
      throw new VaultException(VaultError.INVALID_CIPHERTEXT, "The ciphertext refers to a key that does not exist.");
    }
    if (keyId != null && !store.read(view -> resolve(view, keyId)).keyId().equals(key.keyId())) {
      throw new VaultException(VaultError.INCORRECT_KEY,
          "The key ID in the request does not identify a CMK that can perform this operation.");
    }
    authorize("kms:Decrypt", key);
    return new Decrypted(open(key, parsed, context), key.arn());
  }

  /** ReEncrypt: opens under the source key and seals under the destination, never handing out the plaintext. */
  public Encrypted reEncrypt(byte[] blob, Map<String, String> sourceContext, String sourceKeyId,
      String destinationKeyId, Map<String, String> destinationContext) {
    Blob parsed = Blob.parse(blob);
    KmsKeyRecord source = store.read(view -> view.kmsKey(parsed.keyId()).orElse(null));
    if (source == null) {
      throw new VaultException(VaultError.INVALID_CIPHERTEXT, "The ciphertext refers to a key that does not exist.");
    }
    if (sourceKeyId != null && !store.read(view -> resolve(view, sourceKeyId)).keyId().equals(source.keyId())) {
      throw new VaultException(VaultError.INCORRECT_KEY,
          "The key ID in the request does not identify a CMK that can perform this operation.");
    }
    KmsKeyRecord destination = store.read(view -> resolve(view, destinationKeyId));
    authorize("kms:ReEncryptFrom", source);
    authorize("kms:ReEncryptTo", destination);
    byte[] plaintext = open(source, parsed, sourceContext);
    try {
      return new Encrypted(seal(destination, plaintext, destinationContext), destination.arn());
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  public DataKey generateDataKey(String keyId, String keySpec, Integer numberOfBytes, Map<String, String> context,
      boolean withPlaintext) {
    if ((keySpec == null) == (numberOfBytes == null)) {
      throw VaultException.validation("Please specify either number of bytes or key spec.");
    }
    int length;
    if (keySpec != null) {
      length = switch (keySpec) {
        case "AES_256" -> 32;
        case "AES_128" -> 16;
        default -> throw VaultException.validation("1 validation error detected: Value '" + keySpec + "' at 'keySpec' "
            + "failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]");
      };
    } else {
      if (numberOfBytes < 1 || numberOfBytes > 1024) {
        throw VaultException.validation("1 validation error detected: Value '" + numberOfBytes + "' at "
            + "'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024");
      }
      length = numberOfBytes;
    }
    KmsKeyRecord key = store.read(view -> resolve(view, keyId));
    authorize(withPlaintext ? "kms:GenerateDataKey" : "kms:GenerateDataKeyWithoutPlaintext", key);
    byte[] dataKey = keyRing.randomBytes(length);
    byte[] blob = seal(key, dataKey, context);
    if (withPlaintext) {
      return new DataKey(dataKey, blob, key.arn());
    }
    Arrays.fill(dataKey, (byte) 0);
    return new DataKey(null, blob, key.arn());
  }

  /** Authorizes a caller's use of a key on a secret's behalf (kms:Decrypt, kms:GenerateDataKey). */
  public void authorizeUse(String action, String keyReference) {
    KmsKeyRecord key = store.read(view -> resolve(view, keyReference));
    if (key.awsManaged() || caller.isSystem()) {
      return;
    }
    var decision = authorizer.decide(caller, action, key.arn(), Map.of(), null);
    if (!decision.allowed()) {
      throw new VaultException(VaultError.ACCESS_DENIED, "Access to KMS is not allowed. "
          + decision.deniedMessage(caller.arn(), action, key.arn()));
    }
  }

  private byte[] seal(KmsKeyRecord key, byte[] plaintext, Map<String, String> context) {
    usable(key);
    int version = key.currentMaterialVersion();
    byte[] material = keyRing.unsealMaterial(key, version);
    try {
      byte[] box = AesGcm.seal(material, plaintext, aad(key, context), keyRing.random());
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(box.length + 64);
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(MAGIC);
      out.writeByte(1);
      out.writeUTF(key.keyId());
      out.writeShort(version);
      out.write(box);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  private byte[] open(KmsKeyRecord key, Blob blob, Map<String, String> context) {
    usable(key);
    byte[] material;
    try {
      material = keyRing.unsealMaterial(key, blob.materialVersion());
    } catch (IllegalArgumentException e) {
      throw new VaultException(VaultError.INVALID_CIPHERTEXT, "The ciphertext names key material that does not exist.");
    }
    try {
      return AesGcm.open(material, blob.box(), aad(key, context));
    } catch (InvalidCipherTextException e) {
      throw new VaultException(VaultError.INVALID_CIPHERTEXT,
          "The ciphertext is damaged, or its encryption context does not match.");
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  /** The encryption context, bound to the key id, is the GCM AAD. */
  private static byte[] aad(KmsKeyRecord key, Map<String, String> context) {
    Map<String, String> entries = new java.util.TreeMap<>(context == null ? Map.of() : context);
    entries.put("stowaway:kms-key-id", key.keyId());
    return new EncryptionContext(entries).aad();
  }

  /** The parts of a ciphertext blob: {@code "SKMS" | u8 1 | UTF keyId | u16 material version | nonce | ct+tag}. */
  private record Blob(String keyId, int materialVersion, byte[] box) {
    static Blob parse(byte[] blob) {
      try {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob));
        byte[] magic = in.readNBytes(4);
        if (!Arrays.equals(magic, MAGIC) || in.readUnsignedByte() != 1) {
          throw new IOException("not one of ours");
        }
        String keyId = in.readUTF();
        int version = in.readUnsignedShort();
        byte[] box = in.readAllBytes();
        if (box.length < AesGcm.NONCE_BYTES + 16) {
          throw new IOException("too short");
        }
        return new Blob(keyId, version, box);
      } catch (IOException | RuntimeException e) {
        throw new VaultException(VaultError.INVALID_CIPHERTEXT, "The ciphertext is not a KMS ciphertext blob.");
      }
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private KmsKeyRecord change(String keyId, String action, java.util.function.UnaryOperator<KmsKeyRecord> update) {
    return store.write(tx -> {
      KmsKeyRecord key = resolve(tx, keyId);
      authorize(action, key);
      KmsKeyRecord changed = update.apply(key);
      tx.putKmsKey(changed);
      return changed;
    });
  }

  private KmsKeyRecord resolve(StoreView view, String keyId) {
    if (keyId == null || keyId.isEmpty()) {
      throw VaultException.validation("1 validation error detected: Value null at 'keyId' failed to satisfy "
          + "constraint: Member must not be null");
    }
    if (keyId.startsWith("alias/") || keyId.contains(":alias/")) {
      String alias = keyId.contains(":alias/") ? keyId.substring(keyId.indexOf(":alias/") + 1) : keyId;
      if (view.keyIdForAlias(alias).isEmpty()) {
        throw VaultException.notFound("Alias " + aliasArn(alias) + " is not found.");
      }
    }
    try {
      return keyRing.resolve(view, keyId);
    } catch (VaultException e) {
      throw VaultException.notFound("Key '" + (keyId.startsWith("arn:") ? keyId : keyRing.keyArn(keyId))
          + "' does not exist");
    }
  }

  private static List<String> aliasesOf(StoreView view, String keyId) {
    List<String> names = new ArrayList<>();
    view.aliases().forEach((alias, target) -> {
      if (target.equals(keyId)) {
        names.add(alias);
      }
    });
    return names;
  }

  private void authorize(String action, KmsKeyRecord key) {
    authorizer.authorize(caller, action, key.arn(), Map.of(), null);
  }

  private static void customerManaged(KmsKeyRecord key) {
    if (key.awsManaged()) {
      throw new VaultException(VaultError.UNSUPPORTED_OPERATION, key.arn() + " is an AWS managed key: its state, "
          + "rotation and aliases are managed by the service that uses it.");
    }
  }

  private static void notPendingDeletion(KmsKeyRecord key) {
    if (key.deletionDate() != null) {
      throw new VaultException(VaultError.KEY_INVALID_STATE, key.arn() + " is pending deletion.");
    }
  }

  private static void usable(KmsKeyRecord key) {
    notPendingDeletion(key);
    if (!key.enabled()) {
      throw new VaultException(VaultError.KEY_DISABLED, key.arn() + " is disabled.");
    }
  }

  private static void checkAliasName(String aliasName) {
    if (aliasName == null || !ALIAS.matcher(aliasName).matches()) {
      throw VaultException.validation("Alias must start with the prefix \"alias/\" and contain only letters, digits, "
          + "/, _ and -; got '" + aliasName + "'.");
    }
    if (aliasName.startsWith("alias/aws/")) {
      throw new VaultException(VaultError.UNSUPPORTED_OPERATION, "Alias names beginning with alias/aws/ are reserved "
          + "for AWS managed keys.");
    }
  }
}
