package dev.stowaway.agent.resolve;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * What the agent needs of a cache (a time to live per entry, a size bound, one load per key at a
 * time) in one small class. Caffeine did it with about 80 classes, which a fresh JVM took 130 to
 * 280 ms to load and set up on the first resolution; these caches hold a handful of entries.
 */
final class ExpiringCache<K, V> {

  /** Nanoseconds, as {@link System#nanoTime()}; not a lambda, whose first bootstrap costs start-up. */
  static final LongSupplier SYSTEM_TICKER = new LongSupplier() {
    @Override
    public long getAsLong() {
      return System.nanoTime();
    }
  };

  private static final class Entry<V> {
    final V value;
    final long written;

    Entry(V value, long written) {
      this.value = value;
      this.written = written;
    }
  }

  private final ConcurrentHashMap<K, Entry<V>> map = new ConcurrentHashMap<>();
  private final long ttlNanos;
  private final int maxSize;
  private final LongSupplier ticker;

  /** {@code ttlNanos} of {@link Long#MAX_VALUE} for entries that never expire. */
  ExpiringCache(long ttlNanos, int maxSize, LongSupplier ticker) {
    this.ttlNanos = ttlNanos;
    this.maxSize = maxSize;
    this.ticker = ticker;
  }

  V getIfPresent(K key) {
    Entry<V> e = map.get(key);
    if (e == null) {
      return null;
    }
    if (expired(e)) {
      map.remove(key, e);
      return null;
    }
    return e.value;
  }

  /** The cached value, or the loader's, stored; a loader's exception leaves nothing behind. */
  V get(K key, Function<? super K, ? extends V> loader) {
    V v = getIfPresent(key);
    if (v != null) {
      return v;
    }
    // compute holds this key while it loads: concurrent readers of the same key wait for one load.
    Entry<V> e = map.compute(key, (k, old) -> old != null && !expired(old) ? old : new Entry<>(loader.apply(k), now()));
    bound();
    return e.value;
  }

  /** As {@link #get}, but a cached value that {@code outdated} rejects is loaded again (once, for all callers). */
  V getUnless(K key, Predicate<? super V> outdated, Function<? super K, ? extends V> loader) {
    V v = getIfPresent(key);
    if (v != null && !outdated.test(v)) {
      return v;
    }
    Entry<V> e = map.compute(key, (k, old) -> old != null && !expired(old) && !outdated.test(old.value) ? old
        : new Entry<>(loader.apply(k), now()));
    bound();
    return e.value;
  }

  void put(K key, V value) {
    map.put(key, new Entry<>(value, now()));
    bound();
  }

  void invalidate(K key) {
    map.remove(key);
  }

  void invalidateAll() {
    map.clear();
  }

  /** Drops the entries whose key matches; returns how many were live. */
  int removeIf(Predicate<? super K> matches) {
    int dropped = 0;
    for (Map.Entry<K, Entry<V>> e : map.entrySet()) {
      if (matches.test(e.getKey()) && map.remove(e.getKey(), e.getValue()) && !expired(e.getValue())) {
        dropped++;
      }
    }
    return dropped;
  }

  /** The live entries now. */
  Map<K, V> snapshot() {
    Map<K, V> live = new HashMap<>();
    for (Map.Entry<K, Entry<V>> e : map.entrySet()) {
      if (!expired(e.getValue())) {
        live.put(e.getKey(), e.getValue().value);
      }
    }
    return live;
  }

  private boolean expired(Entry<V> e) {
    return ttlNanos != Long.MAX_VALUE && now() - e.written >= ttlNanos;
  }

  private long now() {
    return ticker.getAsLong();
  }

  /** Over the bound (thousands of distinct strings), the oldest entry goes; rare, so a scan will do. */
  private void bound() {
    while (map.size() > maxSize) {
      K oldest = null;
      long oldestWritten = Long.MAX_VALUE;
      for (Map.Entry<K, Entry<V>> e : map.entrySet()) {
        if (e.getValue().written < oldestWritten) {
          oldest = e.getKey();
          oldestWritten = e.getValue().written;
        }
      }
      if (oldest == null) {
        return;
      }
      map.remove(oldest);
    }
  }
}
