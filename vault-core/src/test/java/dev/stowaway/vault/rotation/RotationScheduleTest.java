package dev.stowaway.vault.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RotationScheduleTest {

  private static final Instant FROM = Instant.parse("2026-11-30T10:17:42Z"); // a Monday

  @Test
  void automaticallyAfterDaysCountsFromTheLastRotation() {
    assertEquals(Instant.parse("2026-12-30T10:17:42Z"), RotationSchedule.of(30, null, null).next(FROM));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "rate(1 day)          | 2026-12-01T10:17:42Z",
      "rate(10 days)        | 2026-12-10T10:17:42Z",
      "rate(4 hours)        | 2026-11-30T14:17:42Z",
      "cron(0 16 1,15 * ? *) | 2026-12-01T16:00:00Z",
      "cron(0 8 ? * MON-FRI *) | 2026-12-01T08:00:00Z",
      "cron(30 10 ? * 2 *)  | 2026-11-30T10:30:00Z",
      "cron(0 0 L * ? *)    | 2026-12-31T00:00:00Z",
      "cron(0 0 L FEB ? 2028) | 2028-02-29T00:00:00Z",
      "cron(*/20 * * * ? *) | 2026-11-30T10:20:00Z",
      "cron(0 12 ? * SUN 2026) | 2026-12-06T12:00:00Z"})
  void schedulesGiveTheirNextTime(String expression, String next) {
    Instant expected = Instant.parse(next);
    assertEquals(expected, RotationSchedule.of(null, expression, null).next(FROM), expression);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "rate(0 days)", "rate(1 days)", "rate(2 day)", "rate(3 hours)", "rate(1001 days)", "every day",
      "cron(0 16 1 * * *)", "cron(0 16 ? * ? *)", "cron(0 16 1 *)", "cron(61 16 1 * ? *)", "cron(0 16 ? * 2#1 *)"})
  void badExpressionsAreRefusedAsInvalidParameters(String expression) {
    VaultException e = assertThrows(VaultException.class, () -> RotationSchedule.of(null, expression, null));
    assertEquals(VaultError.INVALID_PARAMETER, e.error());
    assertTrue(e.getMessage().startsWith("Invalid ScheduleExpression '" + expression + "'"), e.getMessage());
  }

  @Test
  void rulesAreValidatedAsAwsDoes() {
    assertEquals(VaultError.VALIDATION, assertThrows(VaultException.class, () -> RotationSchedule.of(0, null, null))
        .error());
    assertEquals(VaultError.VALIDATION, assertThrows(VaultException.class, () -> RotationSchedule.of(1001, null, null))
        .error());
    assertEquals(VaultError.INVALID_PARAMETER, assertThrows(VaultException.class,
        () -> RotationSchedule.of(1, "rate(1 day)", null)).error());
    assertEquals(VaultError.INVALID_PARAMETER, assertThrows(VaultException.class,
        () -> RotationSchedule.of(1, null, "25h")).error());
    assertEquals("3h", RotationSchedule.of(1, null, "3h").duration());
  }

  @Test
  void noRulesMeansNoSchedule() {
    RotationSchedule none = RotationSchedule.of(null, null, null);
    assertFalse(none.scheduled());
    assertNull(none.next(FROM));
  }
}
