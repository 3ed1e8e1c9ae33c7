package dev.stowaway.sidecar.localagent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.sidecar.audit.AuditTrail;
import dev.stowaway.sidecar.awsjson.AwsJsonProtocol;
import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.sidecar.http.Reply;
import dev.stowaway.sidecar.logging.AccessLog;
import dev.stowaway.sidecar.logging.RequestContext;
import dev.stowaway.sidecar.metrics.Metrics;
import dev.stowaway.vault.audit.AuditUnavailableException;
import dev.stowaway.vault.identity.Caller;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The local HTTP API of AWS's Secrets Manager Agent, so that applications written for it read
 * from Stowaway unchanged: {@code GET /secretsmanager/get?secretId=…} and {@code GET /v1/<id>}
 * answer exactly what GetSecretValue answers, {@code GET /ping} answers {@code healthy}. The
 * checks and their answers are that agent's: a forwarded request is refused (400
 * {@code Forwarded}) before the token is looked at (403 {@code Bad Token}), then the method (405)
 * and the parameters (400). Unlike that agent, a token stands for an IAM user: the read is
 * authorized against the user's policies and audited as the user's GetSecretValue.
 */
public final class LocalAgentApi implements HttpHandler {

  public static final String PING = "/ping";
  public static final String QUERY_PATH = "/secretsmanager/get";
  public static final String PATH_PREFIX = "/v1/";
  /** The headers AWS's agent takes its token from, in its order. */
  static final HttpString[] TOKEN_HEADERS = {
      new HttpString("X-Aws-Parameters-Secrets-Token"), new HttpString("X-Vault-Token")};
  private static final HttpString FORWARDED_FOR = new HttpString("X-Forwarded-For");
  private static final HttpString REQUEST_ID = new HttpString("x-amzn-RequestId");
  private static final Logger LOG = System.getLogger(LocalAgentApi.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AgentTokens tokens;
  private final TokenOwners owners;
  private final AwsJsonProtocol awsJson;
  private final AuditTrail audit;
  private final Metrics metrics;
  private final Clock clock;
  private final AccessLog accessLog;

  public LocalAgentApi(TokenOwners owners, AwsJsonProtocol awsJson, AuditTrail audit, Metrics metrics,
      AccessLog accessLog, Clock clock) {
    this.accessLog = accessLog;
    this.tokens = owners.tokens();
    this.owners = owners;
    this.awsJson = awsJson;
    this.audit = audit;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Whether a request is for this API rather than the AWS APIs or the change feed. */
  public static boolean serves(HttpServerExchange exchange) {
    String path = exchange.getRequestPath();
    if (path.equals(PING) || path.equals(QUERY_PATH)) {
      return true;
    }
    if (!path.startsWith(PATH_PREFIX)) {
      return false;
    }
    // GET /v1/events is the change feed that Stowaway's agents follow (signed, or with a token and
    // Accept: text/event-stream); only a token-bearing request that wants no stream reads a secret
    // named "events".
    HeaderMap headers = exchange.getRequestHeaders();
    String accept = headers.getFirst(Headers.ACCEPT);
    return !path.equals("/v1/events") || (hasToken(headers) && !headers.contains(Headers.AUTHORIZATION)
        && (accept == null || !accept.contains("text/event-stream")));
  }

  private static boolean hasToken(HeaderMap headers) {
    for (HttpString name : TOKEN_HEADERS) {
      if (headers.contains(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    String requestId = UUID.randomUUID().toString();
    exchange.getResponseHeaders().put(REQUEST_ID, requestId);
    try (RequestContext.Scope serving = RequestContext.serving(requestId)) {
      answer(exchange, requestId).send(exchange);
    }
  }

  private Reply answer(HttpServerExchange exchange, String requestId) {
    String path = exchange.getRequestPath();
    HeaderMap headers = exchange.getRequestHeaders();
    if (path.equals(PING)) {
      return Methods.GET.equals(exchange.getRequestMethod()) ? Reply.text(200, "healthy") : plain(405, "Not allowed");
    }
    long started = System.nanoTime();
    String sourceIp = exchange.getSourceAddress().getAddress().getHostAddress();
    ApiCall call = new ApiCall(requestId, clock.instant(), sourceIp, headers.getFirst(Headers.USER_AGENT), null)
        .operation("secretsmanager.amazonaws.com", "GetSecretValue").operationKnown();
    Reply reply;
    try {
      audit.checkWritable();
      reply = serve(exchange, path, headers, sourceIp, call);
    } catch (AuditUnavailableException e) {
      metrics.unaudited(call);
      accessLog.served(call, 503, System.nanoTime() - started);
      return agentError(503, "ServiceUnavailableException",
          "The request cannot be recorded in the audit log, so it was not served.");
    } catch (RuntimeException e) {
      // A bug, not bad input: answered with a bare 500, and audited like every other answer.
      LOG.log(Level.ERROR, "request " + requestId + " failed: " + e.getClass().getName(), e);
      call.error("InternalFailure", "An error occurred on the server side.");
      reply = agentError(500, "InternalFailure", "");
    }
    try {
      audit.record(call);
    } catch (AuditUnavailableException e) {
      metrics.unaudited(call);
      accessLog.served(call, 503, System.nanoTime() - started);
      return agentError(503, "ServiceUnavailableException",
          "The request cannot be recorded in the audit log, so it was not served.");
    }
    metrics.request(call, System.nanoTime() - started);
    accessLog.served(call, reply.status(), System.nanoTime() - started);
    return reply;
  }

  private Reply serve(HttpServerExchange exchange, String path, HeaderMap headers, String sourceIp, ApiCall call) {
    if (headers.contains(FORWARDED_FOR)) {
      return refused(call, 400, "Forwarded");
    }
    Optional<AgentTokens.Entry> token = Optional.empty();
    try {
      for (HttpString name : TOKEN_HEADERS) {
        token = TokenAuthentication.match(tokens, headers.getFirst(name));
        if (token.isPresent()) {
          break;
        }
      }
    } catch (AwsError e) {
      LOG.log(Level.ERROR, e.getMessage());
      call.error(e.type(), e.getMessage());
      return agentError(e.status(), e.type(), e.getMessage(), true);
    }
    if (token.isEmpty()) {
      return refused(call, 403, "Bad Token");
    }
    Optional<Caller> caller = owners.caller(token.get(), sourceIp);
    if (caller.isEmpty()) {
      LOG.log(Level.WARNING, "agent token " + token.get().id() + " stands for user " + token.get().user()
          + (token.get().userId() == null ? "" : " (" + token.get().userId() + ")") + ", who does not exist: refused");
      // the trail says which token was refused and why; the client hears what AWS's agent says
      call.additionalEventData(JSON.createObjectNode().put("agentTokenId", token.get().id())
          .put("refusedBecause", "the token's IAM user " + token.get().user()
              + (token.get().userId() == null ? "" : " (" + token.get().userId() + ")") + " does not exist"));
      return refused(call, 403, "Bad Token");
    }
    if (!Methods.GET.equals(exchange.getRequestMethod())) {
      return refused(call, 405, "Not allowed");
    }
    ObjectNode input = JSON.createObjectNode();
    String problem = path.equals(QUERY_PATH)
        ? fromQuery(exchange.getQueryParameters(), input)
        : fromPath(path.substring(PATH_PREFIX.length()), exchange.getQueryParameters(), input);
    if (problem != null) {
      return refused(call, 400, problem);
    }
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(input);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Reply reply = awsJson.handleAs(caller.get(), "secretsmanager.GetSecretValue", body, call);
    ObjectNode extra = call.additionalEventData() != null ? call.additionalEventData() : JSON.createObjectNode();
    call.additionalEventData(extra.put("agentTokenId", token.get().id()));
    return reply.status() == 200 ? new Reply(200, "application/json", reply.body()) : reshapedError(reply);
  }

  private static String fromQuery(Map<String, Deque<String>> query, ObjectNode input) {
    for (Map.Entry<String, Deque<String>> p : query.entrySet()) {
      String problem = p.getKey().equals("secretId") ? put(input, "SecretId", p.getValue().peekLast())
          : versionParameter(p.getKey(), p.getValue().peekLast(), input);
      if (problem != null) {
        return problem;
      }
    }
    if (!input.hasNonNull("SecretId") || input.get("SecretId").asText().isEmpty()) {
      return "missing parameter secretId";
    }
    return null;
  }

  private static String fromPath(String secretId, Map<String, Deque<String>> query, ObjectNode input) {
    if (secretId.isEmpty()) {
      return "missing secret ID";
    }
    input.put("SecretId", secretId);
    for (Map.Entry<String, Deque<String>> p : query.entrySet()) {
      String problem = versionParameter(p.getKey(), p.getValue().peekLast(), input);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  /** The parameters both forms take; null when fine, else AWS's agent's message. */
  private static String versionParameter(String name, String value, ObjectNode input) {
    return switch (name) {
      case "versionId" -> put(input, "VersionId", value);
      case "versionStage" -> put(input, "VersionStage", value);
      case "refreshNow" -> refreshNow(value) ? null : "invalid refreshNow value";
      default -> "unknown parameter: " + name;
    };
  }

  private static String put(ObjectNode input, String member, String value) {
    input.put(member, value);
    return null;
  }

  /** Every read here is fresh from the vault, so refreshNow changes nothing; its value is still checked. */
  private static boolean refreshNow(String value) {
    return value != null && java.util.List.of("true", "1", "false", "0").contains(value.toLowerCase(java.util.Locale.ROOT));
  }

  private static Reply refused(ApiCall call, int status, String message) {
    call.error(status == 403 ? "AccessDeniedException" : status == 405 ? "MethodNotAllowed" : "ValidationException",
        message);
    return plain(status, message);
  }

  private static Reply plain(int status, String message) {
    return new Reply(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
  }

  /** AWS's agent passes service errors on with their status, as {@code {"__type", "message"}}. */
  private static Reply reshapedError(Reply reply) {
    try {
      JsonNode error = JSON.readTree(reply.body());
      return agentError(reply.status(), error.path("__type").asText("InternalFailure"),
          error.path("Message").asText(""));
    } catch (IOException e) {
      return agentError(500, "InternalFailure", "");
    }
  }

  private static Reply agentError(int status, String type, String message) {
    return agentError(status, type, message, false);
  }

  /** An internal failure's message is shown only when it is the sidecar's own, never one passed on. */
  private static Reply agentError(int status, String type, String message, boolean ownMessage) {
    ObjectNode body = JSON.createObjectNode().put("__type", type);
    if (!message.isEmpty() && (ownMessage || !type.equals("InternalFailure"))) {
      body.put("message", message);
    }
    try {
      return new Reply(status, "application/json", JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
