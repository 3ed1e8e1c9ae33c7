package dev.stowaway.sidecar.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.stowaway.sidecar.Sidecar;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.vault.testing.MutableClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.DescribeRuleResponse;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.PutTargetsResponse;
import software.amazon.awssdk.services.eventbridge.model.RemoveTargetsResponse;
import software.amazon.awssdk.services.eventbridge.model.RuleState;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** EventBridge rules through the real SDK, and deliveries to real receivers. */
class EventRulesIT {

  private static final String DEPRECATED_READ = "{\"source\":[\"aws.secretsmanager\"],"
      + "\"detail-type\":[\"AWS API Call via CloudTrail\"],"
      + "\"detail\":{\"eventName\":[\"GetSecretValue\"],\"additionalEventData\":{\"deprecatedVersion\":[true]}}}";
  private static final String SECRET_WRITES = "{\"source\":[\"aws.secretsmanager\"],"
      + "\"detail\":{\"eventName\":[{\"prefix\":\"Put\"}, \"GetSecretValue\"]}}";

  @TempDir Path dataDir;
  private RunningSidecar sidecar;
  private EventBridgeClient events;
  private SecretsManagerClient secrets;
  private final ObjectMapper json = new ObjectMapper();
  private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  private HttpServer receiver;

  @BeforeEach
  void start() {
    startSidecar(Clock.systemUTC());
  }

  private void startSidecar(Clock clock) {
    sidecar = RunningSidecar.in(dataDir, clock, Sidecar.Tuning.defaults().withSweepInterval(Duration.ofHours(1))
        .withEvents(EventDispatcher.Settings.defaults().withFirstRetry(Duration.ofMillis(50))));
    events = EventBridgeClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
    secrets = sidecar.client();
  }

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.stop(0);
    }
    events.close();
    secrets.close();
    sidecar.close();
  }

  /** A webhook receiver on a free port (or on {@code port}, to come back where it was). */
  private String receive(int port) throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    receiver.createContext("/hook", exchange -> {
      received.add(json.readTree(exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
  }

  private JsonNode nextDelivery() throws InterruptedException {
    JsonNode event = received.poll(30, TimeUnit.SECONDS);
    assertNotNull(event, "no delivery arrived");
    return event;
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.onSpinWait();
    }
  }

  private void rule(String name, String pattern, RuleState state, String targetArn) {
    events.putRule(r -> r.name(name).eventPattern(pattern).state(state));
    events.putTargets(r -> r.rule(name).targets(Target.builder().id("t1").arn(targetArn).build()));
  }

  @Test
  void aRuleIsStoredAndDescribedAsEventBridgeDoes() {
    String arn = events.putRule(r -> r.name("deprecated-reads").eventPattern(DEPRECATED_READ)
        .state(RuleState.ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).description("page on stale reads")).ruleArn();
    assertEquals("arn:aws:events:us-east-1:123456789012:rule/deprecated-reads", arn);
    sidecar.restart();
    events.close();
    events = EventBridgeClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
    DescribeRuleResponse rule = events.describeRule(r -> r.name("deprecated-reads"));
    assertEquals(arn, rule.arn());
    assertEquals(DEPRECATED_READ, rule.eventPattern());
    assertEquals(RuleState.ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, rule.state());
    assertEquals("page on stale reads", rule.description());
    assertEquals("default", rule.eventBusName());
    events.putRule(r -> r.name("other").eventPattern("{\"source\":[\"aws.iam\"]}"));
    assertEquals(List.of("deprecated-reads"), events.listRules(r -> r.namePrefix("dep")).rules().stream()
        .map(x -> x.name()).toList());
    var firstPage = events.listRules(r -> r.limit(1));
    assertEquals(1, firstPage.rules().size());
    assertEquals("other", events.listRules(r -> r.limit(1).nextToken(firstPage.nextToken())).rules().get(0).name());
  }

  @Test
  void badRulesAndTargetsGetEventBridgeErrors() {
    EventBridgeException pattern = assertThrows(EventBridgeException.class,
        () -> events.putRule(r -> r.name("bad").eventPattern("{\"source\":\"aws.secretsmanager\"}")));
    assertEquals("InvalidEventPatternException", pattern.awsErrorDetails().errorCode());
    assertTrue(pattern.awsErrorDetails().errorMessage().startsWith("Event pattern is not valid. Reason: "),
        pattern.awsErrorDetails().errorMessage());
    EventBridgeException missing = assertThrows(EventBridgeException.class, () -> events.describeRule(r -> r.name("nope")));
    assertEquals("ResourceNotFoundException", missing.awsErrorDetails().errorCode());
    assertEquals("Rule nope does not exist on EventBus default.", missing.awsErrorDetails().errorMessage());
    events.putRule(r -> r.name("r").eventPattern("{\"source\":[\"aws.secretsmanager\"]}"));
    EventBridgeException arn = assertThrows(EventBridgeException.class, () -> events.putTargets(r -> r.rule("r")
        .targets(Target.builder().id("t").arn("file:../../etc/passwd").build())));
    assertEquals("ValidationException", arn.awsErrorDetails().errorCode());
    for (int i = 0; i < 5; i++) {
      String id = "t" + i;
      events.putTargets(r -> r.rule("r").targets(Target.builder().id(id).arn("file:alerts.jsonl").build()));
    }
    EventBridgeException sixth = assertThrows(EventBridgeException.class, () -> events.putTargets(r -> r.rule("r")
        .targets(Target.builder().id("t5").arn("file:alerts.jsonl").build())));
    assertEquals("LimitExceededException", sixth.awsErrorDetails().errorCode());
    EventBridgeException hasTargets = assertThrows(EventBridgeException.class, () -> events.deleteRule(r -> r.name("r")));
    assertEquals("ValidationException", hasTargets.awsErrorDetails().errorCode());
    assertEquals("Rule can't be deleted since it has targets.", hasTargets.awsErrorDetails().errorMessage());
    RemoveTargetsResponse removed = events.removeTargets(r -> r.rule("r").ids("t0", "t1", "t2", "t3", "t4", "zz"));
    assertEquals(1, removed.failedEntryCount());
    assertEquals("zz", removed.failedEntries().get(0).targetId());
    events.deleteRule(r -> r.name("r"));
    assertThrows(EventBridgeException.class, () -> events.describeRule(r -> r.name("r")));
  }

  @Test
  void managingRulesNeedsEventsPermissions() {
    try (IamClient iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
      iam.createUser(r -> r.userName("dev"));
      AccessKey key = iam.createAccessKey(r -> r.userName("dev")).accessKey();
      try (EventBridgeClient dev = EventBridgeClient.builder().endpointOverride(sidecar.endpoint())
          .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create()).credentialsProvider(
              StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())))
          .build()) {
        EventBridgeException denied = assertThrows(EventBridgeException.class,
            () -> dev.putRule(r -> r.name("mine").eventPattern("{\"source\":[\"aws.iam\"]}")));
        assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
        assertEquals("User: arn:aws:iam::123456789012:user/dev is not authorized to perform: events:PutRule on "
            + "resource: arn:aws:events:us-east-1:123456789012:rule/mine because no identity-based policy allows the "
            + "events:PutRule action", denied.awsErrorDetails().errorMessage());
      }
    }
  }

  @Test
  void aWebhookIsPagedWhenADeprecatedVersionIsRead() throws Exception {
    String url = receive(0);
    rule("deprecated-reads", DEPRECATED_READ, RuleState.ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, url);
    String first = secrets.createSecret(r -> r.name("prod/db").secretString("one")).versionId();
    secrets.putSecretValue(r -> r.secretId("prod/db").secretString("two"));
    secrets.putSecretValue(r -> r.secretId("prod/db").secretString("three"));
    secrets.getSecretValue(r -> r.secretId("prod/db"));
    secrets.getSecretValue(r -> r.secretId("prod/db").versionId(first));

    JsonNode event = nextDelivery();
    assertEquals("AWS API Call via CloudTrail", event.path("detail-type").asText());
    assertEquals("aws.secretsmanager", event.path("source").asText());
    assertEquals("123456789012", event.path("account").asText());
    assertEquals("GetSecretValue", event.path("detail").path("eventName").asText());
    assertEquals(first, event.path("detail").path("requestParameters").path("versionId").asText());
    assertEquals("admin", event.path("detail").path("userIdentity").path("userName").asText());
    assertNull(received.poll(200, TimeUnit.MILLISECONDS), "the read of the current version matched no rule");
  }

  @Test
  void readOnlyCallsReachOnlyRulesThatAskForAllManagementEvents() throws Exception {
    String url = receive(0);
    rule("writes", SECRET_WRITES, RuleState.ENABLED, url);
    secrets.createSecret(r -> r.name("prod/db").secretString("one"));
    secrets.getSecretValue(r -> r.secretId("prod/db"));
    secrets.putSecretValue(r -> r.secretId("prod/db").secretString("two"));
    assertEquals("PutSecretValue", nextDelivery().path("detail").path("eventName").asText(),
        "the GetSecretValue before it went to no ENABLED rule");
  }

  @Test
  void aWebhookThatWasDownGetsTheEventOnRetry() throws Exception {
    String url = receive(0);
    int port = receiver.getAddress().getPort();
    receiver.stop(0);
    receiver = null;
    rule("writes", SECRET_WRITES, RuleState.ENABLED, url);
    secrets.createSecret(r -> r.name("prod/db").secretString("one"));
    secrets.putSecretValue(r -> r.secretId("prod/db").secretString("two"));
    EventDispatcher dispatcher = sidecar.sidecar().events();
    await(() -> dispatcher.outcomes().getOrDefault("webhook,failed", 0L) >= 1, "a failed delivery");

    receive(port);
    JsonNode event = nextDelivery();
    assertEquals("PutSecretValue", event.path("detail").path("eventName").asText());
    await(() -> dispatcher.outcomes().getOrDefault("webhook,delivered", 0L) == 1, "the delivery to be counted");
  }

  @Test
  void aFileTargetAppendsOneLinePerEvent() throws Exception {
    rule("writes", SECRET_WRITES, RuleState.ENABLED, "file:alerts.jsonl");
    secrets.createSecret(r -> r.name("prod/db").secretString("one"));
    secrets.putSecretValue(r -> r.secretId("prod/db").secretString("two"));
    secrets.putSecretValue(r -> r.secretId("prod/db").secretString("three"));
    Path file = dataDir.resolve("events").resolve("alerts.jsonl");
    EventDispatcher dispatcher = sidecar.sidecar().events();
    await(() -> dispatcher.outcomes().getOrDefault("file,delivered", 0L) == 2, "two file deliveries");
    List<String> lines = Files.readAllLines(file);
    assertEquals(2, lines.size());
    assertEquals("PutSecretValue", json.readTree(lines.get(0)).path("detail").path("eventName").asText());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String metrics = sidecar.sidecar().metrics().render();
    assertTrue(metrics.contains("\nstowaway_event_deliveries_total{target=\"file\",outcome=\"delivered\"} 2\n"), metrics);
  }

  @Test
  void aCommandTargetGetsTheEventOnItsStandardInput() throws Exception {
    Path hooks = Files.createDirectories(dataDir.resolve("hooks"));
    Path out = dataDir.resolve("paged.json");
    Path script = hooks.resolve("page-oncall");
    Files.writeString(script, "#!/bin/sh\ncat > " + out + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    rule("writes", SECRET_WRITES, RuleState.ENABLED, "command:page-oncall");
    secrets.createSecret(r -> r.name("prod/db").secretString("one"));
    secrets.putSecretValue(r -> r.secretId("prod/db").secretString("two"));
    EventDispatcher dispatcher = sidecar.sidecar().events();
    await(() -> dispatcher.outcomes().getOrDefault("command,delivered", 0L) == 1, "the command to run");
    assertEquals("PutSecretValue", json.readTree(Files.readString(out)).path("detail").path("eventName").asText());
  }

  @Test
  void serviceEventsReachRulesForThem() throws Exception {
    stop();
    MutableClock clock = new MutableClock(Instant.now());
    startSidecar(clock);
    String url = receive(0);
    rule("purges", "{\"detail-type\":[\"AWS Service Event via CloudTrail\"],"
        + "\"detail\":{\"eventName\":[\"EndSecretVersionDelete\"]}}", RuleState.ENABLED, url);
    secrets.createSecret(r -> r.name("old/db").secretString("x"));
    secrets.deleteSecret(r -> r.secretId("old/db").recoveryWindowInDays(7L));
    clock.advance(Duration.ofDays(8));
    sidecar.sidecar().sweepDeletions();
    JsonNode event = nextDelivery();
    assertEquals("EndSecretVersionDelete", event.path("detail").path("eventName").asText());
    assertEquals("AwsServiceEvent", event.path("detail").path("eventType").asText());
  }

  @Test
  void aConstantInputReplacesTheEvent() throws Exception {
    String url = receive(0);
    events.putRule(r -> r.name("writes").eventPattern(SECRET_WRITES));
    PutTargetsResponse put = events.putTargets(r -> r.rule("writes").targets(Target.builder().id("page").arn(url)
        .input("{\"severity\":\"high\"}").build()));
    assertEquals(0, put.failedEntryCount());
    secrets.createSecret(r -> r.name("prod/db").secretString("one"));
    secrets.putSecretValue(r -> r.secretId("prod/db").secretString("two"));
    assertEquals("{\"severity\":\"high\"}", nextDelivery().toString());
    assertEquals(List.of("page"), events.listTargetsByRule(r -> r.rule("writes")).targets().stream()
        .map(Target::id).toList());
  }
}
