package dev.stowaway.sidecar.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.sidecar.audit.AuditTrail;
import dev.stowaway.sidecar.auth.SigV4Verifier;
import dev.stowaway.vault.audit.AuditUnavailableException;
import java.time.Clock;
import dev.stowaway.sidecar.auth.SignedRequest;
import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.sidecar.localagent.TokenAuthentication;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.events.ChangeFeed;
import dev.stowaway.vault.identity.Caller;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HttpString;
import java.util.UUID;
import dev.stowaway.vault.events.SecretChange;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/events}: the change feed agents follow, as Server-Sent Events. Each event is a
 * committed change ({@code event: change}) whose id ({@code EPOCH:SEQUENCE}) a client sends back
 * as {@code Last-Event-ID} to be given what it missed. When that is no longer possible (another
 * sidecar run, or too far behind) it gets {@code event: reset} and must drop everything it cached.
 */
public final class ChangeStream implements HttpHandler {

  static final long KEEP_ALIVE_MILLIS = 15_000;
  private static final AttachmentKey<Subscriber> SUBSCRIBER = AttachmentKey.create(Subscriber.class);
  private static final HttpString TICKET = new HttpString("X-Stowaway-Subscriber-Ticket");
  /** Tickets between authentication and the stream's start; one whose client went away in between expires. */
  private final Map<String, Subscriber> pending = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
      .expireAfterWrite(java.time.Duration.ofMinutes(1)).<String, Subscriber>build().asMap();

  private static final System.Logger LOG = System.getLogger(ChangeStream.class.getName());
  private final ObjectMapper json = new ObjectMapper();
  /** The audit trail's name for opening the feed: a Stowaway extension, signed as secretsmanager. */
  public static final String AUDIT_EVENT_NAME = "SubscribeToChangeFeed";
  /** The audit trail's name for a stream the sidecar ended because its credential no longer holds. */
  public static final String CLOSED_AUDIT_EVENT_NAME = "ChangeFeedSubscriptionClosed";
  private final AuditTrail audit;
  private final Clock clock;
  private final SigV4Verifier verifier;
  private final Vault vault;
  private final ChangeFeed feed;
  private final String epoch;
  private final ServerSentEventHandler sse;

  private final TokenAuthentication tokens;
  /** Rechecks every open stream's credential, so a revoked one does not linger while nothing changes. */
  private final ScheduledExecutorService rechecks = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "stowaway-change-feed-rechecks");
    t.setDaemon(true);
    return t;
  });

  public ChangeStream(SigV4Verifier verifier, TokenAuthentication tokens, Vault vault, SecureRandom random,
      AuditTrail audit, Clock clock) {
    this.tokens = tokens;
    this.audit = audit;
    this.clock = clock;
    this.verifier = verifier;
    this.vault = vault;
    this.feed = vault.changes();
    byte[] e = new byte[4];
    random.nextBytes(e);
    this.epoch = HexFormat.of().formatHex(e);
    this.sse = new ServerSentEventHandler(this::connected);
    feed.subscribe(this::broadcast);
    rechecks.scheduleWithFixedDelay(this::recheckCredentials, KEEP_ALIVE_MILLIS, KEEP_ALIVE_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (exchange.isInIoThread()) {
      exchange.dispatch(this); // verification reads the store: not on an IO thread
      return;
    }
    String sourceIp = exchange.getSourceAddress().getAddress().getHostAddress();
    ApiCall call = new ApiCall(UUID.randomUUID().toString(), clock.instant(), sourceIp,
        exchange.getRequestHeaders().getFirst(Headers.USER_AGENT),
        ApiCall.claimedAccessKeyId(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION)))
        .operation("secretsmanager.amazonaws.com", AUDIT_EVENT_NAME);
    Subscriber subscriber;
    try {
      audit.checkWritable();
      subscriber = authenticate(signedRequest(exchange), sourceIp);
      call.caller(subscriber.caller());
      audit.record(call);
    } catch (AwsError e) {
      call.error(e.type(), e.getMessage());
      try {
        audit.record(call);
        refuse(exchange, e.status(), e.type(), e.getMessage());
      } catch (AuditUnavailableException unavailable) {
        refuse(exchange, 503, "ServiceUnavailableException", "The request cannot be recorded in the audit log.");
      }
      return;
    } catch (AuditUnavailableException e) {
      refuse(exchange, 503, "ServiceUnavailableException", "The request cannot be recorded in the audit log.");
      return;
    }
    // The SSE connection does not share the exchange's attachments: hand the caller over by a one-time ticket.
    String ticket = UUID.randomUUID().toString();
    pending.put(ticket, subscriber);
    exchange.getRequestHeaders().put(TICKET, ticket);
    sse.handleRequest(exchange);
  }

  /** Who opens the stream, and how to recheck the credential it opened with. */
  private Subscriber authenticate(SignedRequest request, String sourceIp) {
    if (TokenAuthentication.usesToken(request::header)) {
      TokenAuthentication.Authenticated by = tokens.authenticate(request::header, sourceIp);
      return new Subscriber(by.caller(), by.token().id(), () -> tokens.whyUnusable(by.token()));
    }
    Caller caller = vault.identity().callerFor(verifier.verify(request, "secretsmanager"), sourceIp, false);
    String keyId = caller.accessKeyId();
    return new Subscriber(caller, keyId, () -> vault.accessKeys().whyUnusable(keyId));
  }

  private void refuse(HttpServerExchange exchange, int status, String type, String message) throws JsonProcessingException {
    ObjectNode body = json.createObjectNode().put("__type", type).put("Message", message);
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/x-amz-json-1.1");
    exchange.getResponseSender().send(json.writeValueAsString(body));
  }

  private void connected(ServerSentEventConnection connection, String lastEventId) {
    connection.setKeepAliveTime(KEEP_ALIVE_MILLIS);
    String ticket = connection.getRequestHeaders().getFirst(TICKET);
    Subscriber subscriber = ticket == null ? null : pending.remove(ticket);
    if (subscriber == null) {
      connection.shutdown(); // not one we authenticated
      return;
    }
    connection.putAttachment(SUBSCRIBER, subscriber);
    long after = sequenceOf(lastEventId);
    if (after < 0) {
      // A new subscriber, or one from another run of the sidecar: start from now, from scratch.
      connection.send("{}", "reset", epoch + ":" + feed.lastSequence(), null);
      return;
    }
    ChangeFeed.Replay replay = feed.since(after);
    if (!replay.complete()) {
      connection.send("{}", "reset", epoch + ":" + feed.lastSequence(), null);
      return;
    }
    replay.changes().forEach(c -> send(connection, c));
  }

  private void broadcast(SecretChange change) {
    for (ServerSentEventConnection c : sse.getConnections()) {
      send(c, change);
    }
  }

  /**
   * A subscriber hears only of secrets it may read, decided by the vault exactly as it decides a
   * GetSecretValue (tags, resource policy and all): names and ARNs of others are not its business.
   * And only while the credential it subscribed with holds: once it does not, the stream ends with
   * a last event that says why.
   */
  private boolean mayHear(ServerSentEventConnection connection, SecretChange change) {
    Subscriber subscriber = connection.getAttachment(SUBSCRIBER);
    if (subscriber == null || subscriber.isClosed() || endedFor(connection, subscriber)) {
      return false;
    }
    return vault.secrets().as(subscriber.caller()).mayRead(change.arn());
  }

  /**
   * Rechecks the credential of every open stream and ends those whose credential no longer holds.
   * Runs before each event and every {@value #KEEP_ALIVE_MILLIS} ms.
   */
  public void recheckCredentials() {
    for (ServerSentEventConnection c : new ArrayList<>(sse.getConnections())) {
      Subscriber subscriber = c.getAttachment(SUBSCRIBER);
      if (subscriber != null && !subscriber.isClosed()) {
        endedFor(c, subscriber);
      }
    }
  }

  /** Whether the subscriber's credential no longer holds; if so its stream is ended, once, saying why. */
  private boolean endedFor(ServerSentEventConnection connection, Subscriber subscriber) {
    Optional<String> reason = subscriber.endedBecause();
    if (reason.isEmpty()) {
      return false;
    }
    if (subscriber.close()) {
      connection.send(json.createObjectNode().put("reason", reason.get()).toString(), "closed", null, null);
      connection.shutdown(); // graceful: once the last event is out
      ObjectNode details = json.createObjectNode().put("reason", reason.get())
          .put("principal", subscriber.caller().arn());
      details.put(subscriber.caller().accessKeyId() != null ? "accessKeyId" : "agentTokenId",
          subscriber.credentialId());
      try {
        audit.serviceEvent("secretsmanager.amazonaws.com", CLOSED_AUDIT_EVENT_NAME, null, null, details);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot record the end of a change-feed stream: " + e);
      }
    }
    return true;
  }

  private void send(ServerSentEventConnection connection, SecretChange change) {
    if (!mayHear(connection, change)) {
      return;
    }
    ObjectNode data = json.createObjectNode()
        .put("arn", change.arn())
        .put("name", change.name())
        .put("operation", change.operation())
        .put("time", BigDecimal.valueOf(change.time().toEpochMilli(), 3));
    ObjectNode stages = data.putObject("versionIdsToStages");
    change.versionIdsToStages().forEach((id, labels) -> labels.forEach(stages.withArray(id)::add));
    try {
      connection.send(json.writeValueAsString(data), "change", epoch + ":" + change.sequence(), null);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The sequence in an id from this run of the sidecar, or -1. */
  private long sequenceOf(String lastEventId) {
    if (lastEventId == null || !lastEventId.startsWith(epoch + ":")) {
      return -1;
    }
    try {
      return Long.parseLong(lastEventId.substring(epoch.length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Ends every open stream, so a graceful shutdown is not held up by subscribers. */
  public void closeAll() {
    rechecks.shutdownNow();
    for (ServerSentEventConnection c : new ArrayList<>(sse.getConnections())) {
      c.shutdown();
    }
  }

  private static SignedRequest signedRequest(HttpServerExchange exchange) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HeaderValues values : exchange.getRequestHeaders()) {
      headers.put(values.getHeaderName().toString().toLowerCase(Locale.ROOT), new ArrayList<>(values));
    }
    return new SignedRequest(exchange.getRequestMethod().toString(), exchange.getRequestURI(),
        exchange.getQueryString(), headers, new byte[0]);
  }

}
