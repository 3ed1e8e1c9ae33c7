package dev.stowaway.sidecar.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.ScramPostgres;
import dev.stowaway.sidecar.testing.SidecarProcess;
import dev.stowaway.vault.audit.AuditVerifier;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * A sidecar killed (SIGKILL) after setSecret changed a real PostgreSQL password and before
 * finishSecret. The new value was stored as AWSPENDING before the database was touched, so
 * nothing the database uses is unrecorded; on restart the rotation resumes with the same token
 * and ends with exactly one AWSCURRENT, the password the database has.
 */
class RotationCrashIT {

  @TempDir Path dataDir;
  private final ObjectMapper json = new ObjectMapper();

  private SecretsManagerClient client(URI endpoint) {
    ProfileFile credentials = ProfileFile.builder().content(dataDir.resolve("admin-credentials"))
        .type(ProfileFile.Type.CREDENTIALS).build();
    return SecretsManagerClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(ProfileCredentialsProvider.builder().profileFile(credentials).profileName("default").build())
        .httpClient(UrlConnectionHttpClient.create()).build();
  }

  @Test
  void aRotationInterruptedBetweenSetAndFinishResumesOnRestart() throws Exception {
    try (ScramPostgres postgres = ScramPostgres.start()) {
      postgres.createRole("crash_app", "before-1");
      AtomicReference<URI> endpoint = new AtomicReference<>();
      AtomicBoolean hangInTest = new AtomicBoolean(true);
      CountDownLatch inTest = new CountDownLatch(1);
      CountDownLatch finished = new CountDownLatch(1);
      CountDownLatch killed = new CountDownLatch(1);
      List<String> steps = new CopyOnWriteArrayList<>();
      HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      receiver.createContext("/rotate", exchange -> {
        JsonNode event = json.readTree(exchange.getRequestBody().readAllBytes());
        String step = event.path("Step").asText();
        steps.add(step);
        int status = 200;
        try {
          switch (step) {
            case "createSecret" -> {
              try (SecretsManagerClient lambda = client(endpoint.get())) {
                String current = lambda.getSecretValue(r -> r.secretId(event.path("SecretId").asText())).secretString();
                lambda.putSecretValue(r -> r.secretId(event.path("SecretId").asText())
                    .clientRequestToken(event.path("ClientRequestToken").asText())
                    .secretString(current.replace("before-1", "after-1")).versionStages("AWSPENDING"));
              }
            }
            case "setSecret" -> postgres.alterPassword("crash_app", "after-1");
            case "testSecret" -> {
              if (hangInTest.get()) {
                inTest.countDown();
                killed.await(60, TimeUnit.SECONDS); // the sidecar is killed while it waits for this answer
              }
              status = postgres.logsIn("crash_app", "after-1") ? 200 : 500;
            }
            case "finishSecret" -> finished.countDown();
            default -> status = 400;
          }
        } catch (Exception e) {
          status = 500;
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
      });
      receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
      receiver.start();
      try {
        Files.createDirectories(dataDir.resolve("rotators"));
        Files.writeString(dataDir.resolve("rotators").resolve("pg.url"),
            "http://127.0.0.1:" + receiver.getAddress().getPort() + "/rotate\n");
        String secret = "{\"engine\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":" + postgres.port()
            + ",\"username\":\"crash_app\",\"password\":\"before-1\",\"dbname\":\"postgres\"}";
        String token;
        try (SidecarProcess first = SidecarProcess.start(dataDir)) {
          endpoint.set(first.endpoint());
          try (SecretsManagerClient sm = client(first.endpoint())) {
            sm.createSecret(r -> r.name("pg/crash").secretString(secret));
            token = sm.rotateSecret(r -> r.secretId("pg/crash").rotationLambdaARN(RotateSecretIT.ACCOUNT_PREFIX
                + "stowaway-webhook-pg").rotationRules(rr -> rr.automaticallyAfterDays(30L))).versionId();
          }
          assertTrue(inTest.await(60, TimeUnit.SECONDS), "the rotation reached testSecret");
          assertTrue(postgres.logsIn("crash_app", "after-1"), "setSecret changed the password");
          first.kill();
          killed.countDown();
        }
        assertEquals(List.of("createSecret", "setSecret", "testSecret"), steps);
        hangInTest.set(false);

        try (SidecarProcess second = SidecarProcess.start(dataDir)) {
          assertTrue(finished.await(60, TimeUnit.SECONDS), "the rotation resumed at start");
          try (SecretsManagerClient sm = client(second.endpoint())) {
            await(sm, token);
            assertEquals(List.of("createSecret", "setSecret", "testSecret", "setSecret", "testSecret", "finishSecret"),
                steps, "resumed with the same token, without making another value");
            var described = sm.describeSecret(r -> r.secretId("pg/crash"));
            assertEquals(List.of("AWSCURRENT"), described.versionIdsToStages().get(token));
            assertEquals(1, described.versionIdsToStages().values().stream().filter(l -> l.contains("AWSCURRENT")).count());
            assertFalse(described.versionIdsToStages().values().stream().anyMatch(l -> l.contains("AWSPENDING")));
            String current = sm.getSecretValue(r -> r.secretId("pg/crash")).secretString();
            assertTrue(postgres.logsIn("crash_app", json.readTree(current).path("password").asText()),
                "AWSCURRENT is the password the database has");
          }
          second.terminate();
        }
        List<JsonNode> resumed = AuditRecords.in(dataDir).stream()
            .filter(r -> r.path("eventName").asText().equals("RotationStarted")).toList();
        assertEquals(2, resumed.size());
        assertTrue(resumed.get(1).path("serviceEventDetails").path("resumed").asBoolean());
        assertEquals(List.of(), AuditVerifier.verify(dataDir.resolve("audit"), null).problems());
      } finally {
        receiver.stop(0);
      }
    }
  }

  /** The finishSecret answer reaches the receiver just before the sidecar moves the label. */
  private static void await(SecretsManagerClient sm, String token) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!sm.describeSecret(r -> r.secretId("pg/crash")).versionIdsToStages().getOrDefault(token, List.of())
        .equals(List.of("AWSCURRENT"))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the resumed rotation did not finish");
      }
      Thread.onSpinWait();
    }
  }
}
