package dev.stowaway.sidecar.iamquery;

import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.sidecar.auth.SigV4Verifier;
import dev.stowaway.sidecar.auth.SignedRequest;
import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.sidecar.http.Reply;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.identity.Caller;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The Query protocol of IAM and STS: {@code POST /} with a form body {@code Action=…&Version=…},
 * answered in XML ({@code <ActionResponse>} or {@code <ErrorResponse>}) with AWS's error codes.
 */
public final class QueryProtocol {

  private static final Logger LOG = System.getLogger(QueryProtocol.class.getName());
  /** IAM's and STS's common error for "an unknown error, exception or failure" (HTTP 500). */
  private static final String INTERNAL_FAILURE = "InternalFailure";
  private static final String INTERNAL_FAILURE_MESSAGE =
      "The request processing has failed because of an unknown error, exception or failure.";

  private final Vault vault;
  private final String account;
  private final SigV4Verifier verifier;
  private final Map<String, QueryApi> byVersion;

  public QueryProtocol(Vault vault, SigV4Verifier verifier, String account) {
    this.vault = vault;
    this.account = account;
    this.verifier = verifier;
    QueryApi iam = new IamApi(vault.identity(), vault.groups(), vault.policies(), vault.mfaDevices(), vault.roles());
    QueryApi sts = new StsApi(vault.sessions(), vault.roleSessions());
    this.byVersion = Map.of(iam.version(), iam, sts.version(), sts);
  }

  /** Serves one request, telling {@code call} what its audit record needs. */
  public Reply handle(SignedRequest request, String sourceIp, ApiCall call) {
    String requestId = call.requestId();
    QueryApi api = null;
    try {
      QueryInput input = QueryInput.parse(request.body());
      String version = input.get("Version");
      api = version == null ? null : byVersion.get(version);
      String actionName = input.get("Action");
      call.operation(api == null ? null : api.signingName() + ".amazonaws.com", actionName);
      if (api != null && actionName != null && api.actions().containsKey(actionName)) {
        call.operationKnown();
      }
      call.requestParameters(input.asJson());
      if (api == null) {
        throw new AwsError(400, "InvalidAction", "The Version " + version + " is not served here; IAM is 2010-05-08 "
            + "and STS 2011-06-15.");
      }
      // IAM is a global service: clients sign it for us-east-1 whatever their region.
      Caller caller = vault.identity().callerFor(
          verifier.verify(request, api.signingName(), api.signingName().equals("iam") ? "us-east-1" : null),
          sourceIp, false);
      call.caller(caller);
      resources(input, call);
      actionName = input.required("Action");
      QueryApi.Action action = api.actions().get(actionName);
      if (action == null) {
        throw new AwsError(400, "InvalidAction", "The action " + actionName + " is not valid for this web service.");
      }
      Xml xml = new Xml().open(actionName + "Response", api.namespace()).open(actionName + "Result");
      action.invoke(input, caller, xml);
      xml.close(actionName + "Result").open("ResponseMetadata").element("RequestId", requestId)
          .close("ResponseMetadata").close(actionName + "Response");
      byte[] body = xml.toString().getBytes(StandardCharsets.UTF_8);
      if (!call.readOnly()) {
        call.responseElements(XmlResult.toJson(body, actionName + "Result"));
      }
      return new Reply(200, "text/xml", body);
    } catch (AwsError e) {
      return error(api, queryStatus(e), queryCode(e), e.getMessage(), call);
    } catch (VaultException e) {
      return switch (e.error()) {
        case RESOURCE_NOT_FOUND -> error(api, 404, "NoSuchEntity", e.getMessage(), call);
        case RESOURCE_EXISTS -> error(api, 409, "EntityAlreadyExists", e.getMessage(), call);
        case DELETE_CONFLICT -> error(api, 409, "DeleteConflict", e.getMessage(), call);
        case LIMIT_EXCEEDED -> error(api, 409, "LimitExceeded", e.getMessage(), call);
        case MALFORMED_POLICY -> error(api, 400, "MalformedPolicyDocument", e.getMessage(), call);
        case ACCESS_DENIED -> error(api, 403, "AccessDenied", e.getMessage(), call);
        case INVALID_AUTHENTICATION_CODE -> error(api, 403, "InvalidAuthenticationCode", e.getMessage(), call);
        // as STS and IAM answer any throttled request: 400, Sender, Throttling, "Rate exceeded"
        case THROTTLING -> error(api, 400, "Throttling", e.getMessage(), call);
        default -> error(api, 400, "ValidationError", e.getMessage(), call);
      };
    } catch (RuntimeException e) {
      // A bug or a failing store, not bad input: logged with its cause, answered without it.
      LOG.log(Level.ERROR, "request " + requestId + " (" + call.eventName() + ") failed: " + e.getClass().getName(), e);
      return error(api, 500, INTERNAL_FAILURE, INTERNAL_FAILURE_MESSAGE, call);
    }
  }

  /**
   * AWS's answer to an unexpected error on a Query API, for a request that failed before or after
   * this protocol had it (the request's service is not known there: IAM's namespace is used).
   */
  public Reply internalFailure(ApiCall call) {
    return error(null, 500, INTERNAL_FAILURE, INTERNAL_FAILURE_MESSAGE, call);
  }

  /** The IAM entities a request names, so the trail can be searched by them. */
  private void resources(QueryInput input, ApiCall call) {
    String iam = "arn:aws:iam::" + account + ":";
    if (input.get("UserName") != null) {
      call.resource(iam + "user/" + input.get("UserName"), "AWS::IAM::User");
    }
    if (input.get("RoleName") != null) {
      call.resource(iam + "role/" + input.get("RoleName"), "AWS::IAM::Role");
    }
    if (input.get("GroupName") != null) {
      call.resource(iam + "group/" + input.get("GroupName"), "AWS::IAM::Group");
    }
    if (input.get("PolicyArn") != null) {
      call.resource(input.get("PolicyArn"), "AWS::IAM::ManagedPolicy");
    }
    if (input.get("RoleArn") != null) {
      call.resource(input.get("RoleArn"), "AWS::IAM::Role");
    }
  }

  /** A refusal in this protocol's shape, for when the request cannot be audited. */
  public Reply unavailable(String message, ApiCall call) {
    return error(null, 503, "ServiceUnavailable", message, call);
  }

  /** Authentication failures have other names on the Query protocol. */
  private static String queryCode(AwsError e) {
    return switch (e.type()) {
      case "InvalidSignatureException" -> "SignatureDoesNotMatch";
      case "UnrecognizedClientException" -> "InvalidClientTokenId";
      case "MissingAuthenticationTokenException" -> "MissingAuthenticationToken";
      case "IncompleteSignatureException" -> "IncompleteSignature";
      case "ExpiredTokenException" -> "ExpiredToken";
      case "ThrottlingException" -> "Throttling";
      default -> e.type();
    };
  }

  private static int queryStatus(AwsError e) {
    return switch (e.type()) {
      case "InvalidSignatureException", "UnrecognizedClientException", "MissingAuthenticationTokenException",
          "ExpiredTokenException" -> 403;
      default -> e.status();
    };
  }

  private static Reply error(QueryApi api, int status, String code, String message, ApiCall call) {
    call.error(code, message);
    String requestId = call.requestId();
    String namespace = api != null ? api.namespace() : "https://iam.amazonaws.com/doc/2010-05-08/";
    Xml xml = new Xml().open("ErrorResponse", namespace).open("Error").element("Type", status >= 500 ? "Receiver" : "Sender")
        .element("Code", code).element("Message", message).close("Error").element("RequestId", requestId)
        .close("ErrorResponse");
    return new Reply(status, "text/xml", xml.toString().getBytes(StandardCharsets.UTF_8));
  }
}
