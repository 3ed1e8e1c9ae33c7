package dev.stowaway.agent.bootstrap;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Connection pools the application created, held weakly so the agent never keeps one alive.
 * Filled by advice in the pools' constructors; read by the agent when a secret changes.
 */
public final class PoolRegistry {

  private static final List<WeakReference<Object>> POOLS = new ArrayList<>();

  private PoolRegistry() {}

  public static void register(Object pool) {
    synchronized (POOLS) {
      POOLS.removeIf(r -> r.get() == null);
      POOLS.add(new WeakReference<>(pool));
    }
  }

  public static List<Object> pools() {
    List<Object> live = new ArrayList<>();
    synchronized (POOLS) {
      for (WeakReference<Object> r : POOLS) {
        Object pool = r.get();
        if (pool != null) {
          live.add(pool);
        }
      }
    }
    return live;
  }
}
