package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The version check that lets the agent stand aside on a JVM older than Java 11. No such JVM can be
 * installed on the build machine (Debian has no Java 8 or 10 package), so the check itself is tested
 * here; HostSurvivesIT runs the jar on one when there is one.
 */
class AgentEntryTest {

  @ParameterizedTest
  @CsvSource({"1.8, 8", "1.7, 7", "9, 9", "10, 10", "11, 11", "17, 17", "25, 25", "'', -1", "x, -1", "1.x, -1"})
  void readsTheFeatureReleaseOfEitherNumberingScheme(String specification, int feature) {
    assertEquals(feature, AgentEntry.featureRelease(specification));
  }

  @ParameterizedTest
  @CsvSource({"1.8, 1.8.0_412", "9, 9.0.4", "10, 10.0.2"})
  void refusesJvmsOlderThanItsFloorInOneLine(String specification, String version) {
    assertEquals("stowaway-agent: needs Java 11 or later, this JVM is " + version + "; the application starts without it",
        AgentEntry.refusal(specification, version));
  }

  @ParameterizedTest
  @CsvSource({"11, 11.0.24", "17, 17.0.15", "21, 21.0.5", "25, 25.0.3", "unknown, ?"})
  void startsOnItsFloorAndLaterAndWhenTheVersionCannotBeRead(String specification, String version) {
    assertNull(AgentEntry.refusal(specification, version));
  }

  @org.junit.jupiter.api.Test
  void aMissingVersionIsLetThrough() {
    assertNull(AgentEntry.refusal(null, null));
  }
}
