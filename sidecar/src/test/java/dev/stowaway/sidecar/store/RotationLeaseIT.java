package dev.stowaway.sidecar.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.ScratchPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** With two sidecars on one store, exactly one runs a rotation, and the other takes over an abandoned one. */
class RotationLeaseIT {

  private static final String ROTATOR = "arn:aws:lambda:us-east-1:123456789012:function:stowaway-webhook-hook";

  @TempDir Path first;
  @TempDir Path second;
  private ScratchPostgres db;
  private RunningSidecar a;
  private RunningSidecar b;
  private HttpServer receiver;
  private final List<String> steps = new CopyOnWriteArrayList<>();
  private final CountDownLatch inSetSecret = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    db = ScratchPostgres.create();
    Map<String, String> env = Map.of("STOWAWAY_STORE", "postgresql", "STOWAWAY_STORE_URL", db.url(),
        "STOWAWAY_STORE_USER", db.user());
    a = RunningSidecar.on(first, env);
    Files.copy(first.resolve("root.key"), second.resolve("root.key"));
    b = RunningSidecar.on(second, env);
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newCachedThreadPool());
    ObjectMapper json = new ObjectMapper();
    receiver.createContext("/rotate", exchange -> {
      JsonNode event = json.readTree(exchange.getRequestBody().readAllBytes());
      String step = event.path("Step").asText();
      steps.add(step);
      try (SecretsManagerClient lambda = a.client(a.adminKey()[0], a.adminKey()[1])) {
        if (step.equals("createSecret")) {
          lambda.putSecretValue(r -> r.secretId(event.path("SecretId").asText())
              .clientRequestToken(event.path("ClientRequestToken").asText()).secretString("rotated")
              .versionStages("AWSPENDING"));
        } else if (step.equals("setSecret")) {
          inSetSecret.countDown();
          release.await(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
    for (Path dir : List.of(first, second)) {
      Files.createDirectories(dir.resolve("rotators"));
      Files.writeString(dir.resolve("rotators").resolve("hook.url"),
          "http://127.0.0.1:" + receiver.getAddress().getPort() + "/rotate\n");
    }
  }

  @AfterEach
  void stop() {
    release.countDown();
    receiver.stop(0);
    b.close();
    a.close();
    db.close();
  }

  @Test
  void aRotationUnderWayInOneSidecarIsNotStartedByTheOther() throws Exception {
    try (SecretsManagerClient sm = a.client(a.adminKey()[0], a.adminKey()[1])) {
      sm.createSecret(r -> r.name("app/db").secretString("first"));
      sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(ROTATOR));
      assertTrue(inSetSecret.await(30, TimeUnit.SECONDS));
      b.sidecar().rotations().runDue(); // sees the unfinished rotation, but A holds its lease
      assertEquals(List.of("createSecret", "setSecret"), steps);
      release.countDown();
      a.sidecar().rotations().awaitIdle();
      assertEquals(List.of("createSecret", "setSecret", "testSecret", "finishSecret"), steps);
      assertEquals("rotated", sm.getSecretValue(r -> r.secretId("app/db")).secretString());
    }
  }

  @Test
  void aRotationWhoseSidecarDiedIsTakenOverWhenItsLeaseRunsOut() throws Exception {
    release.countDown();
    try (SecretsManagerClient sm = a.client(a.adminKey()[0], a.adminKey()[1])) {
      String arn = sm.createSecret(r -> r.name("app/db").secretString("first")).arn();
      sm.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(ROTATOR).rotateImmediately(false));
      // What a sidecar that died after createSecret leaves: the pending value, and its lease.
      String token = "9b1f2c3d-0000-4000-8000-123456789abc";
      sm.putSecretValue(r -> r.secretId("app/db").clientRequestToken(token).secretString("rotated")
          .versionStages("AWSPENDING"));
      db.execute("INSERT INTO stowaway_leases (name, holder, expires_at) VALUES ('rotation:" + arn + "', 'dead', "
          + "now() + interval '2 seconds')");
      b.sidecar().rotations().runDue();
      assertEquals(List.of(), steps, "the lease has not run out");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (steps.isEmpty() && System.nanoTime() < deadline) {
        b.sidecar().rotations().runDue();
      }
      assertEquals(List.of("setSecret", "testSecret", "finishSecret"), steps, "resumed with the dead sidecar's token");
      assertEquals(token, sm.getSecretValue(r -> r.secretId("app/db")).versionId());
    }
  }
}
