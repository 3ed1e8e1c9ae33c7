package dev.stowaway.sidecar.localagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, finding 7: a damaged {@code agent-tokens} file made every token-authenticated request
 * answer 500 with no audit record. Every answer, a 500 included, is audited, and the 500 names the
 * file without showing what it holds.
 */
class DamagedAgentTokensIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** What the damaged file holds: a token-like string that must appear nowhere. */
  private static final String CONTENT = "stw_THIS-WAS-A-TOKEN-IN-THE-FILE {\"tokens\":[{\"id\":";

  @TempDir Path dataDir;
  private RunningSidecar sidecar;
  private String token;
  private String expectedMessage;

  @BeforeEach
  void damageTheTokenFileUnderARunningSidecar() throws Exception {
    sidecar = RunningSidecar.in(dataDir);
    token = AgentTokens.in(dataDir).create("admin", new SecureRandom(), Instant.now()).token();
    Path file = dataDir.resolve(AgentTokens.FILE);
    Files.writeString(file, CONTENT, StandardCharsets.UTF_8);
    expectedMessage = "The agent token file " + file + " is damaged or unreadable: it cannot be read as a token list. No agent "
        + "token is accepted until it is repaired or removed.";
  }

  @AfterEach
  void stop() {
    sidecar.close();
  }

  private JsonNode recordOf(HttpResponse<String> response) {
    String requestId = response.headers().firstValue("x-amzn-RequestId").orElseThrow();
    return AuditRecords.in(dataDir).stream().filter(r -> r.path("requestID").asText().equals(requestId))
        .findFirst().orElseThrow(() -> new AssertionError("no audit record for request " + requestId));
  }

  @Test
  void theAgentApiAnswersA500ThatNamesTheFileAndAuditsIt() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
            URI.create(sidecar.endpoint() + "/secretsmanager/get?secretId=prod/db"))
        .header("X-Aws-Parameters-Secrets-Token", token).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(500, response.statusCode());
    assertEquals("{\"__type\":\"InternalFailure\",\"message\":" + JSON.writeValueAsString(expectedMessage) + "}",
        response.body());
    JsonNode record = recordOf(response);
    assertEquals("GetSecretValue", record.path("eventName").asText());
    assertEquals("InternalFailure", record.path("errorCode").asText());
    assertEquals(expectedMessage, record.path("errorMessage").asText());
    assertFalse(new String(AuditRecords.allBytes(dataDir), StandardCharsets.UTF_8).contains("THIS-WAS-A-TOKEN"));
  }

  @Test
  void anAwsApiCallWithATokenAnswersTheSame500AndAuditsIt() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(sidecar.endpoint() + "/"))
        .header("X-Amz-Target", "secretsmanager.GetSecretValue")
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Aws-Parameters-Secrets-Token", token)
        .POST(HttpRequest.BodyPublishers.ofString("{\"SecretId\":\"prod/db\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(500, response.statusCode());
    assertEquals("InternalFailure", JSON.readTree(response.body()).path("__type").asText());
    assertEquals(expectedMessage, JSON.readTree(response.body()).path("Message").asText());
    JsonNode record = recordOf(response);
    assertEquals("InternalFailure", record.path("errorCode").asText());
    assertEquals(expectedMessage, record.path("errorMessage").asText());
  }
}
