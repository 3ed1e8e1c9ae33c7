package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonFactory;
import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.sidecar.auth.SigV4Verifier;
import dev.stowaway.sidecar.backup.BackupMaker;
import dev.stowaway.sidecar.localagent.TokenAuthentication;
import dev.stowaway.sidecar.auth.SignedRequest;
import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.sidecar.http.Reply;
import dev.stowaway.sidecar.rotation.RotationScheduler;
import dev.stowaway.sidecar.config.Destinations;
import dev.stowaway.sidecar.rotation.Rotators;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.audit.AuditLookup;
import dev.stowaway.vault.identity.Caller;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * AWS JSON 1.1: {@code POST /} with {@code X-Amz-Target: <prefix>.<Operation>}. Authenticates,
 * parses, dispatches, and renders results and errors in the shape the SDKs expect.
 */
public final class AwsJsonProtocol {

  public static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  private static final int MAX_NESTING = 32;

  private final ObjectMapper json = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
      .build();
  private final Map<String, JsonApi> apis;
  private final SigV4Verifier verifier;
  private final Vault vault;
  private final TokenAuthentication tokens;

  public AwsJsonProtocol(Vault vault, SigV4Verifier verifier, AuditLookup auditLookup, String account,
      Rotators rotators, RotationScheduler rotations, BackupMaker backups, TokenAuthentication tokens,
      Destinations webhooks) {
    this.tokens = tokens;
    this.verifier = verifier;
    this.vault = vault;
    this.apis = List.<JsonApi>of(new SecretsManagerApi(vault, rotators, rotations), new CloudTrailApi(auditLookup),
            new EventsApi(vault.eventRules(), account, webhooks), new KmsApi(vault.keys(), account),
            new SsmApi(vault.parameters()), new StowawayApi(backups, vault.authorizer())).stream()
        .collect(Collectors.toMap(JsonApi::targetPrefix, Function.identity()));
  }

  /** Serves one request, telling {@code call} what its audit record needs. */
  public Reply handle(SignedRequest request, String target, String sourceIp, ApiCall call) {
    return serve(target, request.body(), call, api -> TokenAuthentication.usesToken(request::header)
        ? tokens.caller(request::header, sourceIp)
        : vault.identity().callerFor(verifier.verify(request, api.signingName()), sourceIp, false));
  }

  /**
   * Serves one request for a caller authenticated some other way (a local-agent token): policies
   * and the audit record apply to it exactly as to a signed request.
   */
  public Reply handleAs(Caller caller, String target, byte[] body, ApiCall call) {
    return serve(target, body, call, api -> caller);
  }

  private Reply serve(String target, byte[] body, ApiCall call, Function<JsonApi, Caller> authenticate) {
    int dot = target.lastIndexOf('.');
    JsonApi api = dot < 0 ? null : apis.get(target.substring(0, dot));
    String operationName = dot < 0 ? target : target.substring(dot + 1);
    call.operation(api == null ? null : api.signingName() + ".amazonaws.com", operationName);
    if (api != null && api.operations().containsKey(operationName)) {
      call.operationKnown();
    }
    ObjectNode input = null;
    ObjectNode result = null;
    try {
      if (api == null) {
        throw AwsError.badRequest("UnknownOperationException",
            "The target " + target + " is not an operation this sidecar serves.");
      }
      Caller caller = authenticate.apply(api);
      call.caller(caller);
      JsonApi.Operation operation = api.operations().get(operationName);
      if (operation == null) {
        throw AwsError.badRequest("UnknownOperationException",
            "Operation " + operationName + " is not supported by this sidecar.");
      }
      input = parse(body);
      call.requestParameters(input);
      result = operation.invoke(new JsonInput(input), caller);
      if (!call.readOnly()) {
        call.responseElements(result);
      }
      return new Reply(200, CONTENT_TYPE, json.writeValueAsBytes(result));
    } catch (AwsError e) {
      return error(e.status(), e.type(), e.getMessage(), call);
    } catch (VaultException e) {
      return error(400, api != null ? api.errorType(e.error()) : VaultErrors.type(e.error()), e.getMessage(), call);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a response", e);
    } finally {
      if (api != null && input == null) {
        // Refused before the body was read (authentication): still worth recording what it asked for.
        try {
          input = parse(body);
          call.requestParameters(input);
        } catch (AwsError notJson) {
          input = null;
        }
      }
      if (api != null && input != null) {
        api.annotate(call, operationName, input, result);
      }
    }
  }

  /** An error answer, which the audit record repeats. */
  public Reply error(int status, String type, String message, ApiCall call) {
    call.error(type, message);
    return error(status, type, message);
  }

  public Reply error(int status, String type, String message) {
    ObjectNode body = JsonOutput.object();
    body.put("__type", type);
    body.put("Message", message);
    try {
      return new Reply(status, CONTENT_TYPE, json.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode parse(byte[] body) {
    if (body.length == 0) {
      return JsonOutput.object();
    }
    JsonNode node;
    try {
      node = json.readTree(body);
    } catch (IOException e) {
      throw AwsError.badRequest("SerializationException", "The request body is not valid JSON"
          + (e instanceof JsonProcessingException p && p.getLocation() != null
              ? " (line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() + ")."
              : "."));
    }
    if (node == null || !node.isObject()) {
      throw AwsError.badRequest("SerializationException", "The request body must be a JSON object.");
    }
    return (ObjectNode) node;
  }
}
