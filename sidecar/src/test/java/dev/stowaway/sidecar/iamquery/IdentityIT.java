package dev.stowaway.sidecar.iamquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.DeleteConflictException;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.PolicySourceType;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.sts.StsClient;

/** IAM and STS through the real AWS SDK v2 clients, and what their users may then do. */
class IdentityIT {

  static final String READ_PROD = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
      + "\"Action\":[\"secretsmanager:GetSecretValue\",\"secretsmanager:DescribeSecret\"],"
      + "\"Resource\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*\"}]}";

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static IamClient iam;
  static SecretsManagerClient adminSm;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    iam = iam(sidecar.adminCredentials());
    adminSm = sidecar.client();
    adminSm.createSecret(r -> r.name("prod/db").secretString("prod-value"));
    adminSm.createSecret(r -> r.name("dev/db").secretString("dev-value"));
  }

  @AfterAll
  static void stop() {
    iam.close();
    adminSm.close();
    sidecar.close();
  }

  static IamClient iam(AwsCredentialsProvider credentials) {
    return IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
  }

  static StsClient sts(AwsCredentialsProvider credentials) {
    return StsClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
  }

  static AwsCredentialsProvider of(AccessKey key) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()));
  }

  private static AccessKey newUserWithReadProd(String name) {
    iam.createUser(r -> r.userName(name));
    iam.putUserPolicy(r -> r.userName(name).policyName("read-prod").policyDocument(READ_PROD));
    return iam.createAccessKey(r -> r.userName(name)).accessKey();
  }

  @Test
  void callerIdentityNamesTheSigner() {
    try (StsClient sts = sts(sidecar.adminCredentials())) {
      var me = sts.getCallerIdentity();
      assertEquals("arn:aws:iam::123456789012:user/admin", me.arn());
      assertEquals("123456789012", me.account());
      assertTrue(me.userId().startsWith("AIDA"), me.userId());
    }
  }

  @Test
  void readOnlyUserReadsProdAndNothingElse() {
    AccessKey key = newUserWithReadProd("app");
    try (SecretsManagerClient app = sidecar.client(of(key)); IamClient appIam = iam(of(key));
         StsClient sts = sts(of(key))) {
      assertEquals("arn:aws:iam::123456789012:user/app", sts.getCallerIdentity().arn());
      assertEquals("prod-value", app.getSecretValue(r -> r.secretId("prod/db")).secretString());

      SecretsManagerException dev = assertThrows(SecretsManagerException.class,
          () -> app.getSecretValue(r -> r.secretId("dev/db")));
      assertEquals("AccessDeniedException", dev.awsErrorDetails().errorCode());
      assertEquals("User: arn:aws:iam::123456789012:user/app is not authorized to perform: "
          + "secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/db "
          + "because no identity-based policy allows the secretsmanager:GetSecretValue action",
          dev.awsErrorDetails().errorMessage());
      SecretsManagerException missing = assertThrows(SecretsManagerException.class,
          () -> app.getSecretValue(r -> r.secretId("dev/nothing")));
      assertEquals(dev.awsErrorDetails().errorMessage().replace("dev/db", "dev/nothing"),
          missing.awsErrorDetails().errorMessage());

      SecretsManagerException write = assertThrows(SecretsManagerException.class,
          () -> app.putSecretValue(r -> r.secretId("prod/db").secretString("x")));
      assertEquals("AccessDeniedException", write.awsErrorDetails().errorCode());

      AwsServiceException createUser = assertThrows(AwsServiceException.class, () -> appIam.createUser(r -> r.userName("eve")));
      assertEquals("AccessDenied", createUser.awsErrorDetails().errorCode());
      assertEquals(403, createUser.statusCode());
    }
    assertEquals("prod-value", adminSm.getSecretValue(r -> r.secretId("prod/db")).secretString());
  }

  @Test
  void inactiveKeyIsRejectedAndActiveAgainWorks() {
    AccessKey key = newUserWithReadProd("toggled");
    iam.updateAccessKey(r -> r.userName("toggled").accessKeyId(key.accessKeyId()).status(StatusType.INACTIVE));
    try (SecretsManagerClient app = sidecar.client(of(key))) {
      SecretsManagerException e = assertThrows(SecretsManagerException.class,
          () -> app.getSecretValue(r -> r.secretId("prod/db")));
      assertEquals("UnrecognizedClientException", e.awsErrorDetails().errorCode());
      iam.updateAccessKey(r -> r.userName("toggled").accessKeyId(key.accessKeyId()).status(StatusType.ACTIVE));
      assertEquals("prod-value", app.getSecretValue(r -> r.secretId("prod/db")).secretString());
    }
  }

  @Test
  void deletedUsersKeyStopsWorkingAtOnce() {
    AccessKey key = newUserWithReadProd("leaver");
    try (SecretsManagerClient app = sidecar.client(of(key))) {
      assertEquals("prod-value", app.getSecretValue(r -> r.secretId("prod/db")).secretString());
      DeleteConflictException conflict = assertThrows(DeleteConflictException.class,
          () -> iam.deleteUser(r -> r.userName("leaver")));
      assertEquals("Cannot delete entity, must delete access keys first.", conflict.awsErrorDetails().errorMessage());
      iam.deleteAccessKey(r -> r.userName("leaver").accessKeyId(key.accessKeyId()));
      iam.deleteUserPolicy(r -> r.userName("leaver").policyName("read-prod"));
      iam.deleteUser(r -> r.userName("leaver"));
      SecretsManagerException e = assertThrows(SecretsManagerException.class,
          () -> app.getSecretValue(r -> r.secretId("prod/db")));
      assertEquals("UnrecognizedClientException", e.awsErrorDetails().errorCode());
    }
  }

  @Test
  void resourcePolicyGrantsAUserWithNoIdentityPolicy() {
    iam.createUser(r -> r.userName("guest"));
    AccessKey key = iam.createAccessKey(r -> r.userName("guest")).accessKey();
    adminSm.createSecret(r -> r.name("shared/db").secretString("shared-value"));
    String grant = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        + "\"arn:aws:iam::123456789012:user/guest\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}";
    try (SecretsManagerClient guest = sidecar.client(of(key))) {
      assertEquals("AccessDeniedException", assertThrows(SecretsManagerException.class,
          () -> guest.getSecretValue(r -> r.secretId("shared/db"))).awsErrorDetails().errorCode());
      adminSm.putResourcePolicy(r -> r.secretId("shared/db").resourcePolicy(grant));
      assertEquals(grant, adminSm.getResourcePolicy(r -> r.secretId("shared/db")).resourcePolicy());
      assertEquals("shared-value", guest.getSecretValue(r -> r.secretId("shared/db")).secretString());
      adminSm.deleteResourcePolicy(r -> r.secretId("shared/db"));
      assertEquals("AccessDeniedException", assertThrows(SecretsManagerException.class,
          () -> guest.getSecretValue(r -> r.secretId("shared/db"))).awsErrorDetails().errorCode());
    }
  }

  @Test
  void resourcePolicyDenyBeatsTheAdministrator() {
    adminSm.createSecret(r -> r.name("locked/db").secretString("v"));
    adminSm.putResourcePolicy(r -> r.secretId("locked/db").resourcePolicy("{\"Statement\":{\"Effect\":\"Deny\","
        + "\"Principal\":\"*\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}}"));
    SecretsManagerException e = assertThrows(SecretsManagerException.class,
        () -> adminSm.getSecretValue(r -> r.secretId("locked/db")));
    assertTrue(e.awsErrorDetails().errorMessage().endsWith("with an explicit deny in a resource-based policy"),
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void malformedAndPublicResourcePoliciesAreRefused() {
    adminSm.createSecret(r -> r.name("guarded/db").secretString("v"));
    SecretsManagerException malformed = assertThrows(SecretsManagerException.class,
        () -> adminSm.putResourcePolicy(r -> r.secretId("guarded/db").resourcePolicy("{\"Statement\":{\"Effect\":"
            + "\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}")));
    assertEquals("MalformedPolicyDocumentException", malformed.awsErrorDetails().errorCode());
    assertEquals("This resource policy contains a syntax error: Missing required field Principal in Statement 1",
        malformed.awsErrorDetails().errorMessage());
    SecretsManagerException open = assertThrows(SecretsManagerException.class,
        () -> adminSm.putResourcePolicy(r -> r.secretId("guarded/db").blockPublicPolicy(true).resourcePolicy(
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}}")));
    assertEquals("PublicPolicyException", open.awsErrorDetails().errorCode());
    assertEquals(null, adminSm.getResourcePolicy(r -> r.secretId("guarded/db")).resourcePolicy());
    String everyone = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}}";
    adminSm.putResourcePolicy(r -> r.secretId("guarded/db").resourcePolicy(everyone)); // AWS blocks only when asked
    assertEquals(everyone, adminSm.getResourcePolicy(r -> r.secretId("guarded/db")).resourcePolicy());
    var validation = adminSm.validateResourcePolicy(r -> r.resourcePolicy("{\"Statement\":[]}"));
    assertEquals(false, validation.policyValidationPassed());
    assertEquals("Syntax errors in policy: Statement is empty.", validation.validationErrors().get(0).errorMessage());
    assertEquals(true, adminSm.validateResourcePolicy(r -> r.resourcePolicy("{\"Statement\":{\"Effect\":\"Allow\","
        + "\"Principal\":{\"AWS\":\"123456789012\"},\"Action\":\"*\",\"Resource\":\"*\"}}")).policyValidationPassed());
  }

  @Test
  void groupPoliciesApplyToMembersOnly() {
    iam.createUser(r -> r.userName("member"));
    AccessKey key = iam.createAccessKey(r -> r.userName("member")).accessKey();
    iam.createGroup(r -> r.groupName("readers"));
    iam.putGroupPolicy(r -> r.groupName("readers").policyName("read-prod").policyDocument(READ_PROD));
    try (SecretsManagerClient member = sidecar.client(of(key))) {
      assertEquals("AccessDeniedException", assertThrows(SecretsManagerException.class,
          () -> member.getSecretValue(r -> r.secretId("prod/db"))).awsErrorDetails().errorCode());
      iam.addUserToGroup(r -> r.groupName("readers").userName("member"));
      assertEquals(List.of("readers"), iam.listGroupsForUser(r -> r.userName("member")).groups().stream()
          .map(g -> g.groupName()).toList());
      assertEquals("prod-value", member.getSecretValue(r -> r.secretId("prod/db")).secretString());
      DeleteConflictException inUse = assertThrows(DeleteConflictException.class,
          () -> iam.deleteGroup(r -> r.groupName("readers")));
      assertEquals("Cannot delete entity, must remove users from group first.", inUse.awsErrorDetails().errorMessage());
      iam.removeUserFromGroup(r -> r.groupName("readers").userName("member"));
      assertEquals("AccessDeniedException", assertThrows(SecretsManagerException.class,
          () -> member.getSecretValue(r -> r.secretId("prod/db"))).awsErrorDetails().errorCode());
    }
  }

  @Test
  void managedPoliciesAttachDetachAndRefuseDeletionWhileAttached() {
    iam.createUser(r -> r.userName("managed"));
    AccessKey key = iam.createAccessKey(r -> r.userName("managed")).accessKey();
    String arn = iam.createPolicy(r -> r.policyName("ReadProd").policyDocument(READ_PROD).description("prod reads"))
        .policy().arn();
    assertEquals("arn:aws:iam::123456789012:policy/ReadProd", arn);
    assertEquals("v1", iam.getPolicy(r -> r.policyArn(arn)).policy().defaultVersionId());
    assertEquals(READ_PROD, URLDecoder.decode(iam.getPolicyVersion(r -> r.policyArn(arn).versionId("v1"))
        .policyVersion().document(), StandardCharsets.UTF_8));
    iam.attachUserPolicy(r -> r.userName("managed").policyArn(arn));
    assertEquals(List.of(arn), iam.listAttachedUserPolicies(r -> r.userName("managed")).attachedPolicies().stream()
        .map(p -> p.policyArn()).toList());
    assertEquals(1, iam.getPolicy(r -> r.policyArn(arn)).policy().attachmentCount());
    try (SecretsManagerClient app = sidecar.client(of(key))) {
      assertEquals("prod-value", app.getSecretValue(r -> r.secretId("prod/db")).secretString());
      DeleteConflictException attached = assertThrows(DeleteConflictException.class,
          () -> iam.deletePolicy(r -> r.policyArn(arn)));
      assertEquals("Cannot delete a policy attached to entities.", attached.awsErrorDetails().errorMessage());
      iam.detachUserPolicy(r -> r.userName("managed").policyArn(arn));
      assertEquals("AccessDeniedException", assertThrows(SecretsManagerException.class,
          () -> app.getSecretValue(r -> r.secretId("prod/db"))).awsErrorDetails().errorCode());
      iam.deletePolicy(r -> r.policyArn(arn));
      assertTrue(iam.listPolicies().policies().stream().noneMatch(p -> p.arn().equals(arn)));
    }
  }

  @Test
  void simulatorSaysWhichStatementDecided() {
    iam.createUser(r -> r.userName("simulated"));
    iam.putUserPolicy(r -> r.userName("simulated").policyName("read-prod").policyDocument(READ_PROD));
    var results = iam.simulatePrincipalPolicy(r -> r.policySourceArn("arn:aws:iam::123456789012:user/simulated")
        .actionNames("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue")
        .resourceArns("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-abcdef")).evaluationResults();
    assertEquals("allowed", results.get(0).evalDecisionAsString());
    assertEquals("read-prod", results.get(0).matchedStatements().get(0).sourcePolicyId());
    assertEquals(PolicySourceType.USER, results.get(0).matchedStatements().get(0).sourcePolicyType());
    assertEquals("implicitDeny", results.get(1).evalDecisionAsString());
    assertTrue(results.get(1).matchedStatements().isEmpty());
  }

  @Test
  void simulatorNamesTheGroupPolicyThatDenies() {
    iam.createUser(r -> r.userName("grouped"));
    iam.putUserPolicy(r -> r.userName("grouped").policyName("read-prod").policyDocument(READ_PROD));
    iam.createGroup(r -> r.groupName("no-prod"));
    iam.addUserToGroup(r -> r.groupName("no-prod").userName("grouped"));
    iam.putGroupPolicy(r -> r.groupName("no-prod").policyName("deny-prod").policyDocument("""
        {"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"secretsmanager:*","Resource":"*"}}"""));
    var result = iam.simulatePrincipalPolicy(r -> r.policySourceArn("arn:aws:iam::123456789012:user/grouped")
        .actionNames("secretsmanager:GetSecretValue")
        .resourceArns("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-abcdef"))
        .evaluationResults().get(0);
    assertEquals("explicitDeny", result.evalDecisionAsString());
    assertEquals("deny-prod", result.matchedStatements().get(0).sourcePolicyId());
    assertEquals(PolicySourceType.GROUP, result.matchedStatements().get(0).sourcePolicyType());
  }

  @Test
  void iamErrorsHaveAwsCodes() {
    iam.createUser(r -> r.userName("dup"));
    EntityAlreadyExistsException exists = assertThrows(EntityAlreadyExistsException.class,
        () -> iam.createUser(r -> r.userName("dup")));
    assertEquals("User with name dup already exists.", exists.awsErrorDetails().errorMessage());
    assertEquals(409, exists.statusCode());
    NoSuchEntityException missing = assertThrows(NoSuchEntityException.class, () -> iam.getUser(r -> r.userName("nobody")));
    assertEquals("The user with name nobody cannot be found.", missing.awsErrorDetails().errorMessage());
    assertEquals(404, missing.statusCode());
    MalformedPolicyDocumentException malformed = assertThrows(MalformedPolicyDocumentException.class,
        () -> iam.putUserPolicy(r -> r.userName("dup").policyName("p").policyDocument("{\"Statement\":[]}")));
    assertEquals("Syntax errors in policy: Statement is empty.", malformed.awsErrorDetails().errorMessage());
  }

  @Test
  void policiesAndKeysAreListedAndReadBack() {
    iam.createUser(r -> r.userName("lister"));
    iam.putUserPolicy(r -> r.userName("lister").policyName("read-prod").policyDocument(READ_PROD));
    iam.createAccessKey(r -> r.userName("lister"));
    assertEquals(List.of("read-prod"), iam.listUserPolicies(r -> r.userName("lister")).policyNames());
    String document = iam.getUserPolicy(r -> r.userName("lister").policyName("read-prod")).policyDocument();
    assertEquals(READ_PROD, URLDecoder.decode(document, StandardCharsets.UTF_8));
    assertEquals(1, iam.listAccessKeys(r -> r.userName("lister")).accessKeyMetadata().size());
    assertTrue(iam.listUsers().users().stream().anyMatch(u -> u.userName().equals("lister")));
  }
}
