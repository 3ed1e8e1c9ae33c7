package dev.stowaway.vault.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.time.Duration;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoleSessionsTest {

  private static final String ROLE = "arn:aws:iam::123456789012:role/ops";
  private static final String TRUST_ACCOUNT = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
      + "\"123456789012\"},\"Action\":\"sts:AssumeRole\"}}";
  private static final String TRUST_WITH_MFA = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
      + "\"arn:aws:iam::123456789012:user/alice\"},\"Action\":\"sts:AssumeRole\","
      + "\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}}}";
  private static final String MAY_ASSUME = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
      + "\"Resource\":\"" + ROLE + "\"}}";

  private final MutableClock clock = MutableClock.at("2026-06-01T00:00:10Z");
  private final Vault vault = TestVaults.inMemory(clock);

  @AfterEach
  void close() {
    vault.close();
  }

  private Caller user(String name) {
    vault.identity().createUser(name, null);
    NewAccessKey key = vault.identity().createAccessKey(name);
    return vault.identity().callerFor(new Principal(name, vault.identity().userArn(name), key.accessKeyId()),
        "127.0.0.1", false);
  }

  private VaultException refused(Caller caller) {
    return assertThrows(VaultException.class, () -> vault.roleSessions().assumeRole(caller, ROLE, "s1", null, null,
        null, null, null));
  }

  @Test
  void trustNamingOnlyTheAccountNeedsAnIdentityAllowToo() {
    vault.roles().createRole("ops", null, TRUST_ACCOUNT, null, null);
    Caller alice = user("alice");
    VaultException e = refused(alice);
    assertEquals(VaultError.ACCESS_DENIED, e.error());
    assertEquals("User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on "
        + "resource: " + ROLE, e.getMessage());
    vault.identity().putUserPolicy("alice", "may-assume", MAY_ASSUME);
    AssumedRole assumed = vault.roleSessions().assumeRole(alice, ROLE, "s1", null, null, null, null, null);
    assertEquals("arn:aws:sts::123456789012:assumed-role/ops/s1", assumed.arn());
    assertEquals(clock.instant().plusSeconds(3600), assumed.credentials().expiration());
  }

  @Test
  void trustRequiringMfaAcceptsAFreshCodeOnly() {
    vault.roles().createRole("ops", null, TRUST_WITH_MFA, null, null);
    Caller alice = user("alice");
    byte[] seed = Base32.decode(vault.mfaDevices().createVirtual("alice-phone", null).base32Seed());
    String serial = "arn:aws:iam::123456789012:mfa/alice-phone";
    long now = Totp.step(clock.millis());
    vault.mfaDevices().enable("alice", serial, Totp.code(seed, now - 1), Totp.code(seed, now));
    assertEquals(VaultError.ACCESS_DENIED, refused(alice).error());
    clock.advance(Duration.ofSeconds(30));
    String code = Totp.code(seed, Totp.step(clock.millis()));
    AssumedRole assumed = vault.roleSessions().assumeRole(alice, ROLE, "s1", null, null, null, serial, code);
    assertEquals("arn:aws:sts::123456789012:assumed-role/ops/s1", assumed.arn());
    VaultException replay = assertThrows(VaultException.class, () -> vault.roleSessions().assumeRole(alice, ROLE,
        "s2", null, null, null, serial, code));
    assertEquals("MultiFactorAuthentication failed with invalid MFA one time pass code. ", replay.getMessage());
  }

  @Test
  void durationIsBoundedByTheRole() {
    vault.roles().createRole("ops", null, TRUST_ACCOUNT, null, 7200);
    Caller alice = user("alice");
    vault.identity().putUserPolicy("alice", "may-assume", MAY_ASSUME);
    assertEquals(clock.instant().plusSeconds(7200), vault.roleSessions().assumeRole(alice, ROLE, "s1", 7200, null,
        null, null, null).credentials().expiration());
    VaultException tooLong = assertThrows(VaultException.class, () -> vault.roleSessions().assumeRole(alice, ROLE,
        "s1", 7201, null, null, null, null));
    assertEquals("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        tooLong.getMessage());
  }

  @Test
  void aRoleSessionMustNameTheUserOfAnIamCall() {
    vault.roles().createRole("ops", null, TRUST_ACCOUNT, null, null);
    Caller alice = user("alice");
    vault.identity().putUserPolicy("alice", "may-assume", MAY_ASSUME);
    AssumedRole assumed = vault.roleSessions().assumeRole(alice, ROLE, "s1", null, null, null, null, null);
    Caller session = vault.identity().callerFor(new Principal(null, assumed.arn(),
        assumed.credentials().accessKeyId(), true, null, "ops", null), "127.0.0.1", false);
    assertEquals(assumed.assumedRoleId(), session.userId());
    VaultException e = assertThrows(VaultException.class, () -> vault.identity().as(session).listAccessKeys(null));
    assertEquals(VaultError.VALIDATION, e.error());
    assertEquals("Must specify userName when calling with non-User credentials", e.getMessage());
  }

  @Test
  void deleteUserSucceedsWhileAChainedRoleSessionExists() {
    vault.roles().createRole("ops", null, TRUST_ACCOUNT, null, null);
    vault.roles().createRole("deeper", null, TRUST_ACCOUNT, null, null);
    vault.roles().putRolePolicy("ops", "may-assume", MAY_ASSUME.replace(ROLE, "*"));
    Caller alice = user("alice");
    vault.identity().putUserPolicy("alice", "may-assume", MAY_ASSUME);
    AssumedRole first = vault.roleSessions().assumeRole(alice, ROLE, "s1", null, null, null, null, null);
    Caller session = vault.identity().callerFor(new Principal(null, first.arn(), first.credentials().accessKeyId(),
        true, null, "ops", null), "127.0.0.1", false);
    vault.roleSessions().assumeRole(session, "arn:aws:iam::123456789012:role/deeper", "s2", null, null, null, null,
        null);
    vault.identity().createUser("bystander", null);
    vault.identity().deleteUser("bystander");
    assertEquals(VaultError.RESOURCE_NOT_FOUND, assertThrows(VaultException.class,
        () -> vault.identity().getUser("bystander")).error());
  }
}
