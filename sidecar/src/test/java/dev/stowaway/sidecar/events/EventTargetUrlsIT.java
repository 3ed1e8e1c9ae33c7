package dev.stowaway.sidecar.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;

/** Webhook targets call only URLs the operator's event-target-urls allow, at PutTargets and at delivery. */
class EventTargetUrlsIT {

  private static final String SECRET_CALLS = "{\"source\":[\"aws.secretsmanager\"]}";

  @TempDir Path dataDir;
  private RunningSidecar sidecar;
  private EventBridgeClient events;
  private HttpServer receiver;

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.stop(0);
    }
    close();
  }

  private void close() {
    if (events != null) {
      events.close();
    }
    if (sidecar != null) {
      sidecar.close();
    }
  }

  private void start(String... settings) {
    sidecar = RunningSidecar.with(dataDir, settings);
    events = EventBridgeClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
  }

  @Test
  void aWebhookOffTheListIsRefusedAtPutTargets() {
    start();
    events.putRule(r -> r.name("exfiltrate").eventPattern(SECRET_CALLS));
    EventBridgeException refused = assertThrows(EventBridgeException.class, () -> events.putTargets(r -> r
        .rule("exfiltrate").targets(t -> t.id("out").arn("https://collector.example.net/x"))));
    assertEquals(400, refused.statusCode());
    assertEquals("ValidationException", refused.awsErrorDetails().errorCode());
    assertEquals("Target out: https://collector.example.net/x is not in event-target-urls (*://127.0.0.1:*,"
        + "*://localhost:*,*://[::1]:*); an operator allows it with --event-target-urls or "
        + "STOWAWAY_EVENT_TARGET_URLS", refused.awsErrorDetails().errorMessage());
    assertEquals(0, events.listTargetsByRule(r -> r.rule("exfiltrate")).targets().size());
  }

  @Test
  void aWebhookTheOperatorListedIsAccepted() {
    start("--event-target-urls", "https://hooks.example.com/services/*");
    events.putRule(r -> r.name("page").eventPattern(SECRET_CALLS));
    events.putTargets(r -> r.rule("page").targets(t -> t.id("slack").arn("https://hooks.example.com/services/T1/B2")));
    assertEquals("https://hooks.example.com/services/T1/B2",
        events.listTargetsByRule(r -> r.rule("page")).targets().get(0).arn());
    assertThrows(EventBridgeException.class, () -> events.putTargets(r -> r.rule("page")
        .targets(t -> t.id("other").arn("https://hooks.example.com/other"))), "another path on the same host is not");
  }

  @Test
  void aTargetPutBeforeTheListWasNarrowedIsNotCalled() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      calls.incrementAndGet();
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    start();
    events.putRule(r -> r.name("page").eventPattern(SECRET_CALLS));
    events.putTargets(r -> r.rule("page").targets(t -> t.id("hook")
        .arn("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")));
    close();

    start("--event-target-urls", "https://hooks.example.com/*");
    try (var sm = sidecar.client()) {
      sm.createSecret(r -> r.name("app/db").secretString("v1"));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (sidecar.sidecar().events().outcomes().getOrDefault("webhook,refused", 0L) < 1) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no refused delivery counted: " + sidecar.sidecar().events().outcomes());
      }
      Thread.onSpinWait();
    }
    assertEquals(0, calls.get(), "the receiver was never called");
  }
}
