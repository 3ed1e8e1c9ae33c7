package dev.stowaway.sidecar.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.audit.AuditLog;
import dev.stowaway.vault.identity.Caller;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Turns what a request did into its CloudTrail record and appends it; also writes the records of
 * what the vault does by itself ({@code AwsServiceEvent}). A record is durable before this
 * returns, so the caller may answer; if it throws, the caller must not.
 */
public final class AuditTrail {

  static final String EVENT_VERSION = "1.08";
  private static final int MAX_USER_AGENT = 1024;

  private final AuditLog log;
  private final Clock clock;
  private final String region;
  private final String account;

  public AuditTrail(AuditLog log, Clock clock, String region, String account) {
    this.log = log;
    this.clock = clock;
    this.region = region;
    this.account = account;
  }

  public AuditLog log() {
    return log;
  }

  /** Refuses at once, before anything is done, while the log cannot be written. */
  public void checkWritable() {
    log.checkWritable();
  }

  /**
   * Writes the request's record. A change that was made is recorded even if the log fails now:
   * its record waits and goes first once the log can be written again.
   */
  public void record(ApiCall call) {
    ObjectNode record = apiCallRecord(call);
    if (call.readOnly() || call.errorCode() != null) {
      log.append(record);
    } else {
      log.appendDone(record);
    }
  }

  ObjectNode apiCallRecord(ApiCall call) {
    ObjectNode record = JsonNodeFactory.instance.objectNode();
    record.put("eventVersion", EVENT_VERSION);
    record.set("userIdentity", userIdentity(call.caller(), call.claimedAccessKeyId()));
    record.put("eventTime", call.time().truncatedTo(ChronoUnit.SECONDS).toString());
    record.put("eventSource", call.eventSource() != null ? call.eventSource() : "unknown");
    record.put("eventName", call.eventName() != null ? call.eventName() : "Unknown");
    record.put("awsRegion", region);
    record.put("sourceIPAddress", call.sourceIp());
    record.put("userAgent", truncate(call.userAgent()));
    boolean readOnly = call.readOnly();
    if (call.errorCode() != null) {
      record.put("errorCode", call.errorCode());
      record.put("errorMessage", call.errorMessage());
    }
    record.set("requestParameters", CloudTrailShape.of(call.requestParameters()));
    // As CloudTrail: reads record no response (GetSecretValue's would be the secret itself).
    record.set("responseElements", readOnly || call.errorCode() != null ? null : CloudTrailShape.of(call.responseElements()));
    if (call.additionalEventData() != null) {
      record.set("additionalEventData", CloudTrailShape.of(call.additionalEventData()));
    }
    record.put("requestID", call.requestId());
    record.put("eventID", UUID.randomUUID().toString());
    record.put("readOnly", readOnly);
    if (!call.resources().isEmpty()) {
      var resources = record.putArray("resources");
      call.resources().forEach(r -> resources.addObject().put("accountId", account).put("type", r.type())
          .put("ARN", r.arn()));
    }
    record.put("eventType", "AwsApiCall");
    record.put("managementEvent", true);
    record.put("recipientAccountId", account);
    record.put("eventCategory", "Management");
    return record;
  }

  /**
   * Records something the vault did by itself (a rotation step, a deletion), as CloudTrail's
   * {@code AwsServiceEvent} with the details in {@code serviceEventDetails}.
   */
  public void serviceEvent(String eventSource, String eventName, String resourceArn, String resourceType,
      ObjectNode details) {
    log.appendDone(serviceEventRecord(region, account, clock.instant(), eventSource, eventName, resourceArn,
        resourceType, details));
  }

  /** How the audit log's records of what happened to itself (a file removed under it) are shaped. */
  public static AuditLog.IncidentRecords incidentRecords(String region, String account) {
    return (eventSource, eventName, time, details) -> serviceEventRecord(region, account, time, eventSource, eventName,
        null, null, details);
  }

  private static ObjectNode serviceEventRecord(String region, String account, Instant now, String eventSource,
      String eventName, String resourceArn, String resourceType, ObjectNode details) {
    ObjectNode record = JsonNodeFactory.instance.objectNode();
    record.put("eventVersion", EVENT_VERSION);
    record.putObject("userIdentity").put("accountId", account).put("invokedBy", eventSource);
    record.put("eventTime", now.truncatedTo(ChronoUnit.SECONDS).toString());
    record.put("eventSource", eventSource);
    record.put("eventName", eventName);
    record.put("awsRegion", region);
    record.put("sourceIPAddress", eventSource);
    record.put("userAgent", eventSource);
    record.putNull("requestParameters");
    record.putNull("responseElements");
    record.put("requestID", UUID.randomUUID().toString());
    record.put("eventID", UUID.randomUUID().toString());
    record.put("readOnly", false);
    if (resourceArn != null) {
      record.putArray("resources").addObject().put("accountId", account).put("type", resourceType)
          .put("ARN", resourceArn);
    }
    record.put("eventType", "AwsServiceEvent");
    record.put("managementEvent", true);
    record.put("recipientAccountId", account);
    record.set("serviceEventDetails", CloudTrailShape.of(details));
    record.put("eventCategory", "Management");
    return record;
  }

  private JsonNode userIdentity(Caller caller, String claimedAccessKeyId) {
    ObjectNode identity = JsonNodeFactory.instance.objectNode();
    if (caller == null) {
      // Not authenticated: who it claimed to be, if anything.
      identity.put("type", "Unknown");
      identity.put("accountId", account);
      if (claimedAccessKeyId != null) {
        identity.put("accessKeyId", truncate(claimedAccessKeyId));
      }
      return identity;
    }
    if (caller.isSystem()) {
      identity.put("type", "AWSService");
      identity.put("invokedBy", "stowaway");
      return identity;
    }
    String callerAccount = accountOf(caller.arn());
    if (caller.isRoleSession()) {
      identity.put("type", "AssumedRole");
      identity.put("principalId", caller.userId());
      identity.put("arn", caller.arn());
      identity.put("accountId", callerAccount);
      identity.put("accessKeyId", caller.accessKeyId());
      ObjectNode context = identity.putObject("sessionContext");
      String roleId = caller.userId() == null ? null : caller.userId().split(":", 2)[0];
      context.putObject("sessionIssuer").put("type", "Role").put("principalId", roleId)
          .put("arn", "arn:aws:iam::" + callerAccount + ":role/" + caller.roleName()).put("accountId", callerAccount)
          .put("userName", caller.roleName());
      context.putObject("attributes").put("mfaAuthenticated", String.valueOf(caller.mfaAuthenticatedAt() != null));
      return identity;
    }
    identity.put("type", "IAMUser");
    identity.put("principalId", caller.userId());
    identity.put("arn", caller.arn());
    identity.put("accountId", callerAccount);
    identity.put("accessKeyId", caller.accessKeyId());
    identity.put("userName", caller.userName());
    if (caller.temporary()) {
      identity.putObject("sessionContext").putObject("attributes")
          .put("mfaAuthenticated", String.valueOf(caller.mfaAuthenticatedAt() != null));
    }
    return identity;
  }

  private String accountOf(String arn) {
    String[] parts = arn.split(":", 6);
    return parts.length > 4 && !parts[4].isEmpty() ? parts[4] : account;
  }

  private static String truncate(String value) {
    return value == null || value.length() <= MAX_USER_AGENT ? value : value.substring(0, MAX_USER_AGENT);
  }
}
