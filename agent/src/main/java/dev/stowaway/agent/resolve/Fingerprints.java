package dev.stowaway.agent.resolve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

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
    final ThreadLocal<Mac> macs;
    final ExpiringCache<ByteBuffer, Reference> known =
        new ExpiringCache<>(Long.MAX_VALUE, 10_000, ExpiringCache.SYSTEM_TICKER);

    State(SecureRandom random) {
      random.nextBytes(key);
      this.macs = ThreadLocal.withInitial(() -> {
        try {
          Mac mac = Mac.getInstance("HmacSHA256");
          mac.init(new SecretKeySpec(key, "HmacSHA256"));
          return mac;
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException(e);
        }
      });
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
    byte[] mac = state().macs.get().doFinal(value.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(Arrays.copyOf(mac, 16));
  }
}
