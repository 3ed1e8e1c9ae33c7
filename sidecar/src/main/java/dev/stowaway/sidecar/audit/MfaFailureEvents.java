package dev.stowaway.sidecar.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.identity.MfaFailure;

/**
 * Each wrong MFA code as its own audit record, so that an EventBridge rule can alert on them
 * without parsing error messages: an {@code AwsServiceEvent} named {@value #EVENT_NAME} from
 * {@code sts.amazonaws.com} (GetSessionToken, AssumeRole) or {@code iam.amazonaws.com}
 * (EnableMFADevice), its resource the device. As an event: {@code detail-type} "AWS Service Event
 * via CloudTrail", {@code detail.eventName} {@value #EVENT_NAME}. The request that carried the code
 * has its own record too, with its error. The code itself is never recorded.
 */
public final class MfaFailureEvents {

  public static final String EVENT_NAME = "MFAAuthenticationFailed";

  private MfaFailureEvents() {}

  /** Writes the record; throws, as any audit write does, when the log cannot be written. */
  public static void record(AuditTrail audit, MfaFailure failure) {
    ObjectNode details = JsonNodeFactory.instance.objectNode()
        .put("operation", failure.operation())
        .put("serialNumber", failure.serialNumber())
        .put("principalArn", failure.principalArn())
        .put("accessKeyId", failure.accessKeyId())
        .put("sourceIPAddress", failure.sourceIp())
        .put("throttled", failure.throttled());
    String source = failure.operation().equals("EnableMFADevice") ? "iam.amazonaws.com" : "sts.amazonaws.com";
    audit.serviceEvent(source, EVENT_NAME, failure.serialNumber(), "AWS::IAM::MFADevice", details);
  }
}
