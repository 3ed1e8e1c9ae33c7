package dev.stowaway.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input over the wire gets an AWS-shaped 4xx with the right type, never a 500. */
class HostileInputIT {

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static String keyId;
  static String secret;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    keyId = sidecar.adminKey()[0];
    secret = sidecar.adminKey()[1];
  }

  @AfterAll
  static void stop() {
    sidecar.close();
  }

  private static HttpResponse<String> call(String target, byte[] body, Clock clock) {
    URI uri = URI.create(sidecar.endpoint() + "/");
    Map<String, List<String>> headers = SignedHttp.sign("POST", uri,
        Map.of("Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", target), body, keyId, secret,
        "us-east-1", "secretsmanager", clock);
    return SignedHttp.send("POST", uri, headers, body);
  }

  private static HttpResponse<String> call(String target, String body) {
    return call(target, body.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
  }

  private static void assertAwsError(HttpResponse<String> response, int status, String type) {
    assertEquals(status, response.statusCode(), response.body());
    try {
      JsonNode error = JSON.readTree(response.body());
      assertEquals(type, error.get("__type").asText(), response.body());
      assertTrue(error.get("Message").asText().length() > 0);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
    assertEquals("application/x-amz-json-1.1", response.headers().firstValue("content-type").orElse(""));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{not json|SerializationException",
      "[1,2,3]|SerializationException",
      "\"just a string\"|SerializationException",
      "{\"SecretId\": 42}|SerializationException",
      "{\"SecretId\": [\"a\"]}|SerializationException",
      "{\"SecretId\": \"x\"} trailing|SerializationException",
      "{}|ValidationException",
      "{\"SecretId\": \"\"}|ValidationException"})
  void malformedGetSecretValueBodies(String body, String type) {
    assertAwsError(call("secretsmanager.GetSecretValue", body), 400, type);
  }

  @Test
  void deeplyNestedJsonIsRefused() {
    String body = "{\"SecretId\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertAwsError(call("secretsmanager.GetSecretValue", body), 400, "SerializationException");
  }

  @Test
  void invalidUtf8IsRefused() {
    byte[] body = {'{', '"', 'N', 'a', 'm', 'e', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'};
    assertAwsError(call("secretsmanager.CreateSecret", body, Clock.systemUTC()), 400, "SerializationException");
  }

  @Test
  void nulByteInNameIsInvalidParameter() {
    assertAwsError(call("secretsmanager.CreateSecret", "{\"Name\":\"a\\u0000b\",\"SecretString\":\"x\"}"), 400,
        "InvalidParameterException");
  }

  @Test
  void pathTraversalNameIsInvalidParameterButDotsAreFine() {
    assertAwsError(call("secretsmanager.CreateSecret", "{\"Name\":\"../../etc/passwd\\\\x\",\"SecretString\":\"x\"}"), 400,
        "InvalidParameterException");
  }

  @Test
  void unknownOperationIsNamed() {
    HttpResponse<String> r = call("secretsmanager.StealEverything", "{}");
    assertAwsError(r, 400, "UnknownOperationException");
    assertTrue(r.body().contains("StealEverything"));
  }

  @Test
  void unknownServiceTargetIsUnknownOperation() {
    assertAwsError(call("DynamoDB_20120810.ListTables", "{}"), 400, "UnknownOperationException");
  }

  @Test
  void bodyPastTheLimitIsRefusedWith413() {
    byte[] body = new byte[UndertowServer.MAX_BODY_BYTES + 10];
    java.util.Arrays.fill(body, (byte) ' ');
    assertAwsError(call("secretsmanager.ListSecrets", body, Clock.systemUTC()), 413, "RequestEntityTooLargeException");
  }

  @Test
  void requestSignedTwentyMinutesAgoIsExpired() {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofMinutes(20)), ZoneOffset.UTC);
    HttpResponse<String> r = call("secretsmanager.ListSecrets", "{}".getBytes(StandardCharsets.UTF_8), past);
    assertAwsError(r, 400, "InvalidSignatureException");
    assertTrue(r.body().contains("Signature expired"), r.body());
  }

  @Test
  void unsignedRequestIsMissingAuthenticationToken() {
    HttpResponse<String> r = SignedHttp.send("POST", URI.create(sidecar.endpoint() + "/"),
        Map.of("X-Amz-Target", List.of("secretsmanager.ListSecrets"), "Content-Type", List.of("application/x-amz-json-1.1")),
        "{}".getBytes(StandardCharsets.UTF_8));
    assertAwsError(r, 400, "MissingAuthenticationTokenException");
  }

  @Test
  void postWithoutTargetIsUnknownOperation() {
    HttpResponse<String> r = SignedHttp.send("POST", URI.create(sidecar.endpoint() + "/"),
        Map.of("Content-Type", List.of("application/json")), "{}".getBytes(StandardCharsets.UTF_8));
    assertAwsError(r, 400, "UnknownOperationException");
  }

  @Test
  void healthzAnswersWithoutCredentials() {
    HttpResponse<String> r = SignedHttp.send("GET", URI.create(sidecar.endpoint() + "/healthz"), Map.of(), new byte[0]);
    assertEquals(200, r.statusCode());
    assertEquals("ok\n", r.body());
  }

  @Test
  void unknownPathIs404() {
    HttpResponse<String> r = SignedHttp.send("GET", URI.create(sidecar.endpoint() + "/admin/../etc"), Map.of(), new byte[0]);
    assertEquals(404, r.statusCode());
  }

  @Test
  void rejectedWritesLeaveTheStoreUnchanged() {
    call("secretsmanager.CreateSecret", "{\"Name\":\"kept\",\"SecretString\":\"v1\"}");
    assertAwsError(call("secretsmanager.PutSecretValue", "{\"SecretId\":\"kept\",\"SecretString\":\"" + "z".repeat(70_000) + "\"}"),
        400, "ValidationException");
    assertAwsError(call("secretsmanager.PutSecretValue", "{\"SecretId\":\"kept\",\"SecretString\":\"v2\",\"VersionStages\":[]}"),
        400, "ValidationException");
    HttpResponse<String> versions = call("secretsmanager.ListSecretVersionIds", "{\"SecretId\":\"kept\",\"IncludeDeprecated\":true}");
    assertEquals(200, versions.statusCode());
    assertEquals(1, countOccurrences(versions.body(), "VersionId"));
  }

  private static int countOccurrences(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
