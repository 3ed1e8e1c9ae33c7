package dev.stowaway.vault.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.store.MfaDeviceRecord;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MfaDevicesTest {

  private static final String SERIAL = "arn:aws:iam::123456789012:mfa/alice-phone";

  private final MutableClock clock = MutableClock.at("2026-06-01T00:00:10Z");
  private final Vault vault = TestVaults.inMemory(clock);
  private final MfaDevices mfa = vault.mfaDevices();

  @AfterEach
  void close() {
    vault.close();
  }

  private static void assertRefused(VaultError error, String message, Executable call) {
    VaultException e = assertThrows(VaultException.class, call);
    assertEquals(error, e.error());
    assertEquals(message, e.getMessage());
  }

  private String code(byte[] seed, long stepsFromNow) {
    return Totp.code(seed, Totp.step(clock.millis()) + stepsFromNow);
  }

  /** Creates alice and her device, enables it with the codes of the previous and current step. */
  private byte[] aliceWithEnabledDevice() {
    vault.identity().createUser("alice", null);
    byte[] seed = Base32.decode(mfa.createVirtual("alice-phone", null).base32Seed());
    mfa.enable("alice", SERIAL, code(seed, -1), code(seed, 0));
    return seed;
  }

  @Test
  void createdDeviceHasAnAwsSerialAndA64CharacterSeed() {
    NewMfaDevice device = mfa.createVirtual("alice-phone", null);
    assertEquals(SERIAL, device.serialNumber());
    assertTrue(device.base32Seed().matches("[A-Z2-7]{64}"), device.base32Seed());
    assertFalse(device.toString().contains(device.base32Seed()));
  }

  @Test
  void duplicateDeviceIsEntityAlreadyExists() {
    mfa.createVirtual("alice-phone", null);
    assertRefused(VaultError.RESOURCE_EXISTS, "MFADevice entity at the same path and name already exists.",
        () -> mfa.createVirtual("alice-phone", null));
  }

  @Test
  void enableNeedsTwoConsecutiveCodes() {
    vault.identity().createUser("alice", null);
    byte[] seed = Base32.decode(mfa.createVirtual("alice-phone", null).base32Seed());
    assertRefused(VaultError.INVALID_AUTHENTICATION_CODE, "Authentication code for device is not valid.",
        () -> mfa.enable("alice", SERIAL, code(seed, 0), code(seed, 0)));
    assertRefused(VaultError.INVALID_AUTHENTICATION_CODE, "Authentication code for device is not valid.",
        () -> mfa.enable("alice", SERIAL, code(seed, -3), code(seed, -2)));
    assertTrue(mfa.list("alice").isEmpty());
    mfa.enable("alice", SERIAL, code(seed, -1), code(seed, 0));
    List<MfaDeviceRecord> devices = mfa.list("alice");
    assertEquals(List.of(SERIAL), devices.stream().map(MfaDeviceRecord::serialNumber).toList());
  }

  @Test
  void aDeviceServesOneUser() {
    byte[] seed = aliceWithEnabledDevice();
    vault.identity().createUser("bob", null);
    clock.advance(Duration.ofSeconds(60));
    assertRefused(VaultError.RESOURCE_EXISTS, "MFA Device is already in use.",
        () -> mfa.enable("bob", SERIAL, code(seed, -1), code(seed, 0)));
  }

  @Test
  void verifyAcceptsAFreshCodeOnce() {
    byte[] seed = aliceWithEnabledDevice();
    assertFalse(mfa.verify("alice", SERIAL, code(seed, 0)), "the code used to enable it is spent");
    clock.advance(Duration.ofSeconds(30));
    String fresh = code(seed, 0);
    assertTrue(mfa.verify("alice", SERIAL, fresh));
    assertFalse(mfa.verify("alice", SERIAL, fresh), "replayed in its window");
    clock.advance(Duration.ofSeconds(30));
    assertFalse(mfa.verify("alice", SERIAL, fresh), "replayed a step later, still within tolerance");
  }

  @Test
  void verifyRefusesAnotherUsersDeviceAndWrongCodes() {
    byte[] seed = aliceWithEnabledDevice();
    vault.identity().createUser("bob", null);
    clock.advance(Duration.ofSeconds(30));
    assertFalse(mfa.verify("bob", SERIAL, code(seed, 0)));
    assertFalse(mfa.verify("alice", SERIAL, code(seed, 0).equals("000000") ? "111111" : "000000"));
    assertFalse(mfa.verify("alice", "arn:aws:iam::123456789012:mfa/nothing", code(seed, 0)));
    assertTrue(mfa.verify("alice", SERIAL, code(seed, 0)));
  }

  @Test
  void enabledDevicesBlockDeletionOfDeviceAndUser() {
    aliceWithEnabledDevice();
    assertRefused(VaultError.DELETE_CONFLICT, "MFA Device is already in use.", () -> mfa.deleteVirtual(SERIAL));
    assertRefused(VaultError.DELETE_CONFLICT, "Cannot delete entity, must remove MFA device first.",
        () -> vault.identity().deleteUser("alice"));
    mfa.deactivate("alice", SERIAL);
    assertTrue(mfa.list("alice").isEmpty());
    mfa.deleteVirtual(SERIAL);
    vault.identity().deleteUser("alice");
    assertRefused(VaultError.RESOURCE_NOT_FOUND,
        "VirtualMFADevice with serial number " + SERIAL + " doesn't exist.", () -> mfa.deleteVirtual(SERIAL));
  }

  @Test
  void deviceCallsAreAuthorized() {
    vault.identity().createUser("mallory", null);
    NewAccessKey key = vault.identity().createAccessKey("mallory");
    Caller mallory = vault.identity().callerFor(new Principal("mallory", vault.identity().userArn("mallory"),
        key.accessKeyId()), "127.0.0.1", false);
    VaultException e = assertThrows(VaultException.class, () -> mfa.as(mallory).createVirtual("m", null));
    assertEquals("User: arn:aws:iam::123456789012:user/mallory is not authorized to perform: "
        + "iam:CreateVirtualMFADevice on resource: arn:aws:iam::123456789012:mfa/m because no identity-based policy "
        + "allows the iam:CreateVirtualMFADevice action", e.getMessage());
  }
}
