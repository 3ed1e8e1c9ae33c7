package dev.stowaway.vault.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Someone holding a user's key but not its MFA device tries codes until one fits. */
class MfaGuessingTest {

  private static final String SERIAL = "arn:aws:iam::123456789012:mfa/alice-phone";
  private static final String MFA_FAILED = "MultiFactorAuthentication failed, unable to validate MFA code.  "
      + "Please verify your MFA serial number is valid and associated with this user.";

  private final MutableClock clock = MutableClock.at("2026-06-01T00:00:10Z");
  private final Vault vault = TestVaults.inMemory(clock);
  private final List<MfaFailure> told = new CopyOnWriteArrayList<>();
  private byte[] seed;
  private Caller alice;

  @BeforeEach
  void aliceWithADevice() {
    vault.mfaDevices().onFailure(told::add);
    alice = userWithKey("alice");
    seed = Base32.decode(vault.mfaDevices().createVirtual("alice-phone", null).base32Seed());
    vault.mfaDevices().enable("alice", SERIAL, code(-1), code(0));
    clock.advance(Duration.ofSeconds(30)); // the enabling codes are spent
    told.clear();
  }

  @AfterEach
  void close() {
    vault.close();
  }

  private Caller userWithKey(String name) {
    if (vault.identity().listUsers().stream().noneMatch(u -> u.userName().equals(name))) {
      vault.identity().createUser(name, null);
    }
    NewAccessKey key = vault.identity().createAccessKey(name);
    return vault.identity().callerFor(new Principal(name, vault.identity().userArn(name), key.accessKeyId()),
        "10.0.0.9", false);
  }

  private String code(long stepsFromNow) {
    return Totp.code(seed, Totp.step(clock.millis()) + stepsFromNow);
  }

  /** A code that is none of the three a device accepts now. */
  private String wrongCode() {
    List<String> valid = List.of(code(-1), code(0), code(1));
    for (int i = 0; ; i++) {
      String guess = String.format("%06d", i);
      if (!valid.contains(guess)) {
        return guess;
      }
    }
  }

  private NewSession session(Caller caller, String code) {
    return vault.sessions().getSessionToken(caller, 900, SERIAL, code);
  }

  private void guessWrongly(Caller caller, int times) {
    for (int i = 0; i < times; i++) {
      VaultException e = assertThrows(VaultException.class, () -> session(caller, wrongCode()));
      assertEquals(VaultError.ACCESS_DENIED, e.error(), "guess " + (i + 1));
      assertEquals(MFA_FAILED, e.getMessage());
    }
  }

  private static void assertThrottled(Runnable call) {
    VaultException e = assertThrows(VaultException.class, call::run);
    assertEquals(VaultError.THROTTLING, e.error());
    assertEquals("Rate exceeded", e.getMessage());
  }

  @Test
  void afterFiveWrongCodesEvenTheRightOneIsRefused() {
    guessWrongly(alice, 5);
    for (int i = 0; i < 200; i++) {
      assertThrottled(() -> session(alice, wrongCode()));
    }
    assertThrottled(() -> session(alice, code(0)));
    assertEquals(5, told.size(), "refusals while throttled check no code, so they are no failures");
  }

  @Test
  void theThrottleLiftsOnceTheWindowHasPassed() {
    guessWrongly(alice, 5);
    clock.advance(Vault.MFA_FAILURES.window());
    NewSession session = session(alice, code(0));
    assertNotNull(session.accessKeyId());
  }

  @Test
  void theDeviceIsThrottledWhicheverKeyTheCodesComeWith() {
    Caller aliceAgain = userWithKey("alice");
    guessWrongly(alice, 3);
    guessWrongly(aliceAgain, 2);
    assertThrottled(() -> session(aliceAgain, code(0)));
    assertThrottled(() -> session(alice, code(0)));
  }

  @Test
  void aKeyIsThrottledWhicheverDeviceItTries() {
    guessWrongly(alice, 5);
    VaultException e = assertThrows(VaultException.class, () -> vault.sessions().getSessionToken(alice, 900,
        "arn:aws:iam::123456789012:mfa/other", "123456"));
    assertEquals(VaultError.THROTTLING, e.error());
  }

  @Test
  void anotherUsersWrongCodesDoNotLockTheOwnerOut() {
    Caller mallory = userWithKey("mallory");
    guessWrongly(mallory, 5);
    assertThrottled(() -> session(mallory, code(0)));
    assertNotNull(session(alice, code(0)).accessKeyId(), "alice's device was never mallory's to use up");
  }

  @Test
  void everyWrongCodeIsToldWithoutTheCode() {
    guessWrongly(alice, 5);
    assertEquals(5, told.size());
    MfaFailure last = told.get(4);
    assertEquals(new MfaFailure("GetSessionToken", SERIAL, "arn:aws:iam::123456789012:user/alice",
        alice.accessKeyId(), "10.0.0.9", true), last);
    assertFalse(told.get(3).throttled());
  }

  @Test
  void enablingADeviceByGuessingIsThrottledToo() {
    vault.identity().putUserPolicy("alice", "mfa", "{\"Statement\":{\"Effect\":\"Allow\","
        + "\"Action\":\"iam:EnableMFADevice\",\"Resource\":\"*\"}}");
    String serial = vault.mfaDevices().createVirtual("spare", null).serialNumber();
    MfaDevices asAlice = vault.mfaDevices().as(alice);
    for (int i = 0; i < 5; i++) {
      VaultException e = assertThrows(VaultException.class, () -> asAlice.enable("alice", serial, "000000", "000001"));
      assertEquals(VaultError.INVALID_AUTHENTICATION_CODE, e.error());
    }
    VaultException e = assertThrows(VaultException.class, () -> asAlice.enable("alice", serial, "000000", "000001"));
    assertEquals(VaultError.THROTTLING, e.error());
    assertTrue(told.stream().allMatch(f -> f.operation().equals("EnableMFADevice")));
  }
}
