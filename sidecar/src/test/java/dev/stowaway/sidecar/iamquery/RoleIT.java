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
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.DeleteConflictException;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Role;

/** IAM roles through the SDK's IamClient: trust policies, inline and attached policies, deletion rules. */
class RoleIT {

  static final String TRUST_APP = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
      + "\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/app\"},\"Action\":\"sts:AssumeRole\"}}";
  static final String READ_PROD = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
      + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"arn:aws:secretsmanager:*:*:secret:prod/*\"}}";

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static IamClient iam;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
  }

  @AfterAll
  static void stop() {
    iam.close();
    sidecar.close();
  }

  @Test
  void roleIsCreatedReadListedAndDeleted() {
    Role created = iam.createRole(r -> r.roleName("reader").assumeRolePolicyDocument(TRUST_APP)
        .description("reads prod")).role();
    assertEquals("arn:aws:iam::123456789012:role/reader", created.arn());
    assertTrue(created.roleId().matches("AROA[A-Z2-7]{17}"), created.roleId());
    Role read = iam.getRole(r -> r.roleName("reader")).role();
    assertEquals(TRUST_APP, URLDecoder.decode(read.assumeRolePolicyDocument(), StandardCharsets.UTF_8));
    assertEquals("reads prod", read.description());
    assertEquals(3600, read.maxSessionDuration());
    assertTrue(iam.listRoles().roles().stream().anyMatch(r -> r.roleName().equals("reader")));
    EntityAlreadyExistsException dup = assertThrows(EntityAlreadyExistsException.class,
        () -> iam.createRole(r -> r.roleName("reader").assumeRolePolicyDocument(TRUST_APP)));
    assertEquals("Role with name reader already exists.", dup.awsErrorDetails().errorMessage());
    iam.deleteRole(r -> r.roleName("reader"));
    NoSuchEntityException gone = assertThrows(NoSuchEntityException.class,
        () -> iam.getRole(r -> r.roleName("reader")));
    assertEquals("The role with name reader cannot be found.", gone.awsErrorDetails().errorMessage());
  }

  @Test
  void rolePoliciesBlockDeletionUntilRemoved() {
    iam.createRole(r -> r.roleName("worker").assumeRolePolicyDocument(TRUST_APP));
    iam.putRolePolicy(r -> r.roleName("worker").policyName("read-prod").policyDocument(READ_PROD));
    assertEquals(List.of("read-prod"), iam.listRolePolicies(r -> r.roleName("worker")).policyNames());
    assertEquals(READ_PROD, URLDecoder.decode(iam.getRolePolicy(r -> r.roleName("worker").policyName("read-prod"))
        .policyDocument(), StandardCharsets.UTF_8));
    String arn = iam.createPolicy(r -> r.policyName("managed-read").policyDocument(READ_PROD)).policy().arn();
    iam.attachRolePolicy(r -> r.roleName("worker").policyArn(arn));
    assertEquals("Cannot delete a policy attached to entities.", assertThrows(DeleteConflictException.class,
        () -> iam.deletePolicy(r -> r.policyArn(arn))).awsErrorDetails().errorMessage());
    assertEquals("Cannot delete entity, must delete policies first.", assertThrows(DeleteConflictException.class,
        () -> iam.deleteRole(r -> r.roleName("worker"))).awsErrorDetails().errorMessage());
    iam.deleteRolePolicy(r -> r.roleName("worker").policyName("read-prod"));
    assertEquals("Cannot delete entity, must detach all policies first.", assertThrows(DeleteConflictException.class,
        () -> iam.deleteRole(r -> r.roleName("worker"))).awsErrorDetails().errorMessage());
    iam.detachRolePolicy(r -> r.roleName("worker").policyArn(arn));
    iam.deleteRole(r -> r.roleName("worker"));
    iam.deletePolicy(r -> r.policyArn(arn));
  }

  @Test
  void trustPolicyMustNamePrincipalsAndCanBeReplaced() {
    MalformedPolicyDocumentException noPrincipal = assertThrows(MalformedPolicyDocumentException.class,
        () -> iam.createRole(r -> r.roleName("broken").assumeRolePolicyDocument("{\"Version\":\"2012-10-17\","
            + "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}}")));
    assertTrue(noPrincipal.awsErrorDetails().errorMessage().contains("Principal"),
        noPrincipal.awsErrorDetails().errorMessage());
    iam.createRole(r -> r.roleName("switched").assumeRolePolicyDocument(TRUST_APP));
    String trustOps = TRUST_APP.replace("user/app", "user/ops");
    iam.updateAssumeRolePolicy(r -> r.roleName("switched").policyDocument(trustOps));
    assertEquals(trustOps, URLDecoder.decode(iam.getRole(r -> r.roleName("switched")).role()
        .assumeRolePolicyDocument(), StandardCharsets.UTF_8));
    iam.deleteRole(r -> r.roleName("switched"));
  }
}
