package dev.stowaway.sidecar.localagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SseReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * AWS's Secrets Manager Agent API on a real sidecar, driven by plain HTTP as the applications
 * written for that agent drive it; tokens stand for IAM users.
 */
class LocalAgentApiIT {

  private static final String READ_PROD = """
      {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue",
       "Resource":"arn:aws:secretsmanager:*:*:secret:prod/*"}]}""";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dataDir;
  static RunningSidecar sidecar;
  static SecretsManagerClient admin;
  static String appToken;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    admin = sidecar.client();
    try (IamClient iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
      iam.createUser(r -> r.userName("app"));
      iam.putUserPolicy(r -> r.userName("app").policyName("read-prod").policyDocument(READ_PROD));
    }
    admin.createSecret(r -> r.name("prod/db").secretString("{\"password\":\"first\"}"));
    admin.putSecretValue(r -> r.secretId("prod/db").secretString("{\"password\":\"second\"}"));
    admin.createSecret(r -> r.name("staging/db").secretString("not-for-app"));
    appToken = AgentTokens.in(dataDir).create("app", new SecureRandom(), Instant.now()).token();
  }

  @AfterAll
  static void stop() {
    admin.close();
    sidecar.close();
  }

  private static HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sidecar.endpoint() + pathAndQuery)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> getWithToken(String pathAndQuery) throws Exception {
    return get(pathAndQuery, "X-Aws-Parameters-Secrets-Token", appToken);
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  @Test
  void pingAnswersHealthyWithoutAToken() throws Exception {
    HttpResponse<String> ping = get("/ping");
    assertEquals(200, ping.statusCode());
    assertEquals("healthy", ping.body());
  }

  @Test
  void queryFormAnswersExactlyWhatGetSecretValueAnswers() throws Exception {
    HttpResponse<String> response = getWithToken("/secretsmanager/get?secretId=prod/db");
    assertEquals(200, response.statusCode(), response.body());
    GetSecretValueResponse viaSdk = admin.getSecretValue(r -> r.secretId("prod/db"));
    JsonNode body = json(response);
    assertEquals(viaSdk.arn(), body.path("ARN").asText());
    assertEquals("prod/db", body.path("Name").asText());
    assertEquals(viaSdk.versionId(), body.path("VersionId").asText());
    assertEquals("{\"password\":\"second\"}", body.path("SecretString").asText());
    assertEquals("[\"AWSCURRENT\"]", body.path("VersionStages").toString());
    assertEquals(viaSdk.createdDate().toEpochMilli() / 1000.0, body.path("CreatedDate").asDouble(), 0.001);
    assertEquals(List.of("ARN", "CreatedDate", "Name", "SecretString", "VersionId", "VersionStages"),
        iterate(body.fieldNames()).stream().sorted().toList());
  }

  @Test
  void pathFormTakesVersionStageAndTheVaultTokenHeader() throws Exception {
    HttpResponse<String> response = get("/v1/prod/db?versionStage=AWSPREVIOUS", "X-Vault-Token", appToken);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("{\"password\":\"first\"}", json(response).path("SecretString").asText());
    assertEquals("[\"AWSPREVIOUS\"]", json(response).path("VersionStages").toString());
  }

  @Test
  void noTokenOrAWrongOneIsRefusedWith403() throws Exception {
    HttpResponse<String> none = get("/secretsmanager/get?secretId=prod/db");
    assertEquals(403, none.statusCode());
    assertEquals("Bad Token", none.body());
    HttpResponse<String> wrong = get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", appToken + "x");
    assertEquals(403, wrong.statusCode());
    assertEquals("Bad Token", wrong.body());
  }

  @Test
  void aForwardedRequestIsRefusedWith400EvenWithAGoodToken() throws Exception {
    HttpResponse<String> response = get("/secretsmanager/get?secretId=prod/db", "X-Aws-Parameters-Secrets-Token",
        appToken, "X-Forwarded-For", "203.0.113.9");
    assertEquals(400, response.statusCode());
    assertEquals("Forwarded", response.body());
  }

  @Test
  void badParametersAreNamedAsAwsAgentNamesThem() throws Exception {
    assertEquals("missing parameter secretId", getWithToken("/secretsmanager/get?versionStage=AWSCURRENT").body());
    assertEquals("unknown parameter: colour", getWithToken("/secretsmanager/get?secretId=prod/db&colour=red").body());
    assertEquals("invalid refreshNow value", getWithToken("/v1/prod/db?refreshNow=maybe").body());
    assertEquals("missing secret ID", getWithToken("/v1/").body());
    assertEquals(400, getWithToken("/v1/").statusCode());
    assertEquals(200, getWithToken("/v1/prod/db?refreshNow=true").statusCode());
  }

  @Test
  void otherMethodsAreNotAllowed() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(sidecar.endpoint() + "/v1/prod/db"))
        .DELETE().header("X-Aws-Parameters-Secrets-Token", appToken).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, response.statusCode());
    assertEquals("Not allowed", response.body());
  }

  @Test
  void theTokensUserPoliciesDecideAndErrorsComeInTheAgentsShape() throws Exception {
    HttpResponse<String> denied = getWithToken("/secretsmanager/get?secretId=staging/db");
    assertEquals(400, denied.statusCode());
    assertEquals("AccessDeniedException", json(denied).path("__type").asText());
    assertTrue(json(denied).path("message").asText().contains("arn:aws:iam::123456789012:user/app is not authorized"),
        denied.body());
    HttpResponse<String> missing = getWithToken("/secretsmanager/get?secretId=prod/nothing");
    assertEquals(400, missing.statusCode());
    assertEquals("ResourceNotFoundException", json(missing).path("__type").asText());
    assertFalse(denied.body().contains("not-for-app"));
  }

  @Test
  void aReadIsAuditedAsTheTokensUserWithTheTokenIdButNeverTheToken() throws Exception {
    HttpResponse<String> response = get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", appToken,
        "User-Agent", "legacy-app/1.0");
    assertEquals(200, response.statusCode());
    String requestId = response.headers().firstValue("x-amzn-RequestId").orElseThrow();
    JsonNode record = AuditRecords.in(dataDir).stream().filter(e -> e.path("requestID").asText().equals(requestId))
        .findFirst().orElseThrow();
    assertEquals("GetSecretValue", record.path("eventName").asText());
    assertEquals("app", record.path("userIdentity").path("userName").asText());
    assertEquals("legacy-app/1.0", record.path("userAgent").asText());
    assertEquals("prod/db", record.path("requestParameters").path("secretId").asText());
    String tokenId = AgentTokens.in(dataDir).list().get(0).id();
    assertEquals(tokenId, record.path("additionalEventData").path("agentTokenId").asText());
    byte[] audit = AuditRecords.allBytes(dataDir);
    assertFalse(new String(audit, java.nio.charset.StandardCharsets.ISO_8859_1).contains(appToken));
    assertFalse(new String(audit, java.nio.charset.StandardCharsets.ISO_8859_1).contains("second"));
  }

  @Test
  void aRefusedTokenIsAuditedToo() throws Exception {
    HttpResponse<String> response = get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", "guess");
    String requestId = response.headers().firstValue("x-amzn-RequestId").orElseThrow();
    JsonNode record = AuditRecords.in(dataDir).stream().filter(e -> e.path("requestID").asText().equals(requestId))
        .findFirst().orElseThrow();
    assertEquals("AccessDeniedException", record.path("errorCode").asText());
    assertEquals("Bad Token", record.path("errorMessage").asText());
  }

  @Test
  void aRevokedTokenStopsWorkingOnItsNextUse() throws Exception {
    AgentTokens tokens = AgentTokens.in(dataDir);
    AgentTokens.Issued issued = tokens.create("app", new SecureRandom(), Instant.now());
    assertEquals(200, get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", issued.token()).statusCode());
    assertEquals(1, tokens.revoke(issued.id(), null).size());
    assertEquals(403, get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", issued.token()).statusCode());
  }

  @Test
  void aTokenForAUserWhoIsGoneIsRefused() throws Exception {
    String token = AgentTokens.in(dataDir).create("nobody", new SecureRandom(), Instant.now()).token();
    assertEquals(403, get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", token).statusCode());
  }

  private static IamClient iam() {
    return IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
  }

  private static void makeReader(IamClient iam, String name) {
    iam.createUser(r -> r.userName(name));
    iam.putUserPolicy(r -> r.userName(name).policyName("read-prod").policyDocument(READ_PROD));
  }

  private static void deleteReader(IamClient iam, String name) {
    iam.deleteUserPolicy(r -> r.userName(name).policyName("read-prod"));
    iam.deleteUser(r -> r.userName(name));
  }

  private static JsonNode auditRecordOf(HttpResponse<String> response) {
    String requestId = response.headers().firstValue("x-amzn-RequestId").orElseThrow();
    return AuditRecords.in(dataDir).stream().filter(e -> e.path("requestID").asText().equals(requestId))
        .findFirst().orElseThrow();
  }

  /** Issue 17, finding 9: a user deleted and made again under its name inherited the old user's tokens. */
  @Test
  void aTokenDiesWithItsUserEvenWhenAUserOfTheSameNameIsMadeAgain() throws Exception {
    try (IamClient iam = iam()) {
      makeReader(iam, "reborn");
      AgentTokens.Issued issued = AgentTokens.in(dataDir).create("reborn", new SecureRandom(), Instant.now());
      assertEquals(200, get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", issued.token()).statusCode());
      String userId = iam.getUser(r -> r.userName("reborn")).user().userId();
      deleteReader(iam, "reborn");
      makeReader(iam, "reborn");
      try {
        HttpResponse<String> refused = get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", issued.token());
        assertEquals(403, refused.statusCode());
        assertEquals("Bad Token", refused.body());
        JsonNode record = auditRecordOf(refused);
        assertEquals("AccessDeniedException", record.path("errorCode").asText());
        assertEquals("Bad Token", record.path("errorMessage").asText());
        assertEquals(issued.id(), record.path("additionalEventData").path("agentTokenId").asText());
        assertEquals("the token's IAM user reborn (" + userId + ") does not exist",
            record.path("additionalEventData").path("refusedBecause").asText());
      } finally {
        deleteReader(iam, "reborn");
      }
    }
  }

  @Test
  void aTokenNeverUsedBeforeItsUserWasDeletedIsRefusedToTheNextUserOfThatName() throws Exception {
    try (IamClient iam = iam()) {
      makeReader(iam, "unused");
      AgentTokens.Issued issued = AgentTokens.in(dataDir).create("unused", new SecureRandom(), Instant.now());
      deleteReader(iam, "unused");
      makeReader(iam, "unused");
      try {
        assertEquals(403, get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", issued.token()).statusCode());
        AgentTokens.Issued fresh = AgentTokens.in(dataDir).create("unused", new SecureRandom(), Instant.now());
        assertEquals(200, get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", fresh.token()).statusCode(),
            "a token made for the new user is the new user's");
      } finally {
        deleteReader(iam, "unused");
      }
    }
  }

  @Test
  void aTokenOnTheAwsApiDiesWithItsUserToo() throws Exception {
    try (IamClient iam = iam()) {
      makeReader(iam, "api-user");
      AgentTokens.Issued issued = AgentTokens.in(dataDir).create("api-user", new SecureRandom(), Instant.now());
      String body = "{\"SecretId\":\"prod/db\"}";
      assertEquals(200, awsJson("secretsmanager.GetSecretValue", body, "X-Aws-Parameters-Secrets-Token",
          issued.token()).statusCode());
      deleteReader(iam, "api-user");
      makeReader(iam, "api-user");
      try {
        HttpResponse<String> refused = awsJson("secretsmanager.GetSecretValue", body, "X-Aws-Parameters-Secrets-Token",
            issued.token());
        assertEquals(400, refused.statusCode());
        assertEquals("UnrecognizedClientException", json(refused).path("__type").asText());
      } finally {
        deleteReader(iam, "api-user");
      }
    }
  }

  @Test
  void aTokenWrittenBeforeBindingsKeepsWorkingForItsUserAndThenDiesWithIt() throws Exception {
    try (IamClient iam = iam()) {
      makeReader(iam, "old-style");
      AgentTokens tokens = AgentTokens.in(dataDir);
      AgentTokens.Issued issued = tokens.create("old-style", new SecureRandom(), Instant.parse("2020-01-01T00:00:00Z"));
      // as the file was written before tokens were bound by unique id: no userId member at all
      java.nio.file.Path file = dataDir.resolve(AgentTokens.FILE);
      com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
          JSON.readTree(java.nio.file.Files.readString(file));
      root.withArray("tokens").forEach(t -> {
        if (t.path("id").asText().equals(issued.id())) {
          ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove("userId");
        }
      });
      java.nio.file.Files.writeString(file, root.toString());
      assertEquals(200, get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", issued.token()).statusCode(),
          "an old token works for the user who holds its name, though made before the token");
      String userId = iam.getUser(r -> r.userName("old-style")).user().userId();
      assertEquals(userId, tokens.list().stream().filter(t -> t.id().equals(issued.id())).findFirst().orElseThrow()
          .userId(), "and is bound to that user in the file");
      deleteReader(iam, "old-style");
      makeReader(iam, "old-style");
      try {
        assertEquals(403, get("/v1/prod/db", "X-Aws-Parameters-Secrets-Token", issued.token()).statusCode());
      } finally {
        deleteReader(iam, "old-style");
      }
    }
  }

  @Test
  void withATokenEventsIsASecretNameAndWithoutOneTheChangeFeedStaysWhereItWas() throws Exception {
    admin.createSecret(r -> r.name("events").secretString("an-unlucky-name"));
    try {
      HttpResponse<String> secret = getWithToken("/v1/events");
      assertEquals(400, secret.statusCode(), "app may read prod/* only");
      assertEquals("AccessDeniedException", json(secret).path("__type").asText());
      HttpResponse<String> feed = get("/v1/events");
      assertEquals(400, feed.statusCode(), "the change feed wants a signature: " + feed.body());
      assertEquals("MissingAuthenticationTokenException", json(feed).path("__type").asText());
    } finally {
      admin.deleteSecret(r -> r.secretId("events").forceDeleteWithoutRecovery(true));
    }
  }

  private static HttpResponse<String> awsJson(String target, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sidecar.endpoint() + "/"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", target);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aTokenAlsoAuthenticatesAwsApiCallsAsItsUser() throws Exception {
    HttpResponse<String> read = awsJson("secretsmanager.GetSecretValue", "{\"SecretId\":\"prod/db\"}",
        "X-Aws-Parameters-Secrets-Token", appToken);
    assertEquals(200, read.statusCode(), read.body());
    assertEquals("{\"password\":\"second\"}", json(read).path("SecretString").asText());
    HttpResponse<String> denied = awsJson("secretsmanager.DescribeSecret", "{\"SecretId\":\"prod/db\"}",
        "X-Aws-Parameters-Secrets-Token", appToken);
    assertEquals("AccessDeniedException", json(denied).path("__type").asText(), "app may only GetSecretValue");
    HttpResponse<String> bad = awsJson("secretsmanager.GetSecretValue", "{\"SecretId\":\"prod/db\"}",
        "X-Aws-Parameters-Secrets-Token", "guess");
    assertEquals(400, bad.statusCode());
    assertEquals("UnrecognizedClientException", json(bad).path("__type").asText());
    assertEquals("The agent token included in the request is invalid.", json(bad).path("Message").asText());
    HttpResponse<String> forwarded = awsJson("secretsmanager.GetSecretValue", "{\"SecretId\":\"prod/db\"}",
        "X-Aws-Parameters-Secrets-Token", appToken, "X-Forwarded-For", "198.51.100.7");
    assertEquals("AccessDeniedException", json(forwarded).path("__type").asText());
    assertTrue(json(forwarded).path("Message").asText().contains("forwarded by a proxy"), forwarded.body());
  }

  @Test
  void theChangeFeedTakesATokenAndDeliversChanges() throws Exception {
    admin.createSecret(r -> r.name("prod/feed").secretString("v1"));
    try (SseReader feed = SseReader.withToken(sidecar.endpoint(), appToken)) {
      assertEquals(200, feed.status(), feed.errorBody());
      assertEquals("reset", feed.next().event());
      admin.putSecretValue(r -> r.secretId("prod/feed").secretString("v2"));
      SseReader.Event change = feed.next();
      assertEquals("change", change.event());
      assertTrue(change.data().contains("prod/feed"), change.data());
    }
  }

  @Test
  void aTokenGivenAtStartAsAwsAgentTakesItActsAsItsUser(@TempDir Path other) throws Exception {
    try (RunningSidecar configured = RunningSidecar.on(other, Map.of("STOWAWAY_AGENT_TOKEN", "AWS_TOKEN",
        "AWS_TOKEN", "seeded-by-an-init-container", "STOWAWAY_AGENT_TOKEN_USER", "admin"))) {
      configured.client().createSecret(r -> r.name("seeded").secretString("ok"));
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
              URI.create(configured.endpoint() + "/secretsmanager/get?secretId=seeded"))
          .header("X-Aws-Parameters-Secrets-Token", "seeded-by-an-init-container").build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("ok", json(response).path("SecretString").asText());
    }
  }

  private static <T> List<T> iterate(java.util.Iterator<T> it) {
    List<T> list = new java.util.ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }
}
