package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.sidecar.rotation.RotationScheduler;
import dev.stowaway.sidecar.rotation.Rotators;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.secrets.BatchResult;
import dev.stowaway.vault.secrets.CreateSecret;
import dev.stowaway.vault.secrets.DeletionResult;
import dev.stowaway.vault.secrets.ListQuery;
import dev.stowaway.vault.secrets.Page;
import dev.stowaway.vault.secrets.PasswordSpec;
import dev.stowaway.vault.secrets.PutSecretValue;
import dev.stowaway.vault.secrets.ResourcePolicy;
import dev.stowaway.vault.secrets.RetrievedSecret;
import dev.stowaway.vault.secrets.SecretDescription;
import dev.stowaway.vault.secrets.SecretFilter;
import dev.stowaway.vault.secrets.SecretRef;
import dev.stowaway.vault.secrets.SecretRotations;
import dev.stowaway.vault.secrets.SecretValue;
import dev.stowaway.vault.secrets.SecretsService;
import dev.stowaway.vault.secrets.SortKey;
import dev.stowaway.vault.secrets.Tag;
import dev.stowaway.vault.secrets.UpdateSecret;
import dev.stowaway.vault.secrets.VersionPage;
import dev.stowaway.vault.secrets.VersionSummary;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Secrets Manager operations ({@code X-Amz-Target: secretsmanager.<Op>}): each one reads
 * its members, calls the vault and shapes the answer as AWS documents it. Nothing else.
 */
final class SecretsManagerApi implements JsonApi {

  private final SecretsService secrets;
  private final Vault vault;
  private final Map<String, Operation> operations = new LinkedHashMap<>();

  SecretsManagerApi(Vault vault, Rotators rotators, RotationScheduler rotations) {
    this.vault = vault;
    this.secrets = vault.secrets();
    operations.put("RotateSecret", (in, caller) -> {
      String rotator = in.string("RotationLambdaARN");
      rotators.check(rotator);
      JsonInput rules = in.object("RotationRules");
      SecretRotations.Started started = secrets.as(caller).rotations().rotate(in.requiredString("SecretId"),
          in.string("ClientRequestToken"), rotator, rules == null ? null : rules.integer("AutomaticallyAfterDays"),
          rules == null ? null : rules.string("ScheduleExpression"), rules == null ? null : rules.string("Duration"),
          in.bool("RotateImmediately"));
      if (started.immediately()) {
        rotations.rotateNow(started);
      }
      ObjectNode out = JsonOutput.object();
      out.put("ARN", started.arn());
      out.put("Name", started.name());
      if (started.immediately()) {
        out.put("VersionId", started.token());
      }
      return out;
    });
    operations.put("CancelRotateSecret", (in, caller) -> ref(secrets.as(caller).rotations().cancel(
        in.requiredString("SecretId")), false));
    operations.put("CreateSecret", (in, caller) -> {
      refuseReplicas(in);
      return withValue(in, value -> ref(secrets.as(caller).create(new CreateSecret(in.requiredString("Name"),
          in.string("Description"), in.string("KmsKeyId"), value, in.string("ClientRequestToken"), tags(in))), false));
    });
    operations.put("GetSecretValue", (in, caller) -> secretValue(secrets.as(caller).getValue(
        in.requiredString("SecretId"), in.string("VersionId"), in.string("VersionStage"))));
    operations.put("BatchGetSecretValue", (in, caller) -> batch(secrets.as(caller).batchGet(
        in.strings("SecretIdList"), filters(in), in.integer("MaxResults"), in.string("NextToken"))));
    operations.put("PutSecretValue", (in, caller) -> withValue(in, value -> ref(secrets.as(caller).putValue(new PutSecretValue(
        in.requiredString("SecretId"), value, in.string("ClientRequestToken"), in.strings("VersionStages"))), true)));
    operations.put("UpdateSecret", (in, caller) -> withValue(in, value -> ref(secrets.as(caller).update(new UpdateSecret(
        in.requiredString("SecretId"), in.string("Description"), in.string("KmsKeyId"), value,
        in.string("ClientRequestToken"))), false)));
    operations.put("UpdateSecretVersionStage", (in, caller) -> ref(secrets.as(caller).updateVersionStage(
        in.requiredString("SecretId"), in.requiredString("VersionStage"), in.string("RemoveFromVersionId"),
        in.string("MoveToVersionId")), false));
    operations.put("DescribeSecret", (in, caller) -> describe(secrets.as(caller).describe(in.requiredString("SecretId")), "VersionIdsToStages"));
    operations.put("ListSecrets", (in, caller) -> list(secrets.as(caller).list(new ListQuery(filters(in),
        in.integer("MaxResults"), in.string("NextToken"), sortBy(in), ascending(in),
        in.bool("IncludePlannedDeletion", false)))));
    operations.put("ListSecretVersionIds", (in, caller) -> versions(secrets.as(caller).listVersionIds(
        in.requiredString("SecretId"), in.bool("IncludeDeprecated", false), in.integer("MaxResults"),
        in.string("NextToken"))));
    operations.put("DeleteSecret", (in, caller) -> deletion(secrets.as(caller).delete(in.requiredString("SecretId"),
        in.integer("RecoveryWindowInDays"), in.bool("ForceDeleteWithoutRecovery", false))));
    operations.put("RestoreSecret", (in, caller) -> ref(secrets.as(caller).restore(in.requiredString("SecretId")), false));
    operations.put("TagResource", (in, caller) -> {
      List<Tag> tags = tags(in);
      if (in.objects("Tags") == null) {
        throw AwsError.badRequest("ValidationException", "1 validation error detected: Value null at 'tags' "
            + "failed to satisfy constraint: Member must not be null");
      }
      secrets.as(caller).tag(in.requiredString("SecretId"), tags);
      return JsonOutput.object();
    });
    operations.put("UntagResource", (in, caller) -> {
      List<String> keys = in.strings("TagKeys");
      if (keys == null) {
        throw AwsError.badRequest("ValidationException", "1 validation error detected: Value null at 'tagKeys' "
            + "failed to satisfy constraint: Member must not be null");
      }
      secrets.as(caller).untag(in.requiredString("SecretId"), keys);
      return JsonOutput.object();
    });
    operations.put("PutResourcePolicy", (in, caller) -> ref(secrets.as(caller).putResourcePolicy(
        in.requiredString("SecretId"), in.requiredString("ResourcePolicy"), in.bool("BlockPublicPolicy", false)), false));
    operations.put("GetResourcePolicy", (in, caller) -> {
      ResourcePolicy p = secrets.as(caller).getResourcePolicy(in.requiredString("SecretId"));
      ObjectNode out = JsonOutput.object();
      out.put("ARN", p.arn());
      out.put("Name", p.name());
      JsonOutput.put(out, "ResourcePolicy", p.policy());
      return out;
    });
    operations.put("DeleteResourcePolicy", (in, caller) ->
        ref(secrets.as(caller).deleteResourcePolicy(in.requiredString("SecretId")), false));
    operations.put("ValidateResourcePolicy", (in, caller) -> {
      List<String> problems = secrets.as(caller).validateResourcePolicy(in.string("SecretId"),
          in.requiredString("ResourcePolicy"));
      ObjectNode out = JsonOutput.object();
      out.put("PolicyValidationPassed", problems.isEmpty());
      ArrayNode errors = out.putArray("ValidationErrors");
      problems.forEach(p -> errors.addObject().put("CheckName", "SyntaxCheck").put("ErrorMessage", p));
      return out;
    });
    operations.put("GetRandomPassword", (in, caller) -> {
      secrets.as(caller).authorizeUnscoped("secretsmanager:GetRandomPassword");
      ObjectNode out = JsonOutput.object();
      out.put("RandomPassword", vault.passwords().generate(new PasswordSpec(in.number("PasswordLength"),
          in.string("ExcludeCharacters"), in.bool("ExcludeNumbers"), in.bool("ExcludePunctuation"),
          in.bool("ExcludeUppercase"), in.bool("ExcludeLowercase"), in.bool("IncludeSpace"),
          in.bool("RequireEachIncludedType"))));
      return out;
    });
  }

  @Override
  public void annotate(ApiCall call, String operation, ObjectNode request, ObjectNode result) {
    String type = "AWS::SecretsManager::Secret";
    if (result != null) {
      if (result.hasNonNull("ARN")) {
        call.resource(result.get("ARN").asText(), type);
      }
      for (JsonNode value : result.path("SecretValues")) {
        call.resource(value.path("ARN").asText(null), type);
      }
    }
    if (call.resources().isEmpty()) {
      for (String member : List.of("SecretId", "Name")) {
        JsonNode id = request.get(member);
        if (id != null && id.isTextual()) {
          secrets.arnOf(id.asText()).ifPresent(arn -> call.resource(arn, type));
        }
      }
      for (JsonNode id : request.path("SecretIdList")) {
        if (id.isTextual()) {
          secrets.arnOf(id.asText()).ifPresent(arn -> call.resource(arn, type));
        }
      }
    }
    if (operation.equals("GetSecretValue") && result != null) {
      // Which version was read, by label: none at all means a deprecated version, worth an alert.
      ObjectNode data = JsonOutput.object();
      data.put("versionId", result.path("VersionId").asText(null));
      ArrayNode stages = data.putArray("versionStages");
      result.path("VersionStages").forEach(stage -> stages.add(stage.asText()));
      data.put("deprecatedVersion", stages.isEmpty());
      call.additionalEventData(data);
    }
  }

  @Override
  public String targetPrefix() {
    return "secretsmanager";
  }

  @Override
  public String signingName() {
    return "secretsmanager";
  }

  @Override
  public Map<String, Operation> operations() {
    return operations;
  }

  // ---- input --------------------------------------------------------------------------------

  /** Runs {@code work} with the request's value, then zeroes the bytes it was decoded into. */
  private static ObjectNode withValue(JsonInput in, Function<SecretValue, ObjectNode> work) {
    SecretValue value = value(in);
    try {
      return work.apply(value);
    } finally {
      if (value != null) {
        value.destroy();
      }
    }
  }

  private static SecretValue value(JsonInput in) {
    String string = in.string("SecretString");
    byte[] binary = in.blob("SecretBinary");
    if (string != null && binary != null) {
      throw AwsError.badRequest("InvalidParameterException",
          "You can't specify both a binary secret value and a string secret value in the same secret.");
    }
    if (string != null) {
      return SecretValue.ofString(string);
    }
    return binary == null ? null : SecretValue.ofBinary(binary);
  }

  private static List<Tag> tags(JsonInput in) {
    List<JsonInput> tags = in.objects("Tags");
    return tags == null ? List.of() : tags.stream().map(t -> new Tag(t.string("Key"), t.string("Value"))).toList();
  }

  private static List<SecretFilter> filters(JsonInput in) {
    List<JsonInput> filters = in.objects("Filters");
    return filters == null ? List.of()
        : filters.stream().map(f -> new SecretFilter(f.string("Key"), f.strings("Values"))).toList();
  }

  /** Replication needs other regions; refuse it plainly rather than pretend. */
  private static void refuseReplicas(JsonInput in) {
    List<JsonInput> replicas = in.objects("AddReplicaRegions");
    if (replicas != null && !replicas.isEmpty()) {
      throw AwsError.badRequest("InvalidParameterException",
          "Replication to other regions is not supported by this sidecar; remove AddReplicaRegions.");
    }
  }

  private static SortKey sortBy(JsonInput in) {
    String value = in.string("SortBy");
    if (value == null) {
      return SortKey.CREATED_DATE;
    }
    SortKey key = SortKey.fromWire(value);
    if (key == null) {
      throw AwsError.badRequest("ValidationException", "1 validation error detected: Value '" + value
          + "' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: "
          + "[created-date, last-accessed-date, last-changed-date, name]");
    }
    return key;
  }

  private static boolean ascending(JsonInput in) {
    String order = in.string("SortOrder");
    if (order == null || order.equals("desc")) {
      return false;
    }
    if (order.equals("asc")) {
      return true;
    }
    throw AwsError.badRequest("ValidationException", "1 validation error detected: Value '" + order
        + "' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]");
  }

  // ---- output -------------------------------------------------------------------------------

  private static ObjectNode ref(SecretRef ref, boolean withStages) {
    ObjectNode out = JsonOutput.object();
    out.put("ARN", ref.arn());
    out.put("Name", ref.name());
    JsonOutput.put(out, "VersionId", ref.versionId());
    if (withStages && ref.versionId() != null) {
      JsonOutput.putStrings(out, "VersionStages", ref.versionStages());
    }
    return out;
  }

  private static ObjectNode secretValue(RetrievedSecret s) {
    try {
      ObjectNode out = JsonOutput.object();
      out.put("ARN", s.arn());
      out.put("Name", s.name());
      out.put("VersionId", s.versionId());
      if (s.value().isBinary()) {
        out.put("SecretBinary", Base64.getEncoder().encodeToString(s.value().asBinary()));
      } else {
        out.put("SecretString", s.value().asString());
      }
      JsonOutput.putStrings(out, "VersionStages", s.versionStages());
      JsonOutput.put(out, "CreatedDate", s.createdDate());
      return out;
    } finally {
      s.value().destroy();
    }
  }

  private static ObjectNode batch(BatchResult result) {
    ObjectNode out = JsonOutput.object();
    ArrayNode values = out.putArray("SecretValues");
    result.values().forEach(v -> values.add(secretValue(v)));
    ArrayNode errors = out.putArray("Errors");
    for (BatchResult.Failure f : result.errors()) {
      ObjectNode e = errors.addObject();
      e.put("SecretId", f.secretId());
      e.put("ErrorCode", VaultErrors.type(f.error()));
      e.put("Message", f.message());
    }
    JsonOutput.put(out, "NextToken", result.nextToken());
    return out;
  }

  private static ObjectNode describe(SecretDescription d, String stagesMember) {
    ObjectNode out = JsonOutput.object();
    out.put("ARN", d.arn());
    out.put("Name", d.name());
    JsonOutput.put(out, "Description", d.description());
    JsonOutput.put(out, "KmsKeyId", d.kmsKeyId());
    JsonOutput.put(out, "LastChangedDate", d.lastChangedDate());
    JsonOutput.put(out, "LastAccessedDate", d.lastAccessedDate());
    JsonOutput.put(out, "DeletedDate", d.deletedDate());
    if (!d.tags().isEmpty()) {
      ArrayNode tags = out.putArray("Tags");
      d.tags().forEach(t -> tags.addObject().put("Key", t.key()).put("Value", t.value()));
    }
    ObjectNode stages = out.putObject(stagesMember);
    d.versionIdsToStages().forEach((id, labels) -> {
      ArrayNode a = stages.putArray(id);
      labels.forEach(a::add);
    });
    JsonOutput.put(out, "CreatedDate", d.createdDate());
    SecretDescription.Rotation rotation = d.rotation();
    if (rotation != null) {
      out.put("RotationEnabled", rotation.enabled());
      JsonOutput.put(out, "RotationLambdaARN", rotation.rotatorArn());
      ObjectNode rules = JsonOutput.object();
      if (rotation.automaticallyAfterDays() != null) {
        rules.put("AutomaticallyAfterDays", rotation.automaticallyAfterDays());
      }
      JsonOutput.put(rules, "ScheduleExpression", rotation.scheduleExpression());
      JsonOutput.put(rules, "Duration", rotation.duration());
      if (!rules.isEmpty()) {
        out.set("RotationRules", rules);
      }
      if (rotation.enabled()) {
        JsonOutput.put(out, "NextRotationDate", rotation.nextRotationDate());
      }
      JsonOutput.put(out, "LastRotatedDate", rotation.lastRotatedDate());
    }
    return out;
  }

  private static ObjectNode list(Page<SecretDescription> page) {
    ObjectNode out = JsonOutput.object();
    ArrayNode list = out.putArray("SecretList");
    page.items().forEach(d -> list.add(describe(d, "SecretVersionsToStages")));
    JsonOutput.put(out, "NextToken", page.nextToken());
    return out;
  }

  private static ObjectNode versions(VersionPage page) {
    ObjectNode out = JsonOutput.object();
    ArrayNode versions = out.putArray("Versions");
    for (VersionSummary v : page.versions()) {
      ObjectNode o = versions.addObject();
      o.put("VersionId", v.versionId());
      JsonOutput.putStrings(o, "VersionStages", v.versionStages());
      JsonOutput.put(o, "LastAccessedDate", v.lastAccessedDate());
      JsonOutput.put(o, "CreatedDate", v.createdDate());
      o.putArray("KmsKeyIds").add(v.kmsKeyId() == null ? "DefaultEncryptionKey" : v.kmsKeyId());
    }
    JsonOutput.put(out, "NextToken", page.nextToken());
    out.put("ARN", page.arn());
    out.put("Name", page.name());
    return out;
  }

  private static ObjectNode deletion(DeletionResult d) {
    ObjectNode out = JsonOutput.object();
    out.put("ARN", d.arn());
    out.put("Name", d.name());
    JsonOutput.put(out, "DeletionDate", d.deletionDate());
    return out;
  }
}
