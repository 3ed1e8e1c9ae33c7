package dev.stowaway.sidecar.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.identity.Caller;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one API request did, gathered as it is served, for its audit record: the protocol fills
 * in the operation, the caller once known, parameters and result or error. Confined to the
 * request's thread.
 */
public final class ApiCall {

  /** A resource the request touched, as CloudTrail lists it. */
  public record Resource(String arn, String type) {}

  private final String requestId;
  private final Instant time;
  private final String sourceIp;
  private final String userAgent;
  private final String claimedAccessKeyId;
  private String eventSource;
  private String eventName;
  private boolean operationKnown;
  private Caller caller;
  private JsonNode requestParameters;
  private JsonNode responseElements;
  private String errorCode;
  private String errorMessage;
  private final List<Resource> resources = new ArrayList<>();
  private ObjectNode additionalEventData;

  public ApiCall(String requestId, Instant time, String sourceIp, String userAgent, String claimedAccessKeyId) {
    this.requestId = requestId;
    this.time = time;
    this.sourceIp = sourceIp;
    this.userAgent = userAgent;
    this.claimedAccessKeyId = claimedAccessKeyId;
  }

  /** The access key id an Authorization header claims, before anyone has checked it. */
  public static String claimedAccessKeyId(String authorization) {
    if (authorization == null) {
      return null;
    }
    int at = authorization.indexOf("Credential=");
    if (at < 0) {
      return null;
    }
    int start = at + "Credential=".length();
    int end = authorization.indexOf('/', start);
    return end < 0 ? null : authorization.substring(start, Math.min(end, start + 128));
  }

  public ApiCall operation(String eventSource, String eventName) {
    this.eventSource = eventSource;
    this.eventName = eventName;
    return this;
  }

  /** The operation is one this sidecar serves (not just a name a client sent). */
  public ApiCall operationKnown() {
    this.operationKnown = true;
    return this;
  }

  public boolean isOperationKnown() {
    return operationKnown;
  }

  public ApiCall caller(Caller caller) {
    this.caller = caller;
    return this;
  }

  /** As the client sent them; redaction happens when the record is made. */
  public ApiCall requestParameters(JsonNode parameters) {
    this.requestParameters = parameters;
    return this;
  }

  public ApiCall responseElements(JsonNode elements) {
    this.responseElements = elements;
    return this;
  }

  public ApiCall error(String code, String message) {
    this.errorCode = code;
    this.errorMessage = message;
    return this;
  }

  public ApiCall resource(String arn, String type) {
    if (arn != null && resources.stream().noneMatch(r -> r.arn().equals(arn))) {
      resources.add(new Resource(arn, type));
    }
    return this;
  }

  public ApiCall additionalEventData(ObjectNode data) {
    this.additionalEventData = data;
    return this;
  }

  public String requestId() {
    return requestId;
  }

  public Instant time() {
    return time;
  }

  public String sourceIp() {
    return sourceIp;
  }

  public String userAgent() {
    return userAgent;
  }

  public String claimedAccessKeyId() {
    return claimedAccessKeyId;
  }

  public String eventSource() {
    return eventSource;
  }

  public String eventName() {
    return eventName;
  }

  public Caller caller() {
    return caller;
  }

  public JsonNode requestParameters() {
    return requestParameters;
  }

  public JsonNode responseElements() {
    return responseElements;
  }

  public String errorCode() {
    return errorCode;
  }

  public String errorMessage() {
    return errorMessage;
  }

  public List<Resource> resources() {
    return resources;
  }

  public ObjectNode additionalEventData() {
    return additionalEventData;
  }

  public boolean readOnly() {
    return CloudTrailShape.isReadOnly(eventName);
  }
}
