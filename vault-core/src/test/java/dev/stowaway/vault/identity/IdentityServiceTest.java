package dev.stowaway.vault.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class IdentityServiceTest {

  private final Vault vault = TestVaults.inMemory(MutableClock.at("2026-06-01T00:00:00Z"));
  private final IdentityService iam = vault.identity();

  @AfterEach
  void close() {
    vault.close();
  }

  private static void assertRefused(VaultError error, String message, Executable call) {
    VaultException e = assertThrows(VaultException.class, call);
    assertEquals(error, e.error());
    assertEquals(message, e.getMessage());
  }

  private Caller callerFor(String userName) {
    NewAccessKey key = iam.createAccessKey(userName);
    return iam.callerFor(new Principal(userName, iam.userArn(userName), key.accessKeyId()), "127.0.0.1", false);
  }

  @Test
  void createdUserHasAwsShapedIds() {
    var user = iam.createUser("app", null);
    assertEquals("arn:aws:iam::123456789012:user/app", user.arn());
    assertTrue(user.userId().matches("AIDA[A-Z2-7]{17}"), user.userId());
    assertEquals("/", user.path());
  }

  @Test
  void duplicateUserIsEntityAlreadyExists() {
    iam.createUser("app", null);
    assertRefused(VaultError.RESOURCE_EXISTS, "User with name app already exists.", () -> iam.createUser("app", null));
  }

  @Test
  void deleteUserRefusesWhileKeysOrPoliciesRemain() {
    iam.createUser("app", null);
    NewAccessKey key = iam.createAccessKey("app");
    assertRefused(VaultError.DELETE_CONFLICT, "Cannot delete entity, must delete access keys first.",
        () -> iam.deleteUser("app"));
    iam.deleteAccessKey("app", key.accessKeyId());
    iam.putUserPolicy("app", "read", IdentityService.ADMINISTRATOR_POLICY);
    assertRefused(VaultError.DELETE_CONFLICT, "Cannot delete entity, must delete policies first.",
        () -> iam.deleteUser("app"));
    iam.deleteUserPolicy("app", "read");
    iam.deleteUser("app");
    assertRefused(VaultError.RESOURCE_NOT_FOUND, "The user with name app cannot be found.", () -> iam.getUser("app"));
  }

  @Test
  void malformedPolicyIsRefusedWithTheReason() {
    iam.createUser("app", null);
    assertRefused(VaultError.MALFORMED_POLICY, "Missing required field Effect in Statement 1",
        () -> iam.putUserPolicy("app", "bad", "{\"Statement\":{\"Action\":\"*\",\"Resource\":\"*\"}}"));
  }

  @Test
  void atMostTwoAccessKeysPerUser() {
    iam.createUser("app", null);
    iam.createAccessKey("app");
    iam.createAccessKey("app");
    assertRefused(VaultError.LIMIT_EXCEEDED, "Cannot exceed quota for AccessKeysPerUser: 2", () -> iam.createAccessKey("app"));
  }

  @Test
  void inactiveKeyNoLongerSigns() {
    iam.createUser("app", null);
    NewAccessKey key = iam.createAccessKey("app");
    iam.updateAccessKey("app", key.accessKeyId(), "Inactive");
    assertTrue(vault.accessKeys().signingKey(key.accessKeyId()).isEmpty());
    iam.updateAccessKey("app", key.accessKeyId(), "Active");
    assertTrue(vault.accessKeys().signingKey(key.accessKeyId()).isPresent());
  }

  @Test
  void userWithoutPoliciesCannotCreateUsers() {
    iam.createUser("app", null);
    Caller app = callerFor("app");
    assertRefused(VaultError.ACCESS_DENIED, "User: arn:aws:iam::123456789012:user/app is not authorized to perform: "
        + "iam:CreateUser on resource: arn:aws:iam::123456789012:user/eve because no identity-based policy allows the "
        + "iam:CreateUser action", () -> iam.as(app).createUser("eve", null));
  }

  @Test
  void administratorPolicyAllowsIam() {
    iam.ensureAdministrator("root-admin");
    Caller admin = callerFor("root-admin");
    iam.as(admin).createUser("app", null);
    assertEquals(List.of("AdministratorAccess"), iam.as(admin).listUserPolicies("root-admin"));
  }

  @Test
  void getUserWithoutNameIsTheCaller() {
    iam.createUser("app", null);
    iam.putUserPolicy("app", "self", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"iam:GetUser\","
        + "\"Resource\":\"arn:aws:iam::123456789012:user/${aws:username}\"}}");
    Caller app = callerFor("app");
    assertEquals("app", iam.as(app).getUser(null).userName());
  }
}
