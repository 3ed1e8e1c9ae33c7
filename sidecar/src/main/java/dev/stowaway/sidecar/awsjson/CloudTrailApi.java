package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.vault.audit.AuditLookup;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudTrail's {@code LookupEvents} over the audit trail ({@code X-Amz-Target:
 * com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents}), so that {@code aws
 * cloudtrail lookup-events} answers "who read prod/db yesterday".
 */
final class CloudTrailApi implements JsonApi {

  private static final int MAX_RESULTS = 50;
  private static final String TOKEN_PREFIX = "stowaway-lookup:";

  private final AuditLookup lookup;
  private final Map<String, Operation> operations = new LinkedHashMap<>();

  CloudTrailApi(AuditLookup lookup) {
    this.lookup = lookup;
    operations.put("LookupEvents", (in, caller) -> {
      AuditLookup.Page page = lookup.lookup(caller, query(in));
      ObjectNode out = JsonOutput.object();
      ArrayNode events = out.putArray("Events");
      page.events().forEach(record -> events.add(event(record)));
      if (page.nextCursor() != null) {
        out.put("NextToken", Base64.getEncoder().encodeToString(
            (TOKEN_PREFIX + page.nextCursor()).getBytes(StandardCharsets.UTF_8)));
      }
      return out;
    });
  }

  private static AuditLookup.Query query(JsonInput in) {
    AuditLookup.Attribute attribute = null;
    String value = null;
    List<JsonInput> attributes = in.objects("LookupAttributes");
    if (attributes != null && !attributes.isEmpty()) {
      if (attributes.size() > 1) {
        throw AwsError.badRequest("InvalidLookupAttributesException", "You can specify only one lookup attribute.");
      }
      String key = attributes.get(0).string("AttributeKey");
      value = attributes.get(0).string("AttributeValue");
      try {
        attribute = key == null ? null : AuditLookup.Attribute.valueOf(key);
      } catch (IllegalArgumentException e) {
        attribute = null;
      }
      if (attribute == null) {
        throw AwsError.badRequest("InvalidLookupAttributesException", "The lookup attribute key " + key + " is not "
            + "valid. Valid keys are EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource "
            + "and AccessKeyId.");
      }
      if (value == null || value.isEmpty() || value.length() > 2000) {
        throw AwsError.badRequest("InvalidLookupAttributesException",
            "The lookup attribute value must be between 1 and 2000 characters long.");
      }
    }
    Instant start = in.timestamp("StartTime");
    Instant end = in.timestamp("EndTime");
    if (start != null && end != null && start.isAfter(end)) {
      throw AwsError.badRequest("InvalidTimeRangeException", "The start time must not be after the end time.");
    }
    Integer maxResults = in.integer("MaxResults");
    if (maxResults != null && (maxResults < 1 || maxResults > MAX_RESULTS)) {
      throw AwsError.badRequest("InvalidMaxResultsException",
          "MaxResults must be between 1 and " + MAX_RESULTS + ", got " + maxResults + ".");
    }
    String category = in.string("EventCategory");
    if (category != null) {
      throw AwsError.badRequest("InvalidEventCategoryException",
          "Only management events are recorded here; EventCategory " + category + " has none.");
    }
    return new AuditLookup.Query(attribute, value, start, end, maxResults == null ? MAX_RESULTS : maxResults,
        token(in.string("NextToken")));
  }

  private static String token(String token) {
    if (token == null) {
      return null;
    }
    try {
      String text = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith(TOKEN_PREFIX) && text.length() > TOKEN_PREFIX.length()) {
        return text.substring(TOKEN_PREFIX.length());
      }
    } catch (IllegalArgumentException e) {
      // fall through: not one of ours
    }
    throw AwsError.badRequest("InvalidNextTokenException", "The NextToken is not valid.");
  }

  /** One event as LookupEvents shows it: a summary, and the whole record as a JSON string. */
  private static ObjectNode event(JsonNode record) {
    ObjectNode out = JsonOutput.object();
    out.put("EventId", record.path("eventID").asText());
    out.put("EventName", record.path("eventName").asText());
    out.put("ReadOnly", String.valueOf(record.path("readOnly").asBoolean()));
    JsonOutput.put(out, "AccessKeyId", record.path("userIdentity").path("accessKeyId").asText(null));
    JsonOutput.put(out, "EventTime", Instant.parse(record.path("eventTime").asText()));
    out.put("EventSource", record.path("eventSource").asText());
    JsonOutput.put(out, "Username", AuditLookup.username(record));
    ArrayNode resources = out.putArray("Resources");
    for (JsonNode resource : record.path("resources")) {
      resources.addObject().put("ResourceType", resource.path("type").asText())
          .put("ResourceName", resource.path("ARN").asText());
    }
    out.put("CloudTrailEvent", record.toString());
    return out;
  }

  @Override
  public String targetPrefix() {
    return "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";
  }

  @Override
  public String signingName() {
    return "cloudtrail";
  }

  @Override
  public Map<String, Operation> operations() {
    return operations;
  }
}
