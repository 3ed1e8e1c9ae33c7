package dev.stowaway.sidecar.iamquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/** AssumeRole through the SDK: trust policies, the role's permissions, session policies, ExternalId, revocation. */
class AssumeRoleIT {

  static final String ACCOUNT = "123456789012";
  static final String READER = "arn:aws:iam::" + ACCOUNT + ":role/reader";
  static final String TRUST_APP = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
      + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":user/app\"},\"Action\":\"sts:AssumeRole\"}}";
  static final String READ_PROD = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
      + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"arn:aws:secretsmanager:*:*:secret:prod/*\"}}";

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static IamClient iam;
  static AccessKey app;
  static AccessKey bob;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
    try (SecretsManagerClient admin = sidecar.client()) {
      admin.createSecret(r -> r.name("prod/db").secretString("prod-db"));
      admin.createSecret(r -> r.name("prod/other").secretString("prod-other"));
      admin.createSecret(r -> r.name("dev/db").secretString("dev-db"));
    }
    iam.createUser(r -> r.userName("app"));
    iam.createUser(r -> r.userName("bob"));
    app = iam.createAccessKey(r -> r.userName("app")).accessKey();
    bob = iam.createAccessKey(r -> r.userName("bob")).accessKey();
    iam.createRole(r -> r.roleName("reader").assumeRolePolicyDocument(TRUST_APP));
    iam.putRolePolicy(r -> r.roleName("reader").policyName("read-prod").policyDocument(READ_PROD));
  }

  @AfterAll
  static void stop() {
    iam.close();
    sidecar.close();
  }

  static StsClient sts(AwsCredentialsProvider credentials) {
    return StsClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
  }

  static AwsCredentialsProvider of(AccessKey key) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()));
  }

  static AwsCredentialsProvider of(Credentials c) {
    return StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
        c.sessionToken()));
  }

  static String denial(String who, String secret, String why) {
    return "User: " + who + " is not authorized to perform: secretsmanager:GetSecretValue on resource: "
        + "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:" + secret + " " + why;
  }

  @Test
  void trustedUserActsWithTheRolesPermissions() {
    AssumeRoleResponse assumed;
    try (StsClient sts = sts(of(app))) {
      assumed = sts.assumeRole(r -> r.roleArn(READER).roleSessionName("app-session"));
    }
    String sessionArn = "arn:aws:sts::" + ACCOUNT + ":assumed-role/reader/app-session";
    assertEquals(sessionArn, assumed.assumedRoleUser().arn());
    assertTrue(assumed.assumedRoleUser().assumedRoleId().matches("AROA[A-Z2-7]{17}:app-session"),
        assumed.assumedRoleUser().assumedRoleId());
    assertTrue(assumed.credentials().accessKeyId().startsWith("ASIA"));
    try (StsClient sts = sts(of(assumed.credentials()));
         SecretsManagerClient sm = sidecar.client(of(assumed.credentials()))) {
      assertEquals(sessionArn, sts.getCallerIdentity().arn());
      assertEquals(assumed.assumedRoleUser().assumedRoleId(), sts.getCallerIdentity().userId());
      assertEquals("prod-db", sm.getSecretValue(r -> r.secretId("prod/db")).secretString());
      assertEquals(denial(sessionArn, "dev/db", "because no identity-based policy allows the "
          + "secretsmanager:GetSecretValue action"), assertThrows(SecretsManagerException.class,
          () -> sm.getSecretValue(r -> r.secretId("dev/db"))).awsErrorDetails().errorMessage());
    }
    try (SecretsManagerClient sm = sidecar.client(of(app))) {
      assertEquals("AccessDeniedException", assertThrows(SecretsManagerException.class,
          () -> sm.getSecretValue(r -> r.secretId("prod/db"))).awsErrorDetails().errorCode(),
          "app's own key has no permission: what the session could do came from the role");
    }
  }

  @Test
  void trustPolicyRefusesOtherUsersAndMissingRolesAlike() {
    try (StsClient sts = sts(of(bob))) {
      StsException refused = assertThrows(StsException.class,
          () -> sts.assumeRole(r -> r.roleArn(READER).roleSessionName("bob")));
      assertEquals("AccessDenied", refused.awsErrorDetails().errorCode());
      assertEquals(403, refused.statusCode());
      assertEquals("User: arn:aws:iam::" + ACCOUNT + ":user/bob is not authorized to perform: sts:AssumeRole on "
          + "resource: " + READER, refused.awsErrorDetails().errorMessage());
      StsException missing = assertThrows(StsException.class,
          () -> sts.assumeRole(r -> r.roleArn(READER + "-nope").roleSessionName("bob")));
      assertEquals(refused.awsErrorDetails().errorMessage() + "-nope", missing.awsErrorDetails().errorMessage());
    }
  }

  @Test
  void sessionPolicyNarrowsTheRole() {
    String onlyProdDb = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
        + "\"secretsmanager:GetSecretValue\",\"Resource\":\"arn:aws:secretsmanager:*:*:secret:prod/db-*\"}}";
    Credentials c;
    try (StsClient sts = sts(of(app))) {
      c = sts.assumeRole(r -> r.roleArn(READER).roleSessionName("narrow").policy(onlyProdDb)).credentials();
    }
    try (SecretsManagerClient sm = sidecar.client(of(c))) {
      assertEquals("prod-db", sm.getSecretValue(r -> r.secretId("prod/db")).secretString());
      assertEquals(denial("arn:aws:sts::" + ACCOUNT + ":assumed-role/reader/narrow", "prod/other",
          "because no session policy allows the secretsmanager:GetSecretValue action"),
          assertThrows(SecretsManagerException.class, () -> sm.getSecretValue(r -> r.secretId("prod/other")))
              .awsErrorDetails().errorMessage());
    }
  }

  @Test
  void externalIdConditionIsChecked() {
    iam.createRole(r -> r.roleName("partner").assumeRolePolicyDocument(TRUST_APP.replace("\"Action\"",
        "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"partner-7\"}},\"Action\"")));
    try (StsClient sts = sts(of(app))) {
      assertEquals("AccessDenied", assertThrows(StsException.class, () -> sts.assumeRole(r -> r
          .roleArn("arn:aws:iam::" + ACCOUNT + ":role/partner").roleSessionName("partner-session"))).awsErrorDetails().errorCode());
      assertEquals("AccessDenied", assertThrows(StsException.class, () -> sts.assumeRole(r -> r
          .roleArn("arn:aws:iam::" + ACCOUNT + ":role/partner").roleSessionName("partner-session").externalId("wrong")))
          .awsErrorDetails().errorCode());
      assertTrue(sts.assumeRole(r -> r.roleArn("arn:aws:iam::" + ACCOUNT + ":role/partner").roleSessionName("partner-session")
          .externalId("partner-7")).credentials().accessKeyId().startsWith("ASIA"));
    }
  }

  @Test
  void deletingTheRoleEndsItsSessions() {
    iam.createRole(r -> r.roleName("temporary").assumeRolePolicyDocument(TRUST_APP));
    iam.putRolePolicy(r -> r.roleName("temporary").policyName("read-prod").policyDocument(READ_PROD));
    Credentials c;
    try (StsClient sts = sts(of(app))) {
      c = sts.assumeRole(r -> r.roleArn("arn:aws:iam::" + ACCOUNT + ":role/temporary").roleSessionName("short-lived"))
          .credentials();
    }
    try (SecretsManagerClient sm = sidecar.client(of(c))) {
      assertEquals("prod-db", sm.getSecretValue(r -> r.secretId("prod/db")).secretString());
      iam.deleteRolePolicy(r -> r.roleName("temporary").policyName("read-prod"));
      iam.deleteRole(r -> r.roleName("temporary"));
      assertEquals("UnrecognizedClientException", assertThrows(SecretsManagerException.class,
          () -> sm.getSecretValue(r -> r.secretId("prod/db"))).awsErrorDetails().errorCode());
    }
  }
}
