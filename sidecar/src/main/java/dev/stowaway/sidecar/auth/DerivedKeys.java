package dev.stowaway.sidecar.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * SigV4 signing keys (kSigning) derived from access keys' secrets, each kept for at most five
 * minutes, so that a request need not unseal its key's secret and run four HMACs again. A derived
 * key is good only for its date, region and service; it is zeroed when it leaves the cache. Whether
 * the access key may still be used is checked on every request, not here.
 */
final class DerivedKeys {

  static final Duration KEEP = Duration.ofMinutes(5);

  /** What a derived key is good for. */
  record Scope(String accessKeyId, String date, String region, String service) {}

  private final Cache<Scope, Held> keys;

  DerivedKeys() {
    this(Ticker.systemTicker());
  }

  DerivedKeys(Ticker ticker) {
    keys = Caffeine.newBuilder()
        .ticker(ticker)
        .expireAfterWrite(KEEP)
        .maximumSize(10_000)
        .executor(Runnable::run)
        .removalListener((Scope scope, Held held, RemovalCause cause) -> {
          if (held != null) {
            held.destroy();
          }
        })
        .build();
  }

  /**
   * A copy of the key for {@code scope}, which the caller zeroes after use; {@code derive} makes it
   * when it is not kept (and may answer null: no such key). Null if there is none.
   */
  byte[] copy(Scope scope, Supplier<byte[]> derive) {
    while (true) {
      Held held = keys.get(scope, s -> {
        byte[] derived = derive.get();
        return derived == null ? null : new Held(derived);
      });
      if (held == null) {
        return null;
      }
      byte[] copy = held.copy();
      if (copy != null) {
        return copy;
      }
      keys.asMap().remove(scope, held); // zeroed as it left the cache, under our feet: derive again
    }
  }

  /** Keys kept now (for tests). */
  long size() {
    keys.cleanUp();
    return keys.estimatedSize();
  }

  /** One derived key; copies and zeroing exclude each other, so no copy is ever half zeroed. */
  private static final class Held {
    private byte[] key;

    Held(byte[] key) {
      this.key = key;
    }

    synchronized byte[] copy() {
      return key == null ? null : key.clone();
    }

    synchronized void destroy() {
      if (key != null) {
        Arrays.fill(key, (byte) 0);
        key = null;
      }
    }
  }
}
