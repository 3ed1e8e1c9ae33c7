package dev.stowaway.agent.resolve;

import dev.stowaway.agent.AgentLog;
import dev.stowaway.agent.bootstrap.PoolRegistry;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * HikariCP pools, reached through Hikari's own public API (the pool MXBean), never by rewriting
 * its code. After a rotation, pools whose settings name the secret soft-evict their connections:
 * connections in use finish their work, and every new one is made with the new value.
 */
public final class HikariPools {


  private HikariPools() {}

  /**
   * Soft-evicts the pools whose settings hold a placeholder matching {@code concerned}, or a value
   * the agent handed out for such a reference ({@code copiedFrom}); returns how many.
   */
  public static int refresh(Predicate<Reference> concerned, Function<String, Reference> copiedFrom) {
    int refreshed = 0;
    for (Object pool : PoolRegistry.pools()) {
      try {
        if (settings(pool).stream().anyMatch(s -> mentions(s, concerned) || copied(s, concerned, copiedFrom))) {
          softEvict(pool);
          refreshed++;
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        AgentLog.warn("cannot refresh pool " + pool.getClass().getName() + ": " + e);
      }
    }
    return refreshed;
  }

  private static List<String> settings(Object pool) throws ReflectiveOperationException {
    List<String> values = new ArrayList<>();
    for (String getter : new String[] {"getJdbcUrl", "getUsername", "getPassword"}) {
      Object v = pool.getClass().getMethod(getter).invoke(pool);
      if (v instanceof String) {
        values.add((String) v);
      }
    }
    Object props = pool.getClass().getMethod("getDataSourceProperties").invoke(pool);
    if (props instanceof Properties) {
      for (Map.Entry<Object, Object> e : ((Properties) props).entrySet()) {
        if (e.getValue() instanceof String) {
          values.add((String) e.getValue());
        }
      }
    }
    return values;
  }

  private static boolean mentions(String setting, Predicate<Reference> concerned) {
    if (!PlaceholderParser.mightContain(setting)) {
      return false;
    }
    try {
      return PlaceholderParser.parse(setting).stream().map(Placeholder::reference).anyMatch(concerned);
    } catch (PlaceholderSyntaxException e) {
      return false;
    }
  }

  private static boolean copied(String setting, Predicate<Reference> concerned, Function<String, Reference> copiedFrom) {
    Reference from = copiedFrom.apply(setting);
    return from != null && concerned.test(from);
  }

  private static void softEvict(Object pool) throws ReflectiveOperationException {
    Object mxBean = pool.getClass().getMethod("getHikariPoolMXBean").invoke(pool);
    if (mxBean == null) {
      return; // not started yet: its first connections will use the new value anyway
    }
    Class<?> api = Class.forName("com.zaxxer.hikari.HikariPoolMXBean", false, pool.getClass().getClassLoader());
    Method softEvict = api.getMethod("softEvictConnections");
    softEvict.invoke(mxBean);
  }
}
