package dev.stowaway.agent.resolve;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Remembers which reference each handed-out value came from, by a keyed fingerprint (HMAC-SHA256
 * under a key that exists only in this JVM), never by the value itself. So when an application
 * copies a resolved password onward (Spring into HikariCP, say) the agent still knows whose it is.
 */
public final class Fingerprints {

  private final SecureRandom random;
  private volatile State state;

  /** Made on first use, so an application with nothing to resolve never pays for it. */
  private static final class State {
    final byte[] key = new byte[32];
    final ExpiringCache<ByteBuffer, Reference> known =
        new ExpiringCache<>(Long.MAX_VALUE, 10_000, ExpiringCache.SYSTEM_TICKER);

    State(SecureRandom random) {
      random.nextBytes(key);
    }
  }

  public Fingerprints(SecureRandom random) {
    this.random = random;
  }

  /** With a SecureRandom of its own, made on first use. */
  public Fingerprints() {
    this(null);
  }

  private State state() {
    State s = state;
    if (s == null) {
      synchronized (this) {
        if (state == null) {
          state = new State(random != null ? random : new SecureRandom());
        }
        s = state;
      }
    }
    return s;
  }

  public void remember(String value, Reference reference) {
    if (value != null && !value.isEmpty()) {
      state().known.put(fingerprint(value), reference);
    }
  }

  /** The reference {@code value} was resolved from, or null. */
  public Reference lookup(String value) {
    return value == null || value.isEmpty() || state == null ? null : state().known.getIfPresent(fingerprint(value));
  }

  private ByteBuffer fingerprint(String value) {
    byte[] mac = HmacSha256.of(state().key, value);
    try {
      return ByteBuffer.wrap(Arrays.copyOf(mac, 16));
    } finally {
      Arrays.fill(mac, (byte) 0);
    }
  }
}
