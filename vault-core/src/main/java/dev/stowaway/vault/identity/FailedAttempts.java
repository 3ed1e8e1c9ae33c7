package dev.stowaway.vault.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed attempts to prove something (an MFA code, a signature) per key, over a sliding window:
 * a key with {@code failures} failures in the last {@code window} is throttled until the oldest
 * of them leaves the window. So a guesser gets at most {@code failures} tries per {@code window},
 * whatever rate it sends at. Kept in memory only: the limits hold per sidecar process.
 */
public final class FailedAttempts {

  /** How many failures a key may have within a window before it is throttled. */
  public record Limit(int failures, Duration window) {
    public Limit {
      if (failures < 1) {
        throw new IllegalArgumentException("failures must be at least 1, got " + failures);
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive, got " + window);
      }
    }
  }

  /**
   * Keys are attacker-chosen (any access key id can be claimed), so at most this many are kept;
   * the least recently failed go first.
   */
  static final int MAX_KEYS = 10_000;

  private final Limit limit;
  private final Clock clock;
  private final Map<String, Deque<Instant>> byKey = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Deque<Instant>> eldest) {
      return size() > MAX_KEYS;
    }
  };

  public FailedAttempts(Limit limit, Clock clock) {
    this.limit = limit;
    this.clock = clock;
  }

  public Limit limit() {
    return limit;
  }

  /** Whether {@code key} has used up its failures for now. */
  public synchronized boolean isThrottled(String key) {
    Deque<Instant> failures = recent(key);
    return failures != null && failures.size() >= limit.failures();
  }

  /** Counts a failure of {@code key}; returns whether that failure used up its allowance. */
  public synchronized boolean fail(String key) {
    Deque<Instant> failures = recent(key);
    if (failures == null) {
      failures = new ArrayDeque<>();
      byKey.put(key, failures);
    }
    failures.addLast(clock.instant());
    while (failures.size() > limit.failures()) {
      failures.removeFirst(); // more than the allowance tells nothing more
    }
    return failures.size() >= limit.failures();
  }

  /** The key's failures still in the window, or null if none; drops the key once none are. */
  private Deque<Instant> recent(String key) {
    Deque<Instant> failures = byKey.get(key);
    if (failures == null) {
      return null;
    }
    Instant oldest = clock.instant().minus(limit.window());
    while (!failures.isEmpty() && !failures.peekFirst().isAfter(oldest)) {
      failures.removeFirst();
    }
    if (failures.isEmpty()) {
      byKey.remove(key);
      return null;
    }
    return failures;
  }
}
