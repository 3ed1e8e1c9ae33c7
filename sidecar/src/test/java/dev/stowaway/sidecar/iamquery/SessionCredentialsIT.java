package dev.stowaway.sidecar.iamquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import dev.stowaway.vault.identity.Totp;
import dev.stowaway.vault.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/** GetSessionToken with and without MFA through the SDK, and what its credentials may do. */
class SessionCredentialsIT {

  /** AWS's recommended guard: everything, but no DeleteSecret without MFA (a long-term key has no MFA). */
  private static final String MFA_GUARDED = "{\"Version\":\"2012-10-17\",\"Statement\":["
      + "{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:*\",\"Resource\":\"*\"},"
      + "{\"Effect\":\"Deny\",\"Action\":\"secretsmanager:DeleteSecret\",\"Resource\":\"*\","
      + "\"Condition\":{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"false\"}}}]}";
  private static final String DENIED_WITHOUT_MFA = "User: arn:aws:iam::123456789012:user/ops is not authorized to "
      + "perform: secretsmanager:DeleteSecret on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:"
      + "ops/db with an explicit deny in an identity-based policy";

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(Instant.now());
  private RunningSidecar sidecar;
  private IamClient iam;
  private AccessKey opsKey;

  @BeforeEach
  void start() {
    sidecar = RunningSidecar.in(dataDir, clock);
    iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
    iam.createUser(r -> r.userName("ops"));
    iam.putUserPolicy(r -> r.userName("ops").policyName("mfa-guarded").policyDocument(MFA_GUARDED));
    opsKey = iam.createAccessKey(r -> r.userName("ops")).accessKey();
    try (SecretsManagerClient admin = sidecar.client()) {
      admin.createSecret(r -> r.name("ops/db").secretString("v"));
    }
  }

  @AfterEach
  void stop() {
    iam.close();
    sidecar.close();
  }

  private StsClient sts(AwsCredentialsProvider credentials) {
    return StsClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
  }

  private static AwsCredentialsProvider longTerm(AccessKey key) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()));
  }

  private static AwsCredentialsProvider session(Credentials c) {
    return StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
        c.sessionToken()));
  }

  private byte[] enableMfa() {
    String serial = "arn:aws:iam::123456789012:mfa/ops-phone";
    byte[] seed = Base32.decode(iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("ops-phone"))
        .virtualMFADevice().base32StringSeed().asUtf8String());
    long now = Totp.step(clock.millis());
    iam.enableMFADevice(r -> r.userName("ops").serialNumber(serial)
        .authenticationCode1(Totp.code(seed, now - 1)).authenticationCode2(Totp.code(seed, now)));
    clock.advance(Duration.ofSeconds(30)); // the enabling codes are spent
    return seed;
  }

  @Test
  void sessionWithoutMfaReadsButCannotDelete() {
    Credentials c;
    try (StsClient sts = sts(longTerm(opsKey))) {
      c = sts.getSessionToken().credentials();
    }
    assertTrue(c.accessKeyId().matches("ASIA[A-Z2-7]{16}"), c.accessKeyId());
    assertEquals(Duration.ofHours(12).getSeconds(),
        Duration.between(clock.instant(), c.expiration()).getSeconds(), 1);
    try (SecretsManagerClient sm = sidecar.client(session(c)); StsClient sts = sts(session(c))) {
      assertEquals("arn:aws:iam::123456789012:user/ops", sts.getCallerIdentity().arn());
      assertEquals("v", sm.getSecretValue(r -> r.secretId("ops/db")).secretString());
      SecretsManagerException denied = assertThrows(SecretsManagerException.class,
          () -> sm.deleteSecret(r -> r.secretId("ops/db")));
      assertEquals(DENIED_WITHOUT_MFA, denied.awsErrorDetails().errorMessage());
    }
    try (SecretsManagerClient sm = sidecar.client(longTerm(opsKey))) {
      assertEquals(DENIED_WITHOUT_MFA, assertThrows(SecretsManagerException.class,
          () -> sm.deleteSecret(r -> r.secretId("ops/db"))).awsErrorDetails().errorMessage());
    }
  }

  @Test
  void sessionWithMfaMayDelete() {
    byte[] seed = enableMfa();
    Credentials c;
    try (StsClient sts = sts(longTerm(opsKey))) {
      String code = Totp.code(seed, Totp.step(clock.millis()));
      c = sts.getSessionToken(r -> r.serialNumber("arn:aws:iam::123456789012:mfa/ops-phone").tokenCode(code)
          .durationSeconds(900)).credentials();
      StsException replay = assertThrows(StsException.class, () -> sts.getSessionToken(r -> r
          .serialNumber("arn:aws:iam::123456789012:mfa/ops-phone").tokenCode(code)));
      assertEquals("AccessDenied", replay.awsErrorDetails().errorCode());
      assertEquals("MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial "
          + "number is valid and associated with this user.", replay.awsErrorDetails().errorMessage());
    }
    try (SecretsManagerClient sm = sidecar.client(session(c))) {
      sm.deleteSecret(r -> r.secretId("ops/db").forceDeleteWithoutRecovery(true));
    }
  }

  @Test
  void sessionCredentialsNeedTheirToken() {
    Credentials c;
    try (StsClient sts = sts(longTerm(opsKey))) {
      c = sts.getSessionToken().credentials();
    }
    try (SecretsManagerClient sm = sidecar.client(StaticCredentialsProvider.create(
        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))) {
      SecretsManagerException e = assertThrows(SecretsManagerException.class,
          () -> sm.getSecretValue(r -> r.secretId("ops/db")));
      assertEquals("UnrecognizedClientException", e.awsErrorDetails().errorCode());
    }
    try (StsClient sts = sts(session(c))) {
      StsException e = assertThrows(StsException.class, () -> sts.getSessionToken());
      assertEquals("Cannot call GetSessionToken with session credentials", e.awsErrorDetails().errorMessage());
    }
  }

  @Test
  void expiredSessionIsRefusedWithExpiredToken() {
    Credentials c;
    try (StsClient sts = sts(longTerm(opsKey))) {
      c = sts.getSessionToken(r -> r.durationSeconds(900)).credentials();
      assertEquals("ValidationError", assertThrows(StsException.class,
          () -> sts.getSessionToken(r -> r.durationSeconds(899))).awsErrorDetails().errorCode());
    }
    assertEquals(200, getSecretValue(c).statusCode());
    clock.advance(Duration.ofSeconds(900));
    HttpResponse<String> expired = getSecretValue(c);
    assertEquals(400, expired.statusCode());
    assertTrue(expired.body().contains("\"__type\":\"ExpiredTokenException\""), expired.body());
    assertTrue(expired.body().contains("The security token included in the request is expired"), expired.body());
  }

  @Test
  void deletingTheUserEndsItsSessions() {
    Credentials c;
    try (StsClient sts = sts(longTerm(opsKey))) {
      c = sts.getSessionToken().credentials();
    }
    assertEquals(200, getSecretValue(c).statusCode());
    iam.deleteAccessKey(r -> r.userName("ops").accessKeyId(opsKey.accessKeyId()));
    iam.deleteUserPolicy(r -> r.userName("ops").policyName("mfa-guarded"));
    iam.deleteUser(r -> r.userName("ops"));
    HttpResponse<String> gone = getSecretValue(c);
    assertEquals(400, gone.statusCode());
    assertTrue(gone.body().contains("UnrecognizedClientException"), gone.body());
  }

  /** Signed on the sidecar's own clock, so the test can move time past the session's end. */
  private HttpResponse<String> getSecretValue(Credentials c) {
    URI uri = URI.create(sidecar.endpoint() + "/");
    byte[] body = "{\"SecretId\":\"ops/db\"}".getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new HashMap<>(Map.of("Content-Type", "application/x-amz-json-1.1",
        "X-Amz-Target", "secretsmanager.GetSecretValue", "X-Amz-Security-Token", c.sessionToken()));
    return SignedHttp.send("POST", uri, SignedHttp.sign("POST", uri, headers, body, c.accessKeyId(),
        c.secretAccessKey(), "us-east-1", "secretsmanager", clock), body);
  }
}
