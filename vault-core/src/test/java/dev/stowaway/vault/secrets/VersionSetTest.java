package dev.stowaway.vault.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VersionSetTest {

  private static final long DAY = Duration.ofDays(1).toMillis();

  @Test
  void firstVersionGetsOnlyTheLabelsItWasGiven() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 0, List.of("AWSCURRENT"));
    assertEquals(List.of("AWSCURRENT"), set.stagesOf("v1"));
    assertEquals(Optional.empty(), set.holderOf("AWSPREVIOUS"));
  }

  @Test
  void newCurrentMovesCurrentToPrevious() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 0, List.of("AWSCURRENT"));
    set.add("v2", 1, List.of("AWSCURRENT"));
    assertEquals(List.of("AWSPREVIOUS"), set.stagesOf("v1"));
    assertEquals(List.of("AWSCURRENT"), set.stagesOf("v2"));
  }

  @Test
  void thirdCurrentLeavesOldestVersionDeprecated() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 0, List.of("AWSCURRENT"));
    set.add("v2", 1, List.of("AWSCURRENT"));
    set.add("v3", 2, List.of("AWSCURRENT"));
    assertEquals(List.of(), set.stagesOf("v1"));
    assertEquals(List.of("AWSPREVIOUS"), set.stagesOf("v2"));
  }

  @Test
  void pendingVersionLeavesCurrentAlone() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 0, List.of("AWSCURRENT"));
    set.add("v2", 1, List.of("AWSPENDING"));
    assertEquals(List.of("AWSCURRENT"), set.stagesOf("v1"));
    assertEquals(List.of("AWSPENDING"), set.stagesOf("v2"));
  }

  @Test
  void customLabelMovesFromItsHolder() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 0, List.of("AWSCURRENT", "blue"));
    set.add("v2", 1, List.of("blue"));
    assertEquals(List.of("AWSCURRENT"), set.stagesOf("v1"));
    assertEquals(List.of("blue"), set.stagesOf("v2"));
  }

  @Test
  void movingCurrentByStageUpdateSetsPrevious() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 0, List.of("AWSCURRENT"));
    set.add("v2", 1, List.of("AWSPENDING"));
    set.moveStage("AWSCURRENT", "v1", "v2");
    assertEquals(List.of("AWSPENDING", "AWSCURRENT"), set.stagesOf("v2"));
    assertEquals(List.of("AWSPREVIOUS"), set.stagesOf("v1"));
  }

  @Test
  void movingAnAttachedLabelWithoutRemoveFromIsRefused() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 0, List.of("AWSCURRENT"));
    set.add("v2", 1, List.of("AWSPENDING"));
    VaultException e = assertThrows(VaultException.class, () -> set.moveStage("AWSCURRENT", null, "v2"));
    assertEquals(VaultError.INVALID_PARAMETER, e.error());
    assertEquals("The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently "
        + "attached to version v1, so you must explicitly reference that version in RemoveFromVersionId.", e.getMessage());
  }

  @Test
  void currentCannotBeRemovedWithoutAHome() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 0, List.of("AWSCURRENT"));
    VaultException e = assertThrows(VaultException.class, () -> set.moveStage("AWSCURRENT", "v1", null));
    assertEquals(VaultError.INVALID_PARAMETER, e.error());
  }

  @Test
  void removingACustomLabelDeprecatesTheVersion() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 0, List.of("AWSCURRENT"));
    set.add("v2", 1, List.of("blue"));
    set.moveStage("blue", "v2", null);
    assertEquals(List.of(), set.stagesOf("v2"));
  }

  @Test
  void unknownVersionIsNamedInTheError() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 0, List.of("AWSCURRENT"));
    VaultException e = assertThrows(VaultException.class, () -> set.moveStage("blue", null, "nope"));
    assertEquals("Not a valid version: nope", e.getMessage());
  }

  @Test
  void versionHoldsAtMostTwentyLabels() {
    VersionSet set = new VersionSet(List.of());
    List<String> twenty = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      twenty.add("l" + i);
    }
    set.add("v1", 0, twenty);
    set.add("v2", 1, List.of("extra"));
    VaultException e = assertThrows(VaultException.class, () -> set.moveStage("extra", "v2", "v1"));
    assertEquals(VaultError.LIMIT_EXCEEDED, e.error());
  }

  @Test
  void pruneDropsOldestDeprecatedVersionsOverTheLimit() {
    VersionSet set = new VersionSet(List.of());
    for (int i = 0; i < 101; i++) {
      set.add("v" + i, i, List.of("AWSCURRENT"));
    }
    List<String> dropped = set.prune(2 * DAY);
    assertEquals(List.of("v0"), dropped);
    assertEquals(List.of("AWSCURRENT"), set.stagesOf("v100"));
  }

  @Test
  void pruneNeverDropsAVersionYoungerThanADay() {
    VersionSet set = new VersionSet(List.of());
    for (int i = 0; i < 101; i++) {
      set.add("v" + i, DAY, List.of("AWSCURRENT"));
    }
    VaultException e = assertThrows(VaultException.class, () -> set.prune(DAY + 1000));
    assertEquals(VaultError.LIMIT_EXCEEDED, e.error());
  }

  @Test
  void recordsRoundTrip() {
    VersionSet set = new VersionSet(List.of());
    set.add("v1", 5, List.of("AWSCURRENT"));
    set.add("v2", 6, List.of("AWSCURRENT"));
    VersionSet copy = new VersionSet(set.toRecords());
    assertEquals(List.of("AWSPREVIOUS"), copy.stagesOf("v1"));
    assertEquals(Optional.of("v2"), copy.holderOf("AWSCURRENT"));
  }
}
