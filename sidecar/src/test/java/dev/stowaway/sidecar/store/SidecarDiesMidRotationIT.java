package dev.stowaway.sidecar.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.ScratchPostgres;
import dev.stowaway.sidecar.testing.SidecarProcess;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Sidecar A (a child process) is killed while it runs a rotation; sidecar B, on the same store,
 * takes the rotation over once A's lease has run out and finishes it with A's token.
 */
class SidecarDiesMidRotationIT {

  @TempDir Path first;
  @TempDir Path second;

  @Test
  void anotherSidecarFinishesTheRotationAfterTheLease() throws Exception {
    List<String> steps = new CopyOnWriteArrayList<>();
    CountDownLatch inSetSecret = new CountDownLatch(1);
    CountDownLatch killed = new CountDownLatch(1);
    AtomicBoolean hang = new AtomicBoolean(true);
    ObjectMapper json = new ObjectMapper();
    try (ScratchPostgres db = ScratchPostgres.create()) {
      Map<String, String> env = new HashMap<>(Map.of("STOWAWAY_STORE", "postgresql", "STOWAWAY_STORE_URL", db.url(),
          "STOWAWAY_STORE_USER", db.user()));
      HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      receiver.setExecutor(Executors.newCachedThreadPool());
      receiver.start();
      try {
        for (Path dir : List.of(first, second)) {
          Files.createDirectories(dir.resolve("rotators"));
          Files.writeString(dir.resolve("rotators").resolve("hook.url"),
              "http://127.0.0.1:" + receiver.getAddress().getPort() + "/rotate\n");
        }
        env.put("STOWAWAY_ROTATION_LEASE_SECONDS", "3");
        try (SidecarProcess a = SidecarProcess.launch(first, env).awaitServing()) {
          Files.copy(first.resolve("root.key"), second.resolve("root.key"));
          try (RunningSidecar b = RunningSidecar.on(second, env)) {
            java.util.Properties keys = new java.util.Properties();
            try (var in = Files.newInputStream(first.resolve("admin-credentials"))) {
              keys.load(in);
            }
            String[] admin = {keys.getProperty("aws_access_key_id"), keys.getProperty("aws_secret_access_key")};
            receiver.createContext("/rotate", exchange -> {
              JsonNode event = json.readTree(exchange.getRequestBody().readAllBytes());
              String step = event.path("Step").asText();
              steps.add(step);
              try (SecretsManagerClient lambda = b.client(admin[0], admin[1])) {
                if (step.equals("createSecret")) {
                  lambda.putSecretValue(r -> r.secretId(event.path("SecretId").asText())
                      .clientRequestToken(event.path("ClientRequestToken").asText()).secretString("rotated")
                      .versionStages("AWSPENDING"));
                } else if (step.equals("setSecret") && hang.get()) {
                  inSetSecret.countDown();
                  killed.await(60, TimeUnit.SECONDS);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              exchange.sendResponseHeaders(200, -1);
              exchange.close();
            });
            String token;
            try (SecretsManagerClient viaA = b.client(admin[0], admin[1])) {
              viaA.createSecret(r -> r.name("app/db").secretString("first"));
            }
            try (SecretsManagerClient viaA = SecretsManagerClient.builder().endpointOverride(a.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(admin[0], admin[1]))).build()) {
              token = viaA.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(
                  "arn:aws:lambda:us-east-1:123456789012:function:stowaway-webhook-hook")).versionId();
            }
            assertTrue(inSetSecret.await(60, TimeUnit.SECONDS), "A started the rotation");
            a.kill();
            hang.set(false);
            killed.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (SecretsManagerClient viaB = b.client(admin[0], admin[1])) {
              while (!token.equals(viaB.getSecretValue(r -> r.secretId("app/db")).versionId())) {
                assertTrue(System.nanoTime() < deadline, "B never finished the rotation; steps " + steps);
                b.sidecar().rotations().runDue();
              }
              assertEquals("rotated", viaB.getSecretValue(r -> r.secretId("app/db")).secretString());
              assertEquals(List.of("createSecret", "setSecret", "setSecret", "testSecret", "finishSecret"), steps,
                  "B resumed with A's token, without making another value");
            }
          }
        }
      } finally {
        receiver.stop(0);
      }
    }
  }
}
