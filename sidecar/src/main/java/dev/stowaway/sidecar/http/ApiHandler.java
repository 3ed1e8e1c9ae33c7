package dev.stowaway.sidecar.http;

import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.sidecar.audit.AuditTrail;
import dev.stowaway.sidecar.auth.SignedRequest;
import dev.stowaway.sidecar.awsjson.AwsJsonProtocol;
import dev.stowaway.sidecar.iamquery.QueryProtocol;
import dev.stowaway.sidecar.logging.AccessLog;
import dev.stowaway.sidecar.logging.RequestContext;
import dev.stowaway.sidecar.metrics.Metrics;
import dev.stowaway.vault.audit.AuditUnavailableException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Tells requests apart as AWS does and hands each to its protocol. Runs on a worker thread, once
 * {@link RequestBodyReader} has the whole body: every vault call blocks on crypto and the store.
 */
final class ApiHandler implements HttpHandler {

  private static final Logger LOG = System.getLogger(ApiHandler.class.getName());
  private static final HttpString AMZ_TARGET = new HttpString("X-Amz-Target");
  private static final HttpString REQUEST_ID = new HttpString("x-amzn-RequestId");

  private static final String UNAUDITABLE = "The request cannot be recorded in the audit log, so it was not served: "
      + "Stowaway serves no request it cannot audit.";

  private final AwsJsonProtocol awsJson;
  private final QueryProtocol query;
  private final AuditTrail audit;
  private final Metrics metrics;
  private final Clock clock;
  private final int maxBodyBytes;

  private final AccessLog accessLog;

  ApiHandler(AwsJsonProtocol awsJson, QueryProtocol query, AuditTrail audit, Metrics metrics, AccessLog accessLog,
      Clock clock, int maxBodyBytes) {
    this.accessLog = accessLog;
    this.awsJson = awsJson;
    this.query = query;
    this.audit = audit;
    this.metrics = metrics;
    this.clock = clock;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    String requestId = UUID.randomUUID().toString();
    exchange.getResponseHeaders().put(REQUEST_ID, requestId);
    try (RequestContext.Scope serving = RequestContext.serving(requestId)) {
      answer(exchange, requestId).send(exchange);
    }
  }

  /**
   * No audit, no access: the request is served only while the log can be written, and answered
   * only once its record is durable. If the record cannot be written the answer is withheld.
   */
  private Reply answer(HttpServerExchange exchange, String requestId) {
    String path = exchange.getRequestPath();
    if (Methods.GET.equals(exchange.getRequestMethod()) && path.equals("/metrics")) {
      return Reply.text(404, "Metrics are served on the probe port (--probe-port), or here with "
          + "--metrics-on-api-port true.\n");
    }
    if (!Methods.POST.equals(exchange.getRequestMethod()) || !path.equals("/")) {
      return Reply.text(404, "Stowaway serves AWS APIs at POST /, AWS's agent API at GET /secretsmanager/get and "
          + "/v1/ID, liveness at GET /healthz and readiness at GET /readyz.\n");
    }
    String target = exchange.getRequestHeaders().getFirst(AMZ_TARGET);
    String contentType = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
    boolean isQuery = target == null && contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    long started = System.nanoTime();
    ApiCall call = new ApiCall(requestId, clock.instant(), exchange.getSourceAddress().getAddress().getHostAddress(),
        exchange.getRequestHeaders().getFirst(Headers.USER_AGENT),
        ApiCall.claimedAccessKeyId(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION)));
    try {
      audit.checkWritable();
    } catch (AuditUnavailableException e) {
      metrics.unaudited(call);
      accessLog.served(call, 503, System.nanoTime() - started);
      return isQuery ? query.unavailable(UNAUDITABLE, call) : awsJson.error(503, "ServiceUnavailableException", UNAUDITABLE);
    }
    Reply reply;
    try {
      reply = route(exchange, target, isQuery, call);
    } catch (RuntimeException e) {
      // A bug, not bad input: log the type and where, answer AWS's generic 500 without detail.
      LOG.log(Level.ERROR, "request " + requestId + " failed: " + e.getClass().getName(), e);
      reply = isQuery ? query.internalFailure(call)
          : awsJson.error(500, "InternalServiceError", "An error occurred on the server side.", call);
    }
    try {
      audit.record(call);
    } catch (AuditUnavailableException e) {
      LOG.log(Level.ERROR, "request " + requestId + " (" + call.eventName() + ") was handled but could not be audited; "
          + "its answer was withheld" + (call.readOnly() || call.errorCode() != null ? ""
              : "; its change was made and its record will be written when the log can be"));
      metrics.unaudited(call);
      accessLog.served(call, 503, System.nanoTime() - started);
      return isQuery ? query.unavailable(UNAUDITABLE, call) : awsJson.error(503, "ServiceUnavailableException", UNAUDITABLE);
    }
    metrics.request(call, System.nanoTime() - started);
    accessLog.served(call, reply.status(), System.nanoTime() - started);
    return reply;
  }

  private Reply route(HttpServerExchange exchange, String target, boolean isQuery, ApiCall call) {
    if (target != null) {
      call.operation(null, target.substring(target.lastIndexOf('.') + 1)); // the protocol says more, if it gets there
    }
    ReceivedBody received = ReceivedBody.from(exchange);
    if (received.refusal() == ReceivedBody.Refusal.TOO_LARGE) {
      return awsJson.error(413, "RequestEntityTooLargeException",
          "The request body is larger than " + maxBodyBytes + " bytes.", call);
    }
    if (received.refusal() == ReceivedBody.Refusal.UNREADABLE) {
      return awsJson.error(400, "SerializationException", "The request body could not be read.", call);
    }
    byte[] body = received.bytes();
    String sourceIp = exchange.getSourceAddress().getAddress().getHostAddress();
    if (isQuery) {
      return query.handle(signedRequest(exchange, body), sourceIp, call);
    }
    if (target == null) {
      return awsJson.error(400, "UnknownOperationException",
          "The request has no X-Amz-Target header, so it names no operation.", call);
    }
    return awsJson.handle(signedRequest(exchange, body), target, sourceIp, call);
  }

  private static SignedRequest signedRequest(HttpServerExchange exchange, byte[] body) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HeaderValues values : exchange.getRequestHeaders()) {
      headers.put(values.getHeaderName().toString().toLowerCase(Locale.ROOT), new ArrayList<>(values));
    }
    String rawPath = exchange.getRequestURI();
    if (rawPath.startsWith("http://") || rawPath.startsWith("https://")) {
      int slash = rawPath.indexOf('/', rawPath.indexOf("//") + 2);
      rawPath = slash < 0 ? "/" : rawPath.substring(slash);
    }
    return new SignedRequest(exchange.getRequestMethod().toString(), rawPath, exchange.getQueryString(), headers, body);
  }
}
