package dev.stowaway.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RawHttp;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import dev.stowaway.sidecar.testing.SlowClients;
import dev.stowaway.sidecar.testing.SseReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * Slowloris against the sidecar (issue 17, finding 4): hundreds of connections that start a request
 * and then trickle a byte a second. No request may wait behind them: a signed GetSecretValue and
 * {@code /healthz} each answer within 500 ms, measured one by one; the slow connections are closed at
 * the request-read deadline however steadily they trickle; and past the connection caps a new
 * connection gets a 503 at once. Attackers connect from 127.0.0.2, so that the test can show an
 * address at its cap while another (127.0.0.1) is still served.
 */
class SlowClientsIT {

  private static final Duration BOUND = Duration.ofMillis(500);
  private static final String API_CONNECTIONS = "stowaway_http_connections{listener=\"api\"}";
  private static final Duration TRICKLE = Duration.ofSeconds(1);
  private static final String SLOW_HEADERS = "POST / HTTP/1.1\r\nHost: sidecar\r\nX-Amz-Target: secretsmanager.Get";
  private static final String SLOW_BODY = "POST / HTTP/1.1\r\nHost: sidecar\r\nX-Amz-Target: secretsmanager.GetSecretValue"
      + "\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100000\r\n\r\n{";

  @TempDir Path dataDir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private RunningSidecar sidecar;
  private long slowest;
  private SecretsManagerClient client;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    client.close();
    sidecar.close();
  }

  @Test
  void fourHundredSlowConnectionsDelayNoAnswerAndAreClosedAtTheDeadline() throws Exception {
    // Caps high enough to let every attacker in: what must save the server is that nobody waits for them.
    start(Map.of("STOWAWAY_MAX_CONNECTIONS", "2000", "STOWAWAY_MAX_CONNECTIONS_PER_ADDRESS", "1000",
        "STOWAWAY_REQUEST_READ_TIMEOUT_SECONDS", "10"));
    warmUp();
    SlowClients bodies = attack(200, SLOW_BODY);
    SlowClients headers = attack(200, SLOW_HEADERS);
    awaitMetric(API_CONNECTIONS, n -> n >= 400, Duration.ofSeconds(10)); // and the client's keep-alive one
    assertEquals(200, metric("stowaway_http_requests_reading"), "every slow body is being read, none on a worker");

    List<String> slow = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      assertAnswersWithinBound(slow);
    }
    assertEquals(List.of(), slow, "answers slower than " + BOUND.toMillis() + " ms beside 400 slow connections");
    System.out.printf("slow clients: the slowest of 20 answers beside 400 slow connections took %.1f ms%n",
        slowest / 1e6);
    assertEquals(400, bodies.stillOpen() + headers.stillOpen(), "every attacker was let in and is still trickling");

    assertTrue(bodies.awaitAllClosed(Duration.ofSeconds(20)), bodies.stillOpen() + " slow bodies still open");
    assertTrue(headers.awaitAllClosed(Duration.ofSeconds(20)), headers.stillOpen() + " slow headers still open");
    for (SlowClients.Connection c : bodies.connections()) {
      assertLivedUntilTheDeadline(c, "a slow body");
      assertTrue(c.answer().startsWith("HTTP/1.1 408 "), c.answer());
      assertTrue(c.answer().endsWith("{\"__type\":\"RequestTimeoutException\",\"Message\":\"The request body did not "
          + "arrive within 10 seconds of its headers.\"}"), c.answer());
    }
    for (SlowClients.Connection c : headers.connections()) {
      assertLivedUntilTheDeadline(c, "a slow header");
      assertEquals("", c.answer(), "a request that never finished its headers gets no answer, only a close");
    }
    assertEquals(200, metric("stowaway_http_requests_timed_out_total"));
    assertEquals(0, metric("stowaway_http_requests_reading"));
    assertAnswersWithinBound(slow);
    assertEquals(List.of(), slow);
  }

  @Test
  void anAddressAtItsCapIsAnswered503WhileAnotherAddressIsServed() throws Exception {
    start(Map.of("STOWAWAY_MAX_CONNECTIONS_PER_ADDRESS", "50"));
    warmUp();
    SlowClients attackers = attack(60, SLOW_BODY);
    assertTrue(attackers.awaitAnswered(10, Duration.ofSeconds(10)), "the connections past the cap were not answered");
    List<String> refused = attackers.connections().stream().map(SlowClients.Connection::answer)
        .filter(a -> !a.isEmpty()).toList();
    assertEquals(10, refused.size(), refused.toString());
    for (String answer : refused) {
      assertTrue(answer.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), answer);
      assertTrue(answer.endsWith("\r\n\r\n{\"__type\":\"ServiceUnavailable\",\"Message\":\"This address holds as many "
          + "connections as one address may (max-connections-per-address 50); close some or retry later.\"}"), answer);
    }
    assertEquals(10, metric("stowaway_http_connections_refused_total{listener=\"api\",limit=\"per-address\"}"));

    List<String> slow = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      assertAnswersWithinBound(slow); // from 127.0.0.1, which holds none of the attackers' connections
    }
    assertEquals(List.of(), slow);
  }

  @Test
  void aFullServerAnswers503ToTheNextConnectionButItsProbePortStillAnswers() throws Exception {
    start(Map.of("STOWAWAY_MAX_CONNECTIONS", "30", "STOWAWAY_MAX_CONNECTIONS_PER_ADDRESS", "30"));
    warmUp();
    client.close();
    awaitMetric(API_CONNECTIONS, n -> n == 0, Duration.ofSeconds(10)); // the warm-up's keep-alive connections
    SlowClients attackers = attack(30, SLOW_BODY);
    awaitMetric(API_CONNECTIONS, n -> n == 30, Duration.ofSeconds(10));

    client = client();
    SecretsManagerException refused = org.junit.jupiter.api.Assertions.assertThrows(SecretsManagerException.class,
        () -> client.getSecretValue(r -> r.secretId("app/db")));
    assertEquals(503, refused.statusCode());
    assertEquals("ServiceUnavailable", refused.awsErrorDetails().errorCode());
    assertEquals("The server holds as many connections as it allows (max-connections 30); retry later.",
        refused.awsErrorDetails().errorMessage());
    long started = System.nanoTime();
    assertEquals(200, RawHttp.send(probes(), "GET /healthz HTTP/1.1", List.of("Host: probe"), new byte[0], 5_000)
        .status(), "the probe port takes its connections through a gate of its own");
    assertTrue(System.nanoTime() - started < BOUND.toNanos());

    attackers.close();
    open.remove(attackers);
    awaitMetric(API_CONNECTIONS, n -> n == 0, Duration.ofSeconds(10));
    assertEquals("{\"password\":\"s3cr3t\"}", client.getSecretValue(r -> r.secretId("app/db")).secretString());
  }

  @Test
  void theDefaultCapsTakeFourSdkPoolsAndTheirChangeFeedsFromOneAddress() throws Exception {
    start(Map.of());
    String[] admin = sidecar.adminKey();
    for (int i = 0; i < 40; i++) {
      SseReader feed = new SseReader(sidecar.endpoint(), admin[0], admin[1], null);
      open.add(feed);
      assertEquals(200, feed.status(), feed.errorBody());
      assertEquals("reset", feed.next().event());
    }
    byte[] body = "{\"SecretId\":\"app/db\"}".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 200; i++) { // four pools of 50, the AWS SDK's default size, every connection kept alive
      Socket pooled = new Socket(sidecar.endpoint().getHost(), sidecar.endpoint().getPort());
      open.add(pooled);
      Map<String, List<String>> headers = SignedHttp.sign("POST", sidecar.endpoint().resolve("/"),
          Map.of("Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", "secretsmanager.GetSecretValue",
              "Content-Length", String.valueOf(body.length)), body, admin[0], admin[1], "us-east-1", "secretsmanager",
          Clock.systemUTC());
      pooled.getOutputStream().write(("POST / HTTP/1.1\r\n" + String.join("\r\n", RawHttp.lines(headers)) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      pooled.getOutputStream().write(body);
      pooled.setSoTimeout(5_000);
      String head = new String(pooled.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 200", head, "pooled connection " + i);
    }
    awaitMetric(API_CONNECTIONS, n -> n >= 240, Duration.ofSeconds(10));
    assertEquals(0, metric("stowaway_http_connections_refused_total{listener=\"api\",limit=\"per-address\"}"));
    assertEquals("{\"password\":\"s3cr3t\"}", client.getSecretValue(r -> r.secretId("app/db")).secretString());
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private void start(Map<String, String> settings) {
    Map<String, String> env = new HashMap<>(settings);
    env.put("STOWAWAY_PROBE_PORT", "0");
    env.put("STOWAWAY_PROBE_BIND", "127.0.0.1");
    sidecar = RunningSidecar.on(dataDir, env);
    client = client();
    client.createSecret(r -> r.name("app/db").secretString("{\"password\":\"s3cr3t\"}"));
  }

  /** No retries, and a timeout that turns a request stuck behind the attack into a failure rather than a hang. */
  private SecretsManagerClient client() {
    return SecretsManagerClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(sidecar.adminCredentials())
        .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(5)).build())
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  /** The first requests load classes and compile code; the bound is for a running sidecar. */
  private void warmUp() throws Exception {
    for (int i = 0; i < 30; i++) {
      client.getSecretValue(r -> r.secretId("app/db"));
      RawHttp.send(sidecar.endpoint(), "GET /healthz HTTP/1.1", List.of("Host: sidecar"), new byte[0], 5_000);
    }
  }

  private SlowClients attack(int count, String start) throws Exception {
    URI endpoint = sidecar.endpoint();
    SlowClients clients = SlowClients.open(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()),
        InetAddress.getByName("127.0.0.2"), count, start, TRICKLE);
    open.add(clients);
    return clients;
  }

  /** One signed GetSecretValue and one /healthz on a new connection, each timed on its own. */
  private void assertAnswersWithinBound(List<String> slow) throws Exception {
    long started = System.nanoTime();
    assertEquals("{\"password\":\"s3cr3t\"}", client.getSecretValue(r -> r.secretId("app/db")).secretString());
    long took = System.nanoTime() - started;
    if (took > BOUND.toNanos()) {
      slow.add("GetSecretValue " + took / 1_000_000 + " ms");
    }
    slowest = Math.max(slowest, took);
    started = System.nanoTime();
    RawHttp.Answer health = RawHttp.send(sidecar.endpoint(), "GET /healthz HTTP/1.1", List.of("Host: sidecar"),
        new byte[0], 5_000);
    took = System.nanoTime() - started;
    assertEquals(200, health.status(), health.toString());
    assertEquals("ok\n", health.body());
    if (took > BOUND.toNanos()) {
      slow.add("/healthz " + took / 1_000_000 + " ms");
    }
    slowest = Math.max(slowest, took);
  }

  /** Closed by the 10 s deadline: not before it, although it trickled, and not long after. */
  private static void assertLivedUntilTheDeadline(SlowClients.Connection c, String what) {
    assertTrue(c.lived().compareTo(Duration.ofSeconds(9)) > 0 && c.lived().compareTo(Duration.ofSeconds(15)) < 0,
        what + " lived " + c.lived());
  }

  private URI probes() {
    return URI.create("http://127.0.0.1:" + sidecar.sidecar().probePort());
  }

  private long metric(String series) throws Exception {
    RawHttp.Answer answer = RawHttp.send(probes(), "GET /metrics HTTP/1.1", List.of("Host: probe"), new byte[0], 5_000);
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(answer.body());
    assertTrue(m.find(), series + " is missing from\n" + answer.body());
    return (long) Double.parseDouble(m.group(1));
  }

  private void awaitMetric(String series, java.util.function.LongPredicate wanted, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    long now = metric(series);
    while (!wanted.test(now) && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling a condition with a deadline
      now = metric(series);
    }
    assertTrue(wanted.test(now), series + " is " + now);
  }
}
