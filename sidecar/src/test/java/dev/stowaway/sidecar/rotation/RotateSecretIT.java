package dev.stowaway.sidecar.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.stowaway.sidecar.Sidecar;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.vault.testing.MutableClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/** RotateSecret and CancelRotateSecret through the SDK, with the rotators that need no database. */
class RotateSecretIT {

  static final String ACCOUNT_PREFIX = "arn:aws:lambda:us-east-1:123456789012:function:";
  private static final String RANDOM = ACCOUNT_PREFIX + "stowaway-random-password";

  @TempDir Path dataDir;
  private final MutableClock clock = new MutableClock(Instant.now());
  private final ObjectMapper json = new ObjectMapper();
  private RunningSidecar sidecar;
  private SecretsManagerClient sm;
  private HttpServer receiver;

  @BeforeEach
  void start() {
    sidecar = RunningSidecar.in(dataDir, clock, Sidecar.Tuning.defaults().withSweepInterval(Duration.ofHours(1))
        .withRotationTick(Duration.ofHours(1)));
    sm = sidecar.client();
  }

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.stop(0);
    }
    sm.close();
    sidecar.close();
  }

  private void awaitRotations() {
    sidecar.sidecar().rotations().awaitIdle();
  }

  private String current(String id) {
    return sm.getSecretValue(r -> r.secretId(id)).secretString();
  }

  private String stage(String id, String stage) {
    return sm.getSecretValue(r -> r.secretId(id).versionStage(stage)).secretString();
  }

  /** Read in the sidecar's JVM: once the fake clock has moved on, the SDK's real-time signatures would be refused. */
  private String currentInProcess(String id) {
    return sidecar.sidecar().vault().secrets().getValue(id, null, null).value().asString();
  }

  private JsonNode lastServiceEvent() {
    List<JsonNode> records = AuditRecords.in(dataDir).stream()
        .filter(r -> r.path("eventType").asText().equals("AwsServiceEvent")).toList();
    return records.get(records.size() - 1);
  }

  private List<String> serviceEvents() {
    return AuditRecords.in(dataDir).stream().filter(r -> r.path("eventType").asText().equals("AwsServiceEvent"))
        .map(r -> r.path("eventName").asText()).toList();
  }

  @Test
  void aRandomPasswordRotationMovesCurrentAndPreviousAndIsShownAsAwsDoes() throws Exception {
    sm.createSecret(r -> r.name("app/db").secretString("{\"username\":\"app\",\"password\":\"first\"}"));
    String versionId = sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(RANDOM)
        .rotationRules(rr -> rr.automaticallyAfterDays(30L))).versionId();
    awaitRotations();

    JsonNode now = json.readTree(current("app/db"));
    assertEquals("app", now.path("username").asText());
    assertNotEquals("first", now.path("password").asText());
    assertEquals(32, now.path("password").asText().length());
    assertEquals("{\"username\":\"app\",\"password\":\"first\"}", stage("app/db", "AWSPREVIOUS"));
    assertEquals(versionId, sm.getSecretValue(r -> r.secretId("app/db")).versionId());
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("app/db"));
    assertTrue(described.rotationEnabled());
    assertEquals(RANDOM, described.rotationLambdaARN());
    assertEquals(30L, described.rotationRules().automaticallyAfterDays());
    assertEquals(clock.instant().plus(Duration.ofDays(30)).getEpochSecond(), described.nextRotationDate().getEpochSecond());
    assertEquals(clock.instant().getEpochSecond(), described.lastRotatedDate().getEpochSecond());
    assertEquals(List.of("AWSCURRENT"), described.versionIdsToStages().get(versionId));
    assertEquals(List.of("RotationStarted", "RotationSucceeded"), serviceEvents());
    assertTrue(sm.listSecrets().secretList().get(0).rotationEnabled());
  }

  @Test
  void rotateSecretRefusesWhatAwsRefuses() {
    sm.createSecret(r -> r.name("app/db").secretString("x"));
    SecretsManagerException none = assertThrows(SecretsManagerException.class, () -> sm.rotateSecret(r -> r
        .secretId("app/db").rotationRules(rr -> rr.automaticallyAfterDays(30L))));
    assertEquals("InvalidRequestException", none.awsErrorDetails().errorCode());
    assertEquals("No Lambda rotation function ARN is associated with this secret.", none.awsErrorDetails().errorMessage());
    SecretsManagerException unknown = assertThrows(SecretsManagerException.class, () -> sm.rotateSecret(r -> r
        .secretId("app/db").rotationLambdaARN(ACCOUNT_PREFIX + "my-lambda")));
    assertEquals("InvalidParameterException", unknown.awsErrorDetails().errorCode());
    SecretsManagerException days = assertThrows(SecretsManagerException.class, () -> sm.rotateSecret(r -> r
        .secretId("app/db").rotationLambdaARN(RANDOM).rotationRules(rr -> rr.automaticallyAfterDays(0L))));
    assertEquals("ValidationException", days.awsErrorDetails().errorCode());
    SecretsManagerException cron = assertThrows(SecretsManagerException.class, () -> sm.rotateSecret(r -> r
        .secretId("app/db").rotationLambdaARN(RANDOM).rotationRules(rr -> rr.scheduleExpression("cron(0 16 * * * *)"))));
    assertEquals("InvalidParameterException", cron.awsErrorDetails().errorCode());

    sm.putSecretValue(r -> r.secretId("app/db").secretString("half-done").versionStages("AWSPENDING"));
    SecretsManagerException busy = assertThrows(SecretsManagerException.class, () -> sm.rotateSecret(r -> r
        .secretId("app/db").rotationLambdaARN(RANDOM)));
    assertEquals("InvalidRequestException", busy.awsErrorDetails().errorCode());
    assertEquals("A previous rotation isn't complete. That rotation will be reattempted.",
        busy.awsErrorDetails().errorMessage());
  }

  @Test
  void aDailyScheduleRotatesWhenDueAndNotBefore() {
    sm.createSecret(r -> r.name("app/db").secretString("first"));
    sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(RANDOM).rotateImmediately(false)
        .rotationRules(rr -> rr.scheduleExpression("rate(1 day)").duration("2h")));
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("app/db"));
    assertEquals("rate(1 day)", described.rotationRules().scheduleExpression());
    assertEquals("2h", described.rotationRules().duration());
    assertNull(described.lastRotatedDate());
    sidecar.sidecar().rotations().runDue();
    assertEquals("first", current("app/db"), "not rotated at once");

    clock.advance(Duration.ofHours(23));
    sidecar.sidecar().rotations().runDue();
    assertEquals("first", currentInProcess("app/db"), "not due yet");

    clock.advance(Duration.ofHours(1));
    sidecar.sidecar().rotations().runDue();
    assertNotEquals("first", currentInProcess("app/db"));
    assertEquals(clock.instant().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
        sidecar.sidecar().vault().secrets().describe("app/db").rotation().nextRotationDate());
  }

  @Test
  void theScheduleSurvivesARestart() {
    sm.createSecret(r -> r.name("app/db").secretString("first"));
    sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(RANDOM).rotateImmediately(false)
        .rotationRules(rr -> rr.automaticallyAfterDays(1L)));
    sidecar.restart();
    sm.close();
    sm = sidecar.client();
    clock.advance(Duration.ofDays(1));
    sidecar.sidecar().rotations().runDue();
    assertNotEquals("first", currentInProcess("app/db"));
  }

  @Test
  void cancelRotateSecretTurnsTheScheduleOff() {
    sm.createSecret(r -> r.name("app/db").secretString("first"));
    sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(RANDOM).rotateImmediately(false)
        .rotationRules(rr -> rr.automaticallyAfterDays(1L)));
    assertEquals("app/db", sm.cancelRotateSecret(r -> r.secretId("app/db")).name());
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("app/db"));
    assertFalse(described.rotationEnabled());
    assertNull(described.nextRotationDate());
    assertEquals(RANDOM, described.rotationLambdaARN());
    clock.advance(Duration.ofDays(2));
    sidecar.sidecar().rotations().runDue();
    assertEquals("first", currentInProcess("app/db"));
  }

  /** A rotation Lambda's work done by a webhook: it puts the pending value and moves the label itself. */
  private List<String> lambdaLikeReceiver(CountDownLatch holdSetSecret, CountDownLatch release, int failOn)
      throws IOException {
    List<String> steps = new CopyOnWriteArrayList<>();
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/rotate", exchange -> {
      JsonNode event = json.readTree(exchange.getRequestBody().readAllBytes());
      String step = event.path("Step").asText();
      steps.add(step);
      String arn = event.path("SecretId").asText();
      String token = event.path("ClientRequestToken").asText();
      int status = 200;
      try (SecretsManagerClient lambda = sidecar.client()) {
        switch (step) {
          case "createSecret" -> lambda.putSecretValue(r -> r.secretId(arn).clientRequestToken(token)
              .secretString("from-the-webhook").versionStages("AWSPENDING"));
          case "setSecret" -> {
            holdSetSecret.countDown();
            release.await(30, TimeUnit.SECONDS);
          }
          case "finishSecret" -> {
            String currentId = lambda.describeSecret(r -> r.secretId(arn)).versionIdsToStages().entrySet().stream()
                .filter(e -> e.getValue().contains("AWSCURRENT")).findFirst().orElseThrow().getKey();
            lambda.updateSecretVersionStage(r -> r.secretId(arn).versionStage("AWSCURRENT").removeFromVersionId(currentId)
                .moveToVersionId(token));
          }
          default -> { }
        }
        if (steps.size() == failOn) {
          status = 500;
        }
      } catch (InterruptedException | RuntimeException e) {
        status = 500;
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    receiver.start();
    Files.createDirectories(dataDir.resolve("rotators"));
    Files.writeString(dataDir.resolve("rotators").resolve("lambda.url"),
        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/rotate\n");
    return steps;
  }

  @Test
  void aWebhookRotatorIsGivenTheFourStepsInOrder() throws Exception {
    CountDownLatch go = new CountDownLatch(0);
    List<String> steps = lambdaLikeReceiver(new CountDownLatch(1), go, -1);
    sm.createSecret(r -> r.name("app/db").secretString("first"));
    String token = sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(ACCOUNT_PREFIX + "stowaway-webhook-lambda"))
        .versionId();
    awaitRotations();
    assertEquals(List.of("createSecret", "setSecret", "testSecret", "finishSecret"), steps);
    assertEquals("from-the-webhook", current("app/db"));
    assertEquals(List.of("AWSCURRENT"), sm.describeSecret(r -> r.secretId("app/db")).versionIdsToStages().get(token),
        "AWSPENDING is taken off when the rotation completes");
  }

  @Test
  void aFailingStepLeavesCurrentAloneAndIsRecorded() throws Exception {
    lambdaLikeReceiver(new CountDownLatch(1), new CountDownLatch(0), 3); // testSecret answers 500
    try (var events = software.amazon.awssdk.services.eventbridge.EventBridgeClient.builder()
        .endpointOverride(sidecar.endpoint()).region(software.amazon.awssdk.regions.Region.US_EAST_1)
        .credentialsProvider(sidecar.adminCredentials())
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
      events.putRule(r -> r.name("rotation-failed").eventPattern("{\"source\":[\"aws.secretsmanager\"],"
          + "\"detail-type\":[\"AWS Service Event via CloudTrail\"],\"detail\":{\"eventName\":[\"RotationFailed\"]}}"));
      events.putTargets(r -> r.rule("rotation-failed").targets(t -> t.id("pager").arn("file:pager.jsonl")));
    }
    sm.createSecret(r -> r.name("app/db").secretString("first"));
    String token = sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(ACCOUNT_PREFIX + "stowaway-webhook-lambda")
        .rotationRules(rr -> rr.automaticallyAfterDays(30L))).versionId();
    awaitRotations();
    assertEquals("first", current("app/db"));
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("app/db"));
    assertNull(described.versionIdsToStages().get(token), "AWSPENDING was taken off the failed version");
    assertEquals(clock.instant().plus(Duration.ofHours(1)).getEpochSecond(), described.nextRotationDate().getEpochSecond(),
        "the next attempt waits an hour");
    assertEquals(List.of("RotationStarted", "RotationFailed"), serviceEvents());
    JsonNode failed = lastServiceEvent();
    assertEquals("testSecret: the rotation webhook http://127.0.0.1:" + receiver.getAddress().getPort()
        + "/rotate answered 500", failed.path("serviceEventDetails").path("reason").asText());
    // A rule pages someone about it.
    var dispatcher = sidecar.sidecar().events();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (dispatcher.outcomes().getOrDefault("file,delivered", 0L) < 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    JsonNode paged = json.readTree(Files.readAllLines(dataDir.resolve("events").resolve("pager.jsonl")).get(0));
    assertEquals("RotationFailed", paged.path("detail").path("eventName").asText());
    String metrics = sidecar.sidecar().metrics().render();
    assertTrue(metrics.contains("\nstowaway_rotations_total{outcome=\"failed\"} 1\n"), metrics);
  }

  @Test
  void aValuePutByHandInTheMiddleAbandonsTheRotation() throws Exception {
    CountDownLatch inSetSecret = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> steps = lambdaLikeReceiver(inSetSecret, release, -1);
    sm.createSecret(r -> r.name("app/db").secretString("first"));
    sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(ACCOUNT_PREFIX + "stowaway-webhook-lambda"));
    assertTrue(inSetSecret.await(30, TimeUnit.SECONDS));
    String mine = sm.putSecretValue(r -> r.secretId("app/db").secretString("mine")).versionId();
    release.countDown();
    awaitRotations();
    assertEquals("mine", current("app/db"));
    assertEquals(mine, sm.getSecretValue(r -> r.secretId("app/db")).versionId());
    assertFalse(sm.describeSecret(r -> r.secretId("app/db")).versionIdsToStages().values().stream()
        .anyMatch(l -> l.contains("AWSPENDING")));
    assertTrue(serviceEvents().contains("RotationAbandoned"), serviceEvents().toString());
    assertFalse(serviceEvents().contains("RotationSucceeded"));
    assertEquals(List.of("createSecret", "setSecret"), steps, "no step runs once the rotation is abandoned");
  }

  @Test
  void anExecRotatorThatDoesALambdasWorkRotates() throws Exception {
    Path script = Files.createDirectories(dataDir.resolve("rotators")).resolve("boto");
    Files.writeString(script, String.join("\n",
        "#!/usr/bin/env python3",
        "import json, sys, boto3",
        "event = json.load(sys.stdin)",
        "sm = boto3.client('secretsmanager', endpoint_url='" + sidecar.endpoint() + "', region_name='us-east-1',",
        "    aws_access_key_id='" + sidecar.adminKey()[0] + "', aws_secret_access_key='" + sidecar.adminKey()[1] + "')",
        "if event['Step'] == 'createSecret':",
        "    sm.put_secret_value(SecretId=event['SecretId'], ClientRequestToken=event['ClientRequestToken'],",
        "        SecretString='made-by-a-script', VersionStages=['AWSPENDING'])",
        "with open('" + dataDir.resolve("boto.log") + "', 'a') as log:",
        "    log.write(event['Step'] + '\\n')",
        ""));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    sm.createSecret(r -> r.name("app/db").secretString("first"));
    sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(ACCOUNT_PREFIX + "stowaway-exec-boto"));
    awaitRotations();
    assertEquals(List.of("createSecret", "setSecret", "testSecret", "finishSecret"),
        Files.readAllLines(dataDir.resolve("boto.log")));
    assertEquals("made-by-a-script", current("app/db"));
    assertEquals("first", stage("app/db", "AWSPREVIOUS"));
  }

  @Test
  void aTokenThatAVersionAlreadyHasIsRefused() {
    String versionId = sm.createSecret(r -> r.name("app/db").secretString("first")).versionId();
    SecretsManagerException used = assertThrows(SecretsManagerException.class, () -> sm.rotateSecret(r -> r
        .secretId("app/db").rotationLambdaARN(RANDOM).clientRequestToken(versionId)));
    assertEquals("ResourceExistsException", used.awsErrorDetails().errorCode());
  }

  @Test
  void theRandomPasswordGoesUnderTheMemberTheTagNames() throws Exception {
    sm.createSecret(r -> r.name("app/key").secretString("{\"id\":\"k1\",\"apiKey\":\"old\"}")
        .tags(t -> t.key("stowaway:rotation:password-key").value("apiKey"),
            t -> t.key("stowaway:rotation:password-length").value("48")));
    sm.rotateSecret(r -> r.secretId("app/key").rotationLambdaARN(RANDOM));
    awaitRotations();
    JsonNode now = json.readTree(current("app/key"));
    assertEquals("k1", now.path("id").asText());
    assertEquals(48, now.path("apiKey").asText().length());
  }

  @Test
  void anExecRotatorRunsAScriptForEachStep() throws Exception {
    Path log = dataDir.resolve("steps.log");
    Path script = Files.createDirectories(dataDir.resolve("rotators")).resolve("fail-at-test");
    Files.writeString(script, "#!/bin/sh\nread event\necho \"$event\" >> " + log + "\n"
        + "case \"$event\" in *testSecret*) exit 3;; esac\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    sm.createSecret(r -> r.name("app/db").secretString("first"));
    // createSecret succeeds without putting a value, so the run stops there: the exec rotator did not do its part.
    sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(ACCOUNT_PREFIX + "stowaway-exec-fail-at-test"));
    awaitRotations();
    List<String> lines = Files.readAllLines(log);
    assertEquals(1, lines.size());
    Map<?, ?> event = json.readValue(lines.get(0), Map.class);
    assertEquals("createSecret", event.get("Step"));
    assertEquals(sm.describeSecret(r -> r.secretId("app/db")).arn(), event.get("SecretId"));
    assertTrue(lastServiceEvent().path("serviceEventDetails").path("reason").asText()
        .startsWith("createSecret: the rotator did not put version "));
    assertEquals("first", current("app/db"));
  }
}
