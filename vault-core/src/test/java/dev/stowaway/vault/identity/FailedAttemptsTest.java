package dev.stowaway.vault.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailedAttemptsTest {

  private final MutableClock clock = MutableClock.at("2026-06-01T00:00:00Z");
  private final FailedAttempts attempts = new FailedAttempts(new FailedAttempts.Limit(3, Duration.ofMinutes(5)), clock);

  @Test
  void aKeyIsThrottledOnceItHasUsedUpItsFailures() {
    assertFalse(attempts.fail("k"));
    assertFalse(attempts.fail("k"));
    assertFalse(attempts.isThrottled("k"));
    assertTrue(attempts.fail("k"), "the third failure uses up the allowance");
    assertTrue(attempts.isThrottled("k"));
    assertFalse(attempts.isThrottled("other"));
  }

  @Test
  void theThrottleLiftsAsTheOldestFailureLeavesTheWindow() {
    attempts.fail("k");
    clock.advance(Duration.ofMinutes(1));
    attempts.fail("k");
    attempts.fail("k");
    clock.advance(Duration.ofMinutes(4).minusSeconds(1));
    assertTrue(attempts.isThrottled("k"));
    clock.advance(Duration.ofSeconds(1));
    assertFalse(attempts.isThrottled("k"), "the first failure is five minutes old");
    assertTrue(attempts.fail("k"), "one more try, then throttled again");
  }

  @Test
  void failuresOlderThanTheWindowAreForgotten() {
    attempts.fail("k");
    attempts.fail("k");
    clock.advance(Duration.ofMinutes(5));
    assertFalse(attempts.fail("k"));
    assertFalse(attempts.isThrottled("k"));
  }

  @Test
  void atMostMaxKeysAreKeptTheLeastRecentlyFailedGoingFirst() {
    for (int i = 0; i < 3; i++) {
      attempts.fail("old");
    }
    for (int i = 0; i < FailedAttempts.MAX_KEYS; i++) {
      attempts.fail("flood-" + i);
    }
    assertFalse(attempts.isThrottled("old"));
    assertEquals(false, attempts.isThrottled("flood-0"));
  }

  @Test
  void aLimitMustAllowAFailureWithinAPositiveWindow() {
    assertThrows(IllegalArgumentException.class, () -> new FailedAttempts.Limit(0, Duration.ofMinutes(1)));
    assertThrows(IllegalArgumentException.class, () -> new FailedAttempts.Limit(1, Duration.ZERO));
  }
}
