package dev.stowaway.vault.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.store.SecretRecord.RotationRecord;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecretRotationsTest {

  private static final String ROTATOR = "arn:aws:lambda:us-east-1:123456789012:function:stowaway-random-password";
  private static final String TOKEN = "11111111-2222-3333-4444-555555555555";

  private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
  private final Vault vault = TestVaults.inMemory(clock);
  private final SecretsService secrets = vault.secrets();
  private final SecretRotations rotations = secrets.rotations();
  private String arn;
  private String first;

  @BeforeEach
  void aSecret() {
    SecretRef ref = secrets.create(new CreateSecret("prod/db", null, null, SecretValue.ofString("one"), null, List.of()));
    arn = ref.arn();
    first = ref.versionId();
  }

  @AfterEach
  void close() {
    vault.close();
  }

  private Map<String, List<String>> stages() {
    return secrets.describe(arn).versionIdsToStages();
  }

  @Test
  void rotateStoresTheRotatorAndTheNextDate() {
    SecretRotations.Started started = rotations.rotate("prod/db", TOKEN, ROTATOR, 30, null, null, null);
    assertEquals(TOKEN, started.token());
    assertTrue(started.immediately());
    RotationRecord settings = rotations.settings(arn);
    assertTrue(settings.enabled());
    assertEquals(ROTATOR, settings.rotatorArn());
    assertEquals(Instant.parse("2026-03-31T10:00:00Z").toEpochMilli(), settings.nextRotationDate());
  }

  @Test
  void rotateWithoutAnyRotatorIsRefusedAsAwsDoes() {
    VaultException e = assertThrows(VaultException.class, () -> rotations.rotate("prod/db", null, null, 30, null, null,
        null));
    assertEquals(VaultError.INVALID_REQUEST, e.error());
    assertEquals("No Lambda rotation function ARN is associated with this secret.", e.getMessage());
  }

  @Test
  void finishMovesCurrentToTheNewVersionAndPreviousFollows() {
    rotations.rotate("prod/db", TOKEN, ROTATOR, 30, null, null, null);
    rotations.putPending(arn, TOKEN, SecretValue.ofString("two"));
    assertEquals(SecretRotations.Finish.SUCCEEDED, rotations.finish(arn, TOKEN));
    assertEquals(Map.of(first, List.of("AWSPREVIOUS"), TOKEN, List.of("AWSCURRENT")), stages());
    assertEquals(clock.millis(), rotations.settings(arn).lastRotatedDate());
  }

  @Test
  void aSecondRotationIsRefusedWhileOneIsUnfinished() {
    rotations.rotate("prod/db", TOKEN, ROTATOR, 30, null, null, null);
    rotations.putPending(arn, TOKEN, SecretValue.ofString("two"));
    VaultException e = assertThrows(VaultException.class, () -> rotations.rotate("prod/db", null, null, null, null,
        null, null));
    assertEquals(SecretRotations.IN_PROGRESS, e.getMessage());
    assertEquals(List.of(new SecretRotations.Due(arn, "prod/db", ROTATOR, TOKEN, true)), rotations.due(clock.instant()));
  }

  @Test
  void aFailureTakesPendingOffAndWaitsAnHourThenLonger() {
    rotations.rotate("prod/db", TOKEN, ROTATOR, 30, null, null, null);
    rotations.putPending(arn, TOKEN, SecretValue.ofString("two"));
    assertEquals(clock.instant().plus(Duration.ofHours(1)), rotations.fail(arn, TOKEN));
    assertEquals(Map.of(first, List.of("AWSCURRENT")), stages());
    assertEquals(clock.instant().plus(Duration.ofHours(2)), rotations.fail(arn, "another-token-that-never-was-pending"));
    assertEquals(2, rotations.settings(arn).failures());
  }

  @Test
  void aNewValuePutByHandAbandonsTheRotation() {
    rotations.rotate("prod/db", TOKEN, ROTATOR, 30, null, null, null);
    rotations.putPending(arn, TOKEN, SecretValue.ofString("two"));
    SecretRef mine = secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("mine"), null, null));
    assertEquals(SecretRotations.Finish.ABANDONED, rotations.finish(arn, TOKEN));
    assertEquals(Map.of(first, List.of("AWSPREVIOUS"), mine.versionId(), List.of("AWSCURRENT")), stages());
  }

  @Test
  void dueRotationsAreThoseWhoseDateHasCome() {
    rotations.rotate("prod/db", TOKEN, ROTATOR, null, "rate(1 day)", null, false);
    assertEquals(List.of(), rotations.due(clock.instant().plus(Duration.ofHours(23))));
    List<SecretRotations.Due> due = rotations.due(clock.instant().plus(Duration.ofDays(1)));
    assertEquals(1, due.size());
    assertEquals(false, due.get(0).resumed());
  }

  @Test
  void cancelStopsTheSchedule() {
    rotations.rotate("prod/db", TOKEN, ROTATOR, 1, null, null, false);
    rotations.cancel("prod/db");
    RotationRecord settings = rotations.settings(arn);
    assertEquals(false, settings.enabled());
    assertNull(settings.nextRotationDate());
    assertEquals(List.of(), rotations.due(clock.instant().plus(Duration.ofDays(5))));
  }
}
