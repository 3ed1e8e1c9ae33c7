package dev.stowaway.sidecar.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.ByteSearch;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import dev.stowaway.vault.audit.AuditVerifier;
import dev.stowaway.vault.identity.Totp;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.Unwritable;
import java.time.Duration;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.VirtualMFADevice;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/** Every request through the real SDK leaves exactly one CloudTrail-shaped, redacted, durable record. */
class AuditTrailIT {

  private static final String READ_ONLY_OPS = "{\"Version\":\"2012-10-17\",\"Statement\":["
      + "{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}";

  @TempDir Path dataDir;
  private RunningSidecar sidecar;
  private IamClient iam;
  private SecretsManagerClient admin;

  @BeforeEach
  void start() {
    sidecar = RunningSidecar.in(dataDir);
    iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
    admin = sidecar.client();
  }

  @AfterEach
  void stop() {
    admin.close();
    iam.close();
    sidecar.close();
  }

  @Test
  void getSecretValueLeavesOneRecordInCloudTrailShape() {
    String arn = admin.createSecret(r -> r.name("prod/db").secretString("hunter2")).arn();
    int before = AuditRecords.in(dataDir).size();
    GetSecretValueResponse got = admin.getSecretValue(r -> r.secretId("prod/db"));

    List<JsonNode> records = AuditRecords.in(dataDir);
    assertEquals(before + 1, records.size(), "the record is written before the answer");
    JsonNode record = records.get(records.size() - 1);
    assertEquals("1.08", record.path("eventVersion").asText());
    assertEquals("secretsmanager.amazonaws.com", record.path("eventSource").asText());
    assertEquals("GetSecretValue", record.path("eventName").asText());
    assertEquals("us-east-1", record.path("awsRegion").asText());
    assertEquals("127.0.0.1", record.path("sourceIPAddress").asText());
    assertTrue(record.path("userAgent").asText().startsWith("aws-sdk-java/2."), record.path("userAgent").asText());
    JsonNode identity = record.path("userIdentity");
    assertEquals("IAMUser", identity.path("type").asText());
    assertTrue(identity.path("principalId").asText().startsWith("AIDA"));
    assertEquals("arn:aws:iam::123456789012:user/admin", identity.path("arn").asText());
    assertEquals("123456789012", identity.path("accountId").asText());
    assertEquals(sidecar.adminKey()[0], identity.path("accessKeyId").asText());
    assertEquals("admin", identity.path("userName").asText());
    assertEquals("prod/db", record.path("requestParameters").path("secretId").asText());
    assertTrue(record.path("responseElements").isNull(), "a read records no response");
    assertEquals(got.responseMetadata().requestId(), record.path("requestID").asText());
    assertEquals(36, record.path("eventID").asText().length());
    assertTrue(record.path("readOnly").asBoolean());
    assertEquals(arn, record.path("resources").path(0).path("ARN").asText());
    assertEquals("AWS::SecretsManager::Secret", record.path("resources").path(0).path("type").asText());
    assertEquals("AwsApiCall", record.path("eventType").asText());
    assertTrue(record.path("managementEvent").asBoolean());
    assertEquals("123456789012", record.path("recipientAccountId").asText());
    assertEquals("AWSCURRENT", record.path("additionalEventData").path("versionStages").path(0).asText());
    assertFalse(record.path("additionalEventData").path("deprecatedVersion").asBoolean());
    assertTrue(Instant.parse(record.path("eventTime").asText()).isAfter(Instant.now().minusSeconds(60)));
  }

  @Test
  void aDeniedReadIsRecordedWithItsErrorAndTheSecret() {
    String arn = admin.createSecret(r -> r.name("prod/db").secretString("hunter2")).arn();
    iam.createUser(r -> r.userName("nobody"));
    AccessKey key = iam.createAccessKey(r -> r.userName("nobody")).accessKey();
    try (SecretsManagerClient nobody = sidecar.client(key.accessKeyId(), key.secretAccessKey())) {
      assertThrows(SecretsManagerException.class, () -> nobody.getSecretValue(r -> r.secretId("prod/db")));
    }
    JsonNode record = AuditRecords.last(dataDir);
    assertEquals("AccessDeniedException", record.path("errorCode").asText());
    assertTrue(record.path("errorMessage").asText().startsWith("User: arn:aws:iam::123456789012:user/nobody is not "
        + "authorized to perform: secretsmanager:GetSecretValue"), record.path("errorMessage").asText());
    assertEquals("nobody", record.path("userIdentity").path("userName").asText());
    assertEquals(arn, record.path("resources").path(0).path("ARN").asText(), "denied attempts are findable by secret");
  }

  @Test
  void aBadSignatureIsRecordedWithTheKeyItClaimed() {
    try (SecretsManagerClient forger = sidecar.client(sidecar.adminKey()[0], "not-the-secret")) {
      assertThrows(SecretsManagerException.class, () -> forger.listSecrets());
    }
    JsonNode record = AuditRecords.last(dataDir);
    assertEquals("InvalidSignatureException", record.path("errorCode").asText());
    assertEquals("Unknown", record.path("userIdentity").path("type").asText());
    assertEquals(sidecar.adminKey()[0], record.path("userIdentity").path("accessKeyId").asText());
    assertEquals("ListSecrets", record.path("eventName").asText());
  }

  @Test
  void malformedAndUnknownRequestsAreRecordedToo() throws Exception {
    int before = AuditRecords.in(dataDir).size();
    String[] key = sidecar.adminKey();
    URI uri = sidecar.endpoint().resolve("/");
    for (String[] request : List.of(new String[] {"secretsmanager.GetSecretValue", "{not json"},
        new String[] {"secretsmanager.Teleport", "{}"}, new String[] {"nosuchservice.Do", "{}"})) {
      byte[] body = request[1].getBytes(StandardCharsets.UTF_8);
      var headers = SignedHttp.sign("POST", uri, Map.of("X-Amz-Target", request[0],
          "Content-Type", "application/x-amz-json-1.1"), body, key[0], key[1], "us-east-1", "secretsmanager",
          Clock.systemUTC());
      SignedHttp.send("POST", uri, headers, body);
    }
    List<JsonNode> records = AuditRecords.in(dataDir);
    assertEquals(before + 3, records.size());
    assertEquals("SerializationException", records.get(before).path("errorCode").asText());
    assertEquals("UnknownOperationException", records.get(before + 1).path("errorCode").asText());
    assertEquals("Teleport", records.get(before + 1).path("eventName").asText());
    assertEquals("UnknownOperationException", records.get(before + 2).path("errorCode").asText());
  }

  @Test
  void iamWritesRecordTheirResponseWithTheSecretKeyHidden() {
    iam.createUser(r -> r.userName("ci"));
    AccessKey key = iam.createAccessKey(r -> r.userName("ci")).accessKey();
    JsonNode record = AuditRecords.last(dataDir);
    assertEquals("iam.amazonaws.com", record.path("eventSource").asText());
    assertEquals("CreateAccessKey", record.path("eventName").asText());
    assertEquals("ci", record.path("requestParameters").path("userName").asText());
    JsonNode accessKey = record.path("responseElements").path("accessKey");
    assertEquals(key.accessKeyId(), accessKey.path("accessKeyId").asText());
    assertEquals("HIDDEN_DUE_TO_SECURITY_REASONS", accessKey.path("secretAccessKey").asText());
    assertEquals("arn:aws:iam::123456789012:user/ci", record.path("resources").path(0).path("ARN").asText());
    assertFalse(record.path("readOnly").asBoolean());
  }

  @Test
  void aRoleSessionIsRecordedAsAnAssumedRole() {
    iam.createRole(r -> r.roleName("reader").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":["
        + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"sts:AssumeRole\"}]}"));
    iam.putRolePolicy(r -> r.roleName("reader").policyName("read").policyDocument(READ_ONLY_OPS));
    admin.createSecret(r -> r.name("prod/db").secretString("hunter2"));
    Credentials credentials;
    try (StsClient sts = sts()) {
      credentials = sts.assumeRole(r -> r.roleArn("arn:aws:iam::123456789012:role/reader").roleSessionName("app-1"))
          .credentials();
    }
    JsonNode assume = AuditRecords.last(dataDir);
    assertEquals("AssumeRole", assume.path("eventName").asText());
    assertEquals(credentials.accessKeyId(), assume.path("responseElements").path("credentials").path("accessKeyId").asText());
    assertEquals("HIDDEN_DUE_TO_SECURITY_REASONS",
        assume.path("responseElements").path("credentials").path("secretAccessKey").asText());
    assertEquals("HIDDEN_DUE_TO_SECURITY_REASONS",
        assume.path("responseElements").path("credentials").path("sessionToken").asText());
    try (SecretsManagerClient app = sidecar.client(StaticCredentialsProvider.create(AwsSessionCredentials.create(
        credentials.accessKeyId(), credentials.secretAccessKey(), credentials.sessionToken())))) {
      app.getSecretValue(r -> r.secretId("prod/db"));
    }
    JsonNode identity = AuditRecords.last(dataDir).path("userIdentity");
    assertEquals("AssumedRole", identity.path("type").asText());
    assertEquals("arn:aws:sts::123456789012:assumed-role/reader/app-1", identity.path("arn").asText());
    assertTrue(identity.path("principalId").asText().matches("AROA[A-Z0-9]+:app-1"), identity.path("principalId").asText());
    assertEquals(credentials.accessKeyId(), identity.path("accessKeyId").asText());
    JsonNode issuer = identity.path("sessionContext").path("sessionIssuer");
    assertEquals("Role", issuer.path("type").asText());
    assertEquals("arn:aws:iam::123456789012:role/reader", issuer.path("arn").asText());
    assertEquals("reader", issuer.path("userName").asText());
    assertEquals("false", identity.path("sessionContext").path("attributes").path("mfaAuthenticated").asText());
  }

  @Test
  void aDeprecatedVersionReadIsMarkedInTheRecord() {
    String first = admin.createSecret(r -> r.name("prod/db").secretString("one")).versionId();
    admin.putSecretValue(r -> r.secretId("prod/db").secretString("two"));
    admin.putSecretValue(r -> r.secretId("prod/db").secretString("three"));
    admin.getSecretValue(r -> r.secretId("prod/db").versionId(first));
    JsonNode data = AuditRecords.last(dataDir).path("additionalEventData");
    assertEquals(first, data.path("versionId").asText());
    assertEquals(0, data.path("versionStages").size());
    assertTrue(data.path("deprecatedVersion").asBoolean());
  }

  @Test
  void noPlaintextReachesTheAuditFilesInAFullLifecycle() throws Exception {
    List<String> plaintexts = new ArrayList<>();
    plaintexts.add("s3cret-string-value-0001");
    admin.createSecret(r -> r.name("app/one").secretString(plaintexts.get(0)));
    plaintexts.add("s3cret-binary-value-0002");
    admin.createSecret(r -> r.name("app/two").secretBinary(SdkBytes.fromUtf8String(plaintexts.get(1))));
    plaintexts.add("s3cret-put-value-0003");
    admin.putSecretValue(r -> r.secretId("app/one").secretString(plaintexts.get(2)));
    plaintexts.add("s3cret-update-value-0004");
    admin.updateSecret(r -> r.secretId("app/one").secretString(plaintexts.get(3)));
    admin.getSecretValue(r -> r.secretId("app/one"));
    admin.getSecretValue(r -> r.secretId("app/two"));
    admin.batchGetSecretValue(r -> r.secretIdList("app/one", "app/two"));
    plaintexts.add(admin.getRandomPassword(r -> r.passwordLength(40L)).randomPassword());
    iam.createUser(r -> r.userName("ci"));
    AccessKey key = iam.createAccessKey(r -> r.userName("ci")).accessKey();
    plaintexts.add(key.secretAccessKey());
    VirtualMFADevice device = iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("ci-phone")).virtualMFADevice();
    byte[] seed = Base32.decode(device.base32StringSeed().asUtf8String());
    plaintexts.add(device.base32StringSeed().asUtf8String());
    long step = Totp.step(System.currentTimeMillis());
    String code1 = Totp.code(seed, step - 1);
    String code2 = Totp.code(seed, step);
    iam.enableMFADevice(r -> r.userName("ci").serialNumber(device.serialNumber()).authenticationCode1(code1)
        .authenticationCode2(code2));
    try (StsClient sts = sts()) {
      Credentials session = sts.getSessionToken().credentials();
      plaintexts.add(session.secretAccessKey());
      plaintexts.add(session.sessionToken());
    }
    admin.deleteSecret(r -> r.secretId("app/two").forceDeleteWithoutRecovery(true));
    sidecar.restart();

    byte[] audit = AuditRecords.allBytes(dataDir);
    for (String plaintext : plaintexts) {
      assertEquals(-1, ByteSearch.indexOf(audit, plaintext.getBytes(StandardCharsets.UTF_8)),
          "a plaintext secret is in the audit files");
    }
    for (String code : List.of(code1, code2)) {
      assertTrue(AuditRecords.in(dataDir).stream().noneMatch(r -> r.path("requestParameters").toString().contains(code)));
    }
    assertEquals(List.of(), AuditVerifier.verify(dataDir.resolve("audit"), null).problems());
  }

  @Test
  void requestsFailWhileTheAuditLogCannotBeWrittenAndResumeAfter() throws IOException, InterruptedException {
    admin.createSecret(r -> r.name("prod/db").secretString("hunter2"));
    int before = AuditRecords.in(dataDir).size();
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(sidecar.endpoint().resolve("/readyz")).build();
    HttpRequest alive = HttpRequest.newBuilder(sidecar.endpoint().resolve("/healthz")).build();
    try (Unwritable locked = Unwritable.make(dataDir.resolve("audit"))) {
      SecretsManagerException refused = assertThrows(SecretsManagerException.class,
          () -> admin.getSecretValue(r -> r.secretId("prod/db")));
      assertEquals(503, refused.statusCode());
      assertEquals("ServiceUnavailableException", refused.awsErrorDetails().errorCode());
      assertEquals("The request cannot be recorded in the audit log, so it was not served: Stowaway serves no request "
          + "it cannot audit.", refused.awsErrorDetails().errorMessage());
      HttpResponse<String> notReady = http.send(ready, HttpResponse.BodyHandlers.ofString());
      assertEquals(503, notReady.statusCode());
      assertEquals("not ready: the audit log cannot be written\n", notReady.body());
      assertEquals(200, http.send(alive, HttpResponse.BodyHandlers.ofString()).statusCode(), "still alive");
      // While the log is down nothing is changed: the write is refused before it is made.
      assertThrows(SecretsManagerException.class, () -> admin.putSecretValue(r -> r.secretId("prod/db").secretString("x")));
    }
    assertEquals("hunter2", admin.getSecretValue(r -> r.secretId("prod/db")).secretString());
    assertEquals("ready\n", http.send(ready, HttpResponse.BodyHandlers.ofString()).body());
    assertEquals(1, admin.listSecretVersionIds(r -> r.secretId("prod/db")).versions().size());
    assertEquals(before + 2, AuditRecords.in(dataDir).size(), "the refused requests left no record; the later ones did");
  }

  @Test
  void thePurgeAtTheEndOfARecoveryWindowIsRecordedAsServiceEvents() {
    stop();
    MutableClock clock = new MutableClock(Instant.now());
    sidecar = RunningSidecar.in(dataDir, clock);
    iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
    admin = sidecar.client();
    String arn = admin.createSecret(r -> r.name("old/db").secretString("x")).arn();
    admin.deleteSecret(r -> r.secretId("old/db").recoveryWindowInDays(7L));
    clock.advance(Duration.ofDays(8));
    sidecar.sidecar().sweepDeletions();

    List<JsonNode> records = AuditRecords.in(dataDir);
    JsonNode start = records.get(records.size() - 2);
    JsonNode end = records.get(records.size() - 1);
    assertEquals("StartSecretVersionDelete", start.path("eventName").asText());
    assertEquals("EndSecretVersionDelete", end.path("eventName").asText());
    assertEquals("AwsServiceEvent", end.path("eventType").asText());
    assertEquals("secretsmanager.amazonaws.com", end.path("userIdentity").path("invokedBy").asText());
    assertEquals(arn, end.path("resources").path(0).path("ARN").asText());
    assertEquals(arn, end.path("serviceEventDetails").path("secretId").asText());
    assertEquals(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
        end.path("eventTime").asText());
  }

  @Test
  void aChangeMadeAsTheLogFailedIsRecordedWhenItRecovers() throws IOException {
    admin.createSecret(r -> r.name("prod/db").secretString("one"));
    try (Unwritable locked = Unwritable.make(dataDir.resolve("audit"))) {
      SecretsManagerException refused = assertThrows(SecretsManagerException.class,
          () -> admin.putSecretValue(r -> r.secretId("prod/db").secretString("two").clientRequestToken(TOKEN)));
      assertEquals(503, refused.statusCode());
    }
    // The client retries with its token: the change it made is not made twice, and both are on record.
    assertEquals(TOKEN, admin.putSecretValue(r -> r.secretId("prod/db").secretString("two").clientRequestToken(TOKEN))
        .versionId());
    List<JsonNode> records = AuditRecords.in(dataDir);
    JsonNode kept = records.get(records.size() - 2);
    assertEquals("PutSecretValue", kept.path("eventName").asText());
    assertTrue(kept.path("errorCode").isMissingNode(), "the record says what the vault did: the change was made");
    assertEquals("PutSecretValue", records.get(records.size() - 1).path("eventName").asText());
    assertEquals(2, admin.listSecretVersionIds(r -> r.secretId("prod/db")).versions().size());
  }

  private static final String TOKEN = "7b0c8f1e-1111-4a3e-9b52-2c1d1e0f0a01";

  private StsClient sts() {
    return StsClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
  }
}
