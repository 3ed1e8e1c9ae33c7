package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.parameters.ParameterException;
import dev.stowaway.vault.parameters.ParameterStore;
import dev.stowaway.vault.secrets.RetrievedSecret;
import dev.stowaway.vault.store.ParameterRecord;
import dev.stowaway.vault.store.SecretRecord.TagRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter Store ({@code X-Amz-Target: AmazonSSM.<Op>}, SigV4 service {@code ssm}), so that
 * {@code aws ssm put-parameter} and {@code get-parameters-by-path} work unchanged.
 */
final class SsmApi implements JsonApi {

  private final ParameterStore parameters;
  private final Map<String, Operation> operations = new LinkedHashMap<>();

  SsmApi(ParameterStore parameters) {
    this.parameters = parameters;
    add("PutParameter", (in, caller) -> {
      ParameterStore.Value put = parameters.as(caller).put(in.requiredString("Name"), in.requiredString("Value"),
          in.string("Type"), in.bool("Overwrite", false), in.string("KeyId"), in.string("Description"),
          in.string("AllowedPattern"), tags(in.objects("Tags")), in.string("Tier"), in.string("DataType"));
      ObjectNode out = JsonOutput.object();
      out.put("Version", put.version());
      out.put("Tier", in.string("Tier") == null || in.string("Tier").equals("Intelligent-Tiering") ? "Standard"
          : in.string("Tier"));
      return out;
    });
    add("GetParameter", (in, caller) -> {
      ObjectNode out = JsonOutput.object();
      out.set("Parameter", value(parameters.as(caller).get(in.requiredString("Name"), in.bool("WithDecryption", false))));
      return out;
    });
    add("GetParameters", (in, caller) -> {
      ParameterStore.Found found = parameters.as(caller).getMany(in.strings("Names"), in.bool("WithDecryption", false));
      ObjectNode out = JsonOutput.object();
      ArrayNode list = out.putArray("Parameters");
      found.parameters().forEach(v -> list.add(value(v)));
      ArrayNode invalid = out.putArray("InvalidParameters");
      found.invalid().forEach(invalid::add);
      return out;
    });
    add("GetParametersByPath", (in, caller) -> {
      ParameterStore.Page<ParameterStore.Value> page = parameters.as(caller).byPath(in.requiredString("Path"),
          in.bool("Recursive", false), filters(in.objects("ParameterFilters")), in.bool("WithDecryption", false),
          in.integer("MaxResults"), in.string("NextToken"));
      ObjectNode out = JsonOutput.object();
      ArrayNode list = out.putArray("Parameters");
      page.items().forEach(v -> list.add(value(v)));
      JsonOutput.put(out, "NextToken", page.nextToken());
      return out;
    });
    add("GetParameterHistory", (in, caller) -> {
      ParameterStore store = parameters.as(caller);
      String name = in.requiredString("Name");
      boolean decrypt = in.bool("WithDecryption", false);
      ParameterStore.Page<ParameterRecord.Version> page = store.history(name, in.integer("MaxResults"),
          in.string("NextToken"));
      ObjectNode out = JsonOutput.object();
      ArrayNode list = out.putArray("Parameters");
      for (ParameterRecord.Version v : page.items()) {
        ObjectNode h = list.addObject();
        h.put("Name", name);
        h.put("Type", v.type());
        JsonOutput.put(h, "KeyId", v.keyId());
        JsonOutput.put(h, "LastModifiedDate", Instant.ofEpochMilli(v.lastModifiedDate()));
        JsonOutput.put(h, "LastModifiedUser", v.lastModifiedUser());
        JsonOutput.put(h, "Description", v.description());
        h.put("Value", store.valueOf(v, name, decrypt));
        JsonOutput.put(h, "AllowedPattern", v.allowedPattern());
        h.put("Version", v.version());
        JsonOutput.putStrings(h, "Labels", v.labels());
        h.put("Tier", v.tier());
        h.putArray("Policies");
        h.put("DataType", v.dataType());
      }
      JsonOutput.put(out, "NextToken", page.nextToken());
      return out;
    });
    add("LabelParameterVersion", (in, caller) -> {
      Long version = in.number("ParameterVersion");
      Map.Entry<Long, List<String>> result = parameters.as(caller).label(in.requiredString("Name"), version,
          in.strings("Labels"));
      ObjectNode out = JsonOutput.object();
      JsonOutput.putStrings(out, "InvalidLabels", result.getValue());
      out.put("ParameterVersion", result.getKey());
      return out;
    });
    add("UnlabelParameterVersion", (in, caller) -> {
      Long version = in.number("ParameterVersion");
      if (version == null) {
        throw AwsError.badRequest("ValidationException", "1 validation error detected: Value null at "
            + "'parameterVersion' failed to satisfy constraint: Member must not be null");
      }
      Map.Entry<List<String>, List<String>> result = parameters.as(caller).unlabel(in.requiredString("Name"), version,
          in.strings("Labels") == null ? List.of() : in.strings("Labels"));
      ObjectNode out = JsonOutput.object();
      JsonOutput.putStrings(out, "RemovedLabels", result.getKey());
      JsonOutput.putStrings(out, "InvalidLabels", result.getValue());
      return out;
    });
    add("DescribeParameters", (in, caller) -> {
      List<ParameterStore.Filter> filters = new ArrayList<>(filters(in.objects("ParameterFilters")));
      for (JsonInput f : in.objects("Filters") == null ? List.<JsonInput>of() : in.objects("Filters")) {
        // The older Filters ({Key: Name|Type|KeyId, Values}) mean Equals, except Name, which means BeginsWith.
        String key = f.string("Key");
        filters.add(new ParameterStore.Filter(key, "Name".equals(key) ? "BeginsWith" : "Equals", f.strings("Values")));
      }
      ParameterStore.Page<ParameterStore.Metadata> page = parameters.as(caller).describe(filters,
          in.integer("MaxResults"), in.string("NextToken"));
      ObjectNode out = JsonOutput.object();
      ArrayNode list = out.putArray("Parameters");
      for (ParameterStore.Metadata m : page.items()) {
        ObjectNode d = list.addObject();
        d.put("Name", m.name());
        d.put("ARN", m.arn());
        d.put("Type", m.type());
        JsonOutput.put(d, "KeyId", m.keyId());
        JsonOutput.put(d, "LastModifiedDate", m.lastModifiedDate());
        JsonOutput.put(d, "LastModifiedUser", m.lastModifiedUser());
        JsonOutput.put(d, "Description", m.description());
        JsonOutput.put(d, "AllowedPattern", m.allowedPattern());
        d.put("Version", m.version());
        d.put("Tier", m.tier());
        d.putArray("Policies");
        d.put("DataType", m.dataType());
      }
      JsonOutput.put(out, "NextToken", page.nextToken());
      return out;
    });
    add("DeleteParameter", (in, caller) -> {
      parameters.as(caller).delete(in.requiredString("Name"));
      return JsonOutput.object();
    });
    add("DeleteParameters", (in, caller) -> {
      List<String> names = in.strings("Names");
      List<String> missing = parameters.as(caller).deleteMany(names);
      ObjectNode out = JsonOutput.object();
      JsonOutput.putStrings(out, "DeletedParameters", names.stream().filter(n -> !missing.contains(n)).toList());
      JsonOutput.putStrings(out, "InvalidParameters", missing);
      return out;
    });
    add("AddTagsToResource", (in, caller) -> {
      parameters.as(caller).addTags(in.requiredString("ResourceType"), in.requiredString("ResourceId"),
          tags(in.objects("Tags")));
      return JsonOutput.object();
    });
    add("RemoveTagsFromResource", (in, caller) -> {
      parameters.as(caller).removeTags(in.requiredString("ResourceType"), in.requiredString("ResourceId"),
          in.strings("TagKeys") == null ? List.of() : in.strings("TagKeys"));
      return JsonOutput.object();
    });
    add("ListTagsForResource", (in, caller) -> {
      ObjectNode out = JsonOutput.object();
      ArrayNode list = out.putArray("TagList");
      parameters.as(caller).tags(in.requiredString("ResourceType"), in.requiredString("ResourceId"))
          .forEach(t -> list.addObject().put("Key", t.key()).put("Value", t.value()));
      return out;
    });
  }

  /** Parameter Store's own refusals carry their own error names. */
  private void add(String name, Operation operation) {
    operations.put(name, (in, caller) -> {
      try {
        return operation.invoke(in, caller);
      } catch (ParameterException e) {
        throw AwsError.badRequest(errorName(e.reason()), e.getMessage());
      }
    });
  }

  private static String errorName(ParameterException.Reason reason) {
    return switch (reason) {
      case PARAMETER_NOT_FOUND -> "ParameterNotFound";
      case PARAMETER_ALREADY_EXISTS -> "ParameterAlreadyExists";
      case PARAMETER_VERSION_NOT_FOUND -> "ParameterVersionNotFound";
      case PARAMETER_VERSION_LABEL_LIMIT_EXCEEDED -> "ParameterVersionLabelLimitExceeded";
      case PARAMETER_MAX_VERSION_LIMIT_EXCEEDED -> "ParameterMaxVersionLimitExceeded";
      case PARAMETER_PATTERN_MISMATCH -> "ParameterPatternMismatchException";
      case HIERARCHY_LEVEL_LIMIT_EXCEEDED -> "HierarchyLevelLimitExceededException";
      case HIERARCHY_TYPE_MISMATCH -> "HierarchyTypeMismatchException";
      case INVALID_ALLOWED_PATTERN -> "InvalidAllowedPatternException";
      case INVALID_FILTER_KEY -> "InvalidFilterKey";
      case INVALID_FILTER_OPTION -> "InvalidFilterOption";
      case INVALID_RESOURCE_ID -> "InvalidResourceId";
      case INVALID_RESOURCE_TYPE -> "InvalidResourceType";
      case INVALID_KEY_ID -> "InvalidKeyId";
      case TOO_MANY_TAGS -> "TooManyTagsError";
      case VALIDATION -> "ValidationException";
    };
  }

  private static ObjectNode value(ParameterStore.Value v) {
    ObjectNode out = JsonOutput.object();
    out.put("Name", v.name());
    out.put("Type", v.type());
    out.put("Value", v.value());
    out.put("Version", v.version());
    JsonOutput.put(out, "Selector", v.selector());
    if (v.source() != null) {
      out.put("SourceResult", sourceResult(v.source()));
    }
    JsonOutput.put(out, "LastModifiedDate", v.lastModifiedDate());
    out.put("ARN", v.arn());
    out.put("DataType", v.dataType());
    return out;
  }

  /** A secret reference's SourceResult: the GetSecretValue answer, as JSON text. */
  private static String sourceResult(RetrievedSecret secret) {
    ObjectNode source = JsonOutput.object();
    source.put("ARN", secret.arn());
    source.put("Name", secret.name());
    source.put("VersionId", secret.versionId());
    if (secret.value().isBinary()) {
      source.put("SecretBinary", Base64.getEncoder().encodeToString(secret.value().asBinary()));
    } else {
      source.put("SecretString", secret.value().asString());
    }
    JsonOutput.putStrings(source, "VersionStages", secret.versionStages());
    JsonOutput.put(source, "CreatedDate", secret.createdDate());
    return source.toString();
  }

  private static List<TagRecord> tags(List<JsonInput> tags) {
    return tags == null ? null : tags.stream().map(t -> new TagRecord(t.requiredString("Key"), t.string("Value")))
        .toList();
  }

  private static List<ParameterStore.Filter> filters(List<JsonInput> filters) {
    return filters == null ? List.of() : filters.stream().map(f -> new ParameterStore.Filter(f.requiredString("Key"),
        f.string("Option"), f.strings("Values"))).toList();
  }

  @Override
  public String errorType(VaultError error) {
    return switch (error) {
      case ACCESS_DENIED -> "AccessDeniedException";
      case DECRYPTION_FAILURE, KEY_DISABLED, KEY_INVALID_STATE -> "InvalidKeyId";
      default -> "ValidationException";
    };
  }

  /** A SecureString's value is a secret in the request, whatever CloudTrail does with String ones. */
  @Override
  public void annotate(ApiCall call, String operation, ObjectNode request, ObjectNode result) {
    if (operation.equals("PutParameter") && request.has("Value")) {
      ObjectNode copy = request.deepCopy();
      copy.put("Value", "HIDDEN_DUE_TO_SECURITY_REASONS");
      call.requestParameters(copy);
    }
    String name = request.path("Name").asText(null);
    if (name != null && !name.isEmpty()) {
      int colon = name.lastIndexOf(':');
      call.resource(parameters.arn(colon > 0 ? name.substring(0, colon) : name), "AWS::SSM::Parameter");
    }
  }

  @Override
  public String targetPrefix() {
    return "AmazonSSM";
  }

  @Override
  public String signingName() {
    return "ssm";
  }

  @Override
  public Map<String, Operation> operations() {
    return operations;
  }
}
