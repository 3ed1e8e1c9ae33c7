package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowaway.agent.app.CommandApp;
import dev.stowaway.agent.testing.AgentProcess;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The pod pattern: a per-pod token seeded into a file that the sidecar ({@code --agent-token}) and
 * the application ({@code STOWAWAY_TOKEN}) share, and no AWS keys in the application at all.
 */
class TokenAgentIT {

  private static final String POLICY = """
      {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
       "Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],
       "Resource":"arn:aws:secretsmanager:*:*:secret:prod/*"}]}""";

  @TempDir Path dataDir;
  @TempDir Path pod;

  @Test
  void anApplicationWithOnlyThePodsTokenResolvesAndFollowsRotationsAsItsUser() throws Exception {
    Path token = pod.resolve("token");
    Files.writeString(token, "seeded-" + java.util.UUID.randomUUID() + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    try (RunningSidecar sidecar = RunningSidecar.on(dataDir, Map.of("STOWAWAY_AGENT_TOKEN", "file://" + token,
        "STOWAWAY_AGENT_TOKEN_USER", "orders"));
         SecretsManagerClient admin = sidecar.client();
         IamClient iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
             .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
      iam.createUser(r -> r.userName("orders"));
      iam.putUserPolicy(r -> r.userName("orders").policyName("read-prod").policyDocument(POLICY));
      admin.createSecret(r -> r.name("prod/orders-db").secretString("{\"password\":\"before\"}"));
      try (AgentProcess.Running app = new AgentProcess()
          .env("STOWAWAY_TOKEN", "file://" + token)
          .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString())
          .env("AWS_SHARED_CREDENTIALS_FILE", pod.resolve("no-such-credentials").toString())
          .agentArgs("ttl=1h")
          .sysprop("db.password", "{{resolve:secretsmanager:prod/orders-db:SecretString:password}}")
          .start(CommandApp.class)) {
        app.await(l -> l.equals("ready"), 60);
        app.send("prop db.password");
        assertEquals("db.password=before", app.await(l -> l.startsWith("db.password="), 30));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (AuditRecords.in(dataDir).stream().noneMatch(r -> r.path("eventName").asText()
            .equals("SubscribeToChangeFeed") && r.path("userIdentity").path("userName").asText().equals("orders"))) {
          assertTrue(System.nanoTime() < deadline, "the agent never followed the change feed with its token");
        }
        admin.putSecretValue(r -> r.secretId("prod/orders-db").secretString("{\"password\":\"after\"}"));
        String seen;
        do {
          app.send("prop db.password");
          seen = app.await(l -> l.startsWith("db.password="), 30);
          assertTrue(System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(30), "the rotation never arrived");
        } while (seen.equals("db.password=before"));
        assertEquals("db.password=after", seen, "with a one-hour TTL only the change feed can bring it");
        app.send("exit");
      }
      List<JsonNode> reads = AuditRecords.in(dataDir).stream()
          .filter(r -> r.path("eventName").asText().equals("GetSecretValue")).toList();
      assertTrue(reads.size() >= 2, "reads before and after the change");
      assertTrue(reads.stream().allMatch(r -> r.path("userIdentity").path("userName").asText().equals("orders")),
          reads.toString());
    }
  }

  @Test
  void aWrongTokenStopsTheApplicationNamingThePlaceholder() throws Exception {
    Path token = pod.resolve("token");
    Files.writeString(token, "not-the-pods-token");
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir); SecretsManagerClient admin = sidecar.client()) {
      admin.createSecret(r -> r.name("prod/orders-db").secretString("{\"password\":\"x\"}"));
      AgentProcess.Result r = new AgentProcess()
          .env("STOWAWAY_TOKEN", "file://" + token)
          .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString())
          .sysprop("db.password", "{{resolve:secretsmanager:prod/orders-db:SecretString:password}}")
          .run(CommandApp.class);
      assertTrue(r.exitCode() != 0, r.output());
      assertTrue(r.output().contains("db.password"), r.output());
      assertTrue(r.output().contains("UnrecognizedClientException: The agent token included in the request is invalid"),
          r.output());
    }
  }
}
