package dev.stowaway.sidecar.iamquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Path;
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
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Issue 17, finding 2, as it was found: user A assumes role r1, that session assumes role r2, and
 * from then on every DeleteUser answered 500, across restarts, until r2 was deleted.
 */
class ChainedRoleSessionIT {

  static final String ACCOUNT = "123456789012";
  static final String TRUST_ACCOUNT = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
      + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":root\"},\"Action\":\"sts:AssumeRole\"}}";
  static final String MAY_ASSUME = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
      + "\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}}";

  @TempDir Path dataDir;
  RunningSidecar sidecar;

  @BeforeEach
  void start() {
    sidecar = RunningSidecar.in(dataDir);
  }

  @AfterEach
  void stop() {
    sidecar.close();
  }

  IamClient iam() {
    return IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
  }

  StsClient sts(AwsCredentialsProvider credentials) {
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

  /** A assumes r1, r1's session assumes r2; returns the chained session's credentials. */
  Credentials chain(IamClient iam) {
    iam.createUser(r -> r.userName("a"));
    iam.putUserPolicy(r -> r.userName("a").policyName("may-assume").policyDocument(MAY_ASSUME));
    AccessKey key = iam.createAccessKey(r -> r.userName("a")).accessKey();
    for (String role : new String[] {"r1", "r2"}) {
      iam.createRole(r -> r.roleName(role).assumeRolePolicyDocument(TRUST_ACCOUNT));
      iam.putRolePolicy(r -> r.roleName(role).policyName("may-assume").policyDocument(MAY_ASSUME));
    }
    Credentials first;
    try (StsClient sts = sts(of(key))) {
      first = sts.assumeRole(r -> r.roleArn("arn:aws:iam::" + ACCOUNT + ":role/r1").roleSessionName("first"))
          .credentials();
    }
    try (StsClient sts = sts(of(first))) {
      return sts.assumeRole(r -> r.roleArn("arn:aws:iam::" + ACCOUNT + ":role/r2").roleSessionName("second"))
          .credentials();
    }
  }

  @Test
  void deleteUserSucceedsWhileAChainedRoleSessionExists() {
    try (IamClient iam = iam()) {
      Credentials chained = chain(iam);
      iam.createUser(r -> r.userName("bystander"));
      iam.deleteUser(r -> r.userName("bystander"));
      try (StsClient sts = sts(of(chained))) {
        assertEquals("arn:aws:sts::" + ACCOUNT + ":assumed-role/r2/second", sts.getCallerIdentity().arn(),
            "deleting someone else leaves the chained session alone");
      }
      assertThrows(NoSuchEntityException.class, () -> iam.getUser(r -> r.userName("bystander")));
    }
  }

  @Test
  void deleteUserSucceedsAfterARestartWithAChainedRoleSessionStored() {
    try (IamClient iam = iam()) {
      chain(iam);
      iam.createUser(r -> r.userName("bystander"));
    }
    sidecar.restart();
    try (IamClient iam = iam()) {
      iam.deleteUser(r -> r.userName("bystander"));
      assertThrows(NoSuchEntityException.class, () -> iam.getUser(r -> r.userName("bystander")));
    }
  }
}
