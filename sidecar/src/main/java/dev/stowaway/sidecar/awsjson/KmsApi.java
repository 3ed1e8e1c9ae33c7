package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.kms.KeyService;
import dev.stowaway.vault.store.KmsKeyRecord;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KMS ({@code X-Amz-Target: TrentService.<Op>}, SigV4 service {@code kms}): keys, aliases,
 * rotation and the cryptographic operations, shaped as the SDKs expect. Blobs travel base64.
 */
final class KmsApi implements JsonApi {

  private final KeyService keys;
  private final String account;
  private final Map<String, Operation> operations = new LinkedHashMap<>();

  KmsApi(KeyService keys, String account) {
    this.keys = keys;
    this.account = account;
    operations.put("CreateKey", (in, caller) -> {
      KeyService.KeyView key = keys.as(caller).createKey(in.string("Description"), keySpec(in), in.string("KeyUsage"));
      return metadata(key.key());
    });
    operations.put("DescribeKey", (in, caller) -> metadata(keys.as(caller).describeKey(in.requiredString("KeyId")).key()));
    operations.put("ListKeys", (in, caller) -> {
      List<KmsKeyRecord> all = keys.as(caller).listKeys();
      return page(in, all.stream().map(KmsKeyRecord::keyId).toList(), "Keys", (array, id) -> {
        KmsKeyRecord key = all.stream().filter(k -> k.keyId().equals(id)).findFirst().orElseThrow();
        array.addObject().put("KeyId", key.keyId()).put("KeyArn", key.arn());
      });
    });
    operations.put("EnableKey", (in, caller) -> {
      keys.as(caller).enableKey(in.requiredString("KeyId"));
      return JsonOutput.object();
    });
    operations.put("DisableKey", (in, caller) -> {
      keys.as(caller).disableKey(in.requiredString("KeyId"));
      return JsonOutput.object();
    });
    operations.put("ScheduleKeyDeletion", (in, caller) -> {
      KmsKeyRecord key = keys.as(caller).scheduleKeyDeletion(in.requiredString("KeyId"), in.integer("PendingWindowInDays"));
      ObjectNode out = JsonOutput.object();
      out.put("KeyId", key.arn());
      JsonOutput.put(out, "DeletionDate", Instant.ofEpochMilli(key.deletionDate()));
      out.put("KeyState", key.keyState());
      out.put("PendingWindowInDays", in.integer("PendingWindowInDays") == null ? 30 : in.integer("PendingWindowInDays"));
      return out;
    });
    operations.put("CancelKeyDeletion", (in, caller) -> {
      KmsKeyRecord key = keys.as(caller).cancelKeyDeletion(in.requiredString("KeyId"));
      ObjectNode out = JsonOutput.object();
      out.put("KeyId", key.arn());
      return out;
    });
    operations.put("EnableKeyRotation", (in, caller) -> {
      keys.as(caller).enableKeyRotation(in.requiredString("KeyId"), in.integer("RotationPeriodInDays"));
      return JsonOutput.object();
    });
    operations.put("DisableKeyRotation", (in, caller) -> {
      keys.as(caller).disableKeyRotation(in.requiredString("KeyId"));
      return JsonOutput.object();
    });
    operations.put("GetKeyRotationStatus", (in, caller) -> {
      KmsKeyRecord key = keys.as(caller).keyRotationStatus(in.requiredString("KeyId"));
      ObjectNode out = JsonOutput.object();
      out.put("KeyRotationEnabled", key.rotationEnabled());
      out.put("KeyId", key.arn());
      if (key.rotationPeriodInDays() != null) {
        out.put("RotationPeriodInDays", key.rotationPeriodInDays());
      }
      if (key.nextRotationDate() != null) {
        JsonOutput.put(out, "NextRotationDate", Instant.ofEpochMilli(key.nextRotationDate()));
      }
      key.rotatedMaterials().stream().filter(KmsKeyRecord.RotatedMaterial::onDemand).reduce((a, b) -> b)
          .ifPresent(m -> JsonOutput.put(out, "OnDemandRotationStartDate", Instant.ofEpochMilli(m.rotationDate())));
      return out;
    });
    operations.put("RotateKeyOnDemand", (in, caller) -> {
      KmsKeyRecord key = keys.as(caller).rotateKeyOnDemand(in.requiredString("KeyId"));
      ObjectNode out = JsonOutput.object();
      out.put("KeyId", key.keyId());
      return out;
    });
    operations.put("CreateAlias", (in, caller) -> {
      keys.as(caller).createAlias(in.requiredString("AliasName"), in.requiredString("TargetKeyId"));
      return JsonOutput.object();
    });
    operations.put("UpdateAlias", (in, caller) -> {
      keys.as(caller).updateAlias(in.requiredString("AliasName"), in.requiredString("TargetKeyId"));
      return JsonOutput.object();
    });
    operations.put("DeleteAlias", (in, caller) -> {
      keys.as(caller).deleteAlias(in.requiredString("AliasName"));
      return JsonOutput.object();
    });
    operations.put("ListAliases", (in, caller) -> {
      Map<String, String> aliases = keys.as(caller).listAliases(in.string("KeyId"));
      return page(in, List.copyOf(aliases.keySet()), "Aliases", (array, alias) -> array.addObject()
          .put("AliasName", alias).put("AliasArn", keys.aliasArn(alias)).put("TargetKeyId", aliases.get(alias)));
    });
    operations.put("Encrypt", (in, caller) -> {
      byte[] plaintext = in.blob("Plaintext");
      try {
        KeyService.Encrypted encrypted = keys.as(caller).encrypt(in.requiredString("KeyId"), plaintext, context(in,
            "EncryptionContext"));
        return ciphertext(encrypted.ciphertextBlob(), encrypted.keyArn());
      } finally {
        zero(plaintext);
      }
    });
    operations.put("Decrypt", (in, caller) -> {
      KeyService.Decrypted decrypted = keys.as(caller).decrypt(in.string("KeyId"), requiredBlob(in, "CiphertextBlob"),
          context(in, "EncryptionContext"));
      ObjectNode out = JsonOutput.object();
      out.put("KeyId", decrypted.keyArn());
      out.put("Plaintext", Base64.getEncoder().encodeToString(decrypted.plaintext()));
      out.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
      zero(decrypted.plaintext());
      return out;
    });
    operations.put("ReEncrypt", (in, caller) -> {
      KeyService.Encrypted encrypted = keys.as(caller).reEncrypt(requiredBlob(in, "CiphertextBlob"),
          context(in, "SourceEncryptionContext"), in.string("SourceKeyId"), in.requiredString("DestinationKeyId"),
          context(in, "DestinationEncryptionContext"));
      ObjectNode out = ciphertext(encrypted.ciphertextBlob(), encrypted.keyArn());
      out.put("SourceEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
      out.put("DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
      return out;
    });
    operations.put("GenerateDataKey", (in, caller) -> dataKey(in, caller, true));
    operations.put("GenerateDataKeyWithoutPlaintext", (in, caller) -> dataKey(in, caller, false));
  }

  private ObjectNode dataKey(JsonInput in, dev.stowaway.vault.identity.Caller caller, boolean withPlaintext) {
    KeyService.DataKey key = keys.as(caller).generateDataKey(in.requiredString("KeyId"), in.string("KeySpec"),
        in.integer("NumberOfBytes"), context(in, "EncryptionContext"), withPlaintext);
    ObjectNode out = JsonOutput.object();
    out.put("CiphertextBlob", Base64.getEncoder().encodeToString(key.ciphertextBlob()));
    if (key.plaintext() != null) {
      out.put("Plaintext", Base64.getEncoder().encodeToString(key.plaintext()));
      zero(key.plaintext());
    }
    out.put("KeyId", key.keyArn());
    return out;
  }

  private static String keySpec(JsonInput in) {
    String spec = in.string("KeySpec");
    return spec != null ? spec : in.string("CustomerMasterKeySpec");
  }

  private static byte[] requiredBlob(JsonInput in, String member) {
    byte[] blob = in.blob(member);
    if (blob == null) {
      throw AwsError.badRequest("ValidationException", "1 validation error detected: Value null at '"
          + Character.toLowerCase(member.charAt(0)) + member.substring(1) + "' failed to satisfy constraint: Member must "
          + "not be null");
    }
    return blob;
  }

  private static Map<String, String> context(JsonInput in, String member) {
    JsonInput context = in.object(member);
    if (context == null) {
      return Map.of();
    }
    Map<String, String> entries = new LinkedHashMap<>();
    for (String key : context.names()) {
      entries.put(key, context.string(key));
    }
    return entries;
  }

  private static ObjectNode ciphertext(byte[] blob, String keyArn) {
    ObjectNode out = JsonOutput.object();
    out.put("CiphertextBlob", Base64.getEncoder().encodeToString(blob));
    out.put("KeyId", keyArn);
    out.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    return out;
  }

  /** Limit (1–1000, default 100) and Marker paging over names in order. */
  private static ObjectNode page(JsonInput in, List<String> names, String member,
      java.util.function.BiConsumer<ArrayNode, String> add) {
    Integer limit = in.integer("Limit");
    if (limit != null && (limit < 1 || limit > 1000)) {
      throw AwsError.badRequest("ValidationException", "1 validation error detected: Value '" + limit + "' at 'limit' "
          + "failed to satisfy constraint: Member must have value between 1 and 1000");
    }
    String marker = in.string("Marker");
    int from = 0;
    if (marker != null) {
      String after = new String(Base64.getDecoder().decode(marker), java.nio.charset.StandardCharsets.UTF_8);
      while (from < names.size() && names.get(from).compareTo(after) <= 0) {
        from++;
      }
    }
    int size = limit == null ? 100 : limit;
    int to = Math.min(names.size(), from + size);
    ObjectNode out = JsonOutput.object();
    ArrayNode array = out.putArray(member);
    names.subList(from, to).forEach(name -> add.accept(array, name));
    boolean truncated = to < names.size();
    out.put("Truncated", truncated);
    if (truncated) {
      out.put("NextMarker", Base64.getEncoder().encodeToString(names.get(to - 1)
          .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return out;
  }

  private ObjectNode metadata(KmsKeyRecord key) {
    ObjectNode out = JsonOutput.object();
    ObjectNode m = out.putObject("KeyMetadata");
    m.put("AWSAccountId", account);
    m.put("KeyId", key.keyId());
    m.put("Arn", key.arn());
    JsonOutput.put(m, "CreationDate", Instant.ofEpochMilli(key.createdDate()));
    m.put("Enabled", key.enabled() && key.deletionDate() == null);
    m.put("Description", key.description() == null ? "" : key.description());
    m.put("KeyUsage", "ENCRYPT_DECRYPT");
    m.put("KeyState", key.keyState());
    if (key.deletionDate() != null) {
      JsonOutput.put(m, "DeletionDate", Instant.ofEpochMilli(key.deletionDate()));
    }
    m.put("Origin", "AWS_KMS");
    m.put("KeyManager", key.awsManaged() ? "AWS" : "CUSTOMER");
    m.put("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT");
    m.put("KeySpec", "SYMMETRIC_DEFAULT");
    m.putArray("EncryptionAlgorithms").add("SYMMETRIC_DEFAULT");
    m.put("MultiRegion", false);
    return out;
  }

  private static void zero(byte[] bytes) {
    if (bytes != null) {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  @Override
  public String errorType(VaultError error) {
    return switch (error) {
      case RESOURCE_NOT_FOUND -> "NotFoundException";
      case RESOURCE_EXISTS -> "AlreadyExistsException";
      case KEY_DISABLED -> "DisabledException";
      case KEY_INVALID_STATE -> "KMSInvalidStateException";
      case INVALID_CIPHERTEXT -> "InvalidCiphertextException";
      case INCORRECT_KEY -> "IncorrectKeyException";
      case UNSUPPORTED_OPERATION -> "UnsupportedOperationException";
      case LIMIT_EXCEEDED -> "LimitExceededException";
      case ACCESS_DENIED -> "AccessDeniedException";
      default -> "ValidationException";
    };
  }

  @Override
  public void annotate(ApiCall call, String operation, ObjectNode request, ObjectNode result) {
    JsonNode keyId = result != null && result.path("KeyMetadata").has("Arn") ? result.path("KeyMetadata").path("Arn")
        : result != null && result.has("KeyId") ? result.get("KeyId") : request.get("KeyId");
    if (keyId != null && keyId.isTextual() && keyId.asText().startsWith("arn:")) {
      call.resource(keyId.asText(), "AWS::KMS::Key");
    }
  }

  @Override
  public String targetPrefix() {
    return "TrentService";
  }

  @Override
  public String signingName() {
    return "kms";
  }

  @Override
  public Map<String, Operation> operations() {
    return operations;
  }
}
