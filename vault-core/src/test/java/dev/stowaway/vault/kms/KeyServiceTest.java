package dev.stowaway.vault.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeyServiceTest {

  private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
  private final Vault vault = TestVaults.inMemory(clock);
  private final KeyService keys = vault.keys();

  @AfterEach
  void close() {
    vault.close();
  }

  @Test
  void automaticRotationHappensWhenThePeriodHasPassed() {
    String key = keys.createKey("k", null, null).key().keyId();
    byte[] blob = keys.encrypt(key, "before".getBytes(StandardCharsets.UTF_8), Map.of()).ciphertextBlob();
    keys.enableKeyRotation(key, 90);
    clock.advance(Duration.ofDays(89));
    assertEquals(List.of(), keys.rotateDueKeys());
    clock.advance(Duration.ofDays(1));
    assertEquals(List.of(key), keys.rotateDueKeys());
    assertEquals(1, keys.keyRotationStatus(key).currentMaterialVersion());
    assertEquals(clock.instant().plus(Duration.ofDays(90)).toEpochMilli(), keys.keyRotationStatus(key).nextRotationDate());
    assertEquals("before", new String(keys.decrypt(null, blob, Map.of()).plaintext(), StandardCharsets.UTF_8));
  }

  @Test
  void aKeyIsDeletedWithItsAliasesWhenItsWaitingPeriodEnds() {
    String key = keys.createKey("k", null, null).key().keyId();
    keys.createAlias("alias/gone", key);
    keys.scheduleKeyDeletion(key, 7);
    clock.advance(Duration.ofDays(6));
    assertEquals(List.of(), keys.purgeDeletedKeys());
    clock.advance(Duration.ofDays(1));
    assertEquals(List.of(key), keys.purgeDeletedKeys());
    VaultException gone = assertThrows(VaultException.class, () -> keys.describeKey(key));
    assertEquals(VaultError.RESOURCE_NOT_FOUND, gone.error());
    assertEquals(false, keys.listAliases(null).containsKey("alias/gone"));
  }
}
