package dev.stowaway.sidecar.awsjson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.identity.NewAccessKey;
import dev.stowaway.vault.secrets.CreateSecret;
import dev.stowaway.vault.secrets.SecretValue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Secrets Manager operation the sidecar serves is refused to a user without policies, with
 * AWS's message naming the operation's own action. The operations come from the served table, so
 * an operation added later is checked without anyone remembering to add it here.
 */
class EveryOperationIsAuthorizedIT {

  /** Members an operation needs before it reaches authorization; the rest get {@code SecretId} alone. */
  private static final Map<String, String> BODIES = Map.of(
      "CreateSecret", "{\"Name\":\"prod/new\",\"SecretString\":\"x\"}",
      "PutSecretValue", "{\"SecretId\":\"prod/db\",\"SecretString\":\"x\"}",
      "UpdateSecretVersionStage", "{\"SecretId\":\"prod/db\",\"VersionStage\":\"X\"}",
      "TagResource", "{\"SecretId\":\"prod/db\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}",
      "UntagResource", "{\"SecretId\":\"prod/db\",\"TagKeys\":[\"k\"]}",
      "PutResourcePolicy", "{\"SecretId\":\"prod/db\",\"ResourcePolicy\":\"{}\"}",
      "ValidateResourcePolicy", "{\"ResourcePolicy\":\"{}\"}",
      "BatchGetSecretValue", "{\"SecretIdList\":[\"prod/db\"]}",
      "ListSecrets", "{}",
      "GetRandomPassword", "{}");

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static NewAccessKey nobody;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    var vault = sidecar.sidecar().vault();
    vault.secrets().create(new CreateSecret("prod/db", null, null, SecretValue.ofString("v"), null, List.of()));
    vault.identity().as(Caller.SYSTEM).createUser("nobody", null);
    nobody = vault.identity().as(Caller.SYSTEM).createAccessKey("nobody");
  }

  @AfterAll
  static void stop() {
    sidecar.close();
  }

  static Stream<String> servedOperations() {
    return new SecretsManagerApi(sidecar.sidecar().vault(), null, null).operations().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("servedOperations")
  void refusedWithoutAPolicyNamingItsOwnAction(String operation) throws IOException {
    HttpResponse<String> response = call(operation, BODIES.getOrDefault(operation, "{\"SecretId\":\"prod/db\"}"));
    JsonNode error = new ObjectMapper().readTree(response.body());
    assertEquals(400, response.statusCode(), response.body());
    assertEquals("AccessDeniedException", error.get("__type").asText(), response.body());
    String message = error.get("Message").asText();
    assertTrue(message.startsWith("User: arn:aws:iam::123456789012:user/nobody is not authorized to perform: "
        + "secretsmanager:" + operation + " on resource: "), message);
    assertTrue(message.endsWith("because no identity-based policy allows the secretsmanager:" + operation
        + " action"), message);
    assertTrue(!response.body().contains("prod/db-"), "tells that prod/db exists: " + message);
  }

  @Test
  void theBodiesTableNamesOnlyServedOperations() {
    Set<String> served = new SecretsManagerApi(sidecar.sidecar().vault(), null, null).operations().keySet();
    assertTrue(served.containsAll(BODIES.keySet()), "stale entries: " + BODIES.keySet());
  }

  private static HttpResponse<String> call(String operation, String json) {
    URI uri = URI.create(sidecar.endpoint() + "/");
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    var headers = SignedHttp.sign("POST", uri, Map.of("Content-Type", "application/x-amz-json-1.1",
        "X-Amz-Target", "secretsmanager." + operation), body, nobody.accessKeyId(), nobody.secretAccessKey(),
        "us-east-1", "secretsmanager", Clock.systemUTC());
    return SignedHttp.send("POST", uri, headers, body);
  }
}
