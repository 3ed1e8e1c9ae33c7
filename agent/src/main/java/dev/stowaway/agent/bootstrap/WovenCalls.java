package dev.stowaway.agent.bootstrap;

import java.util.Properties;

/**
 * What code woven into JDBC drivers and pools calls. Each method hands back its argument when
 * anything goes wrong: a failure of the agent inside someone else's {@code connect} must leave
 * that call as it would have been without the agent.
 */
public final class WovenCalls {

  private WovenCalls() {}

  /** A URL or other setting: its placeholders resolved. */
  public static String resolve(String value) {
    try {
      return PlaceholderHook.resolve(value);
    } catch (Throwable t) {
      return value;
    }
  }

  /** A user name or password: placeholders resolved, a value handed out earlier made current. */
  public static String credential(String value) {
    try {
      return PlaceholderHook.credential(value);
    } catch (Throwable t) {
      return value;
    }
  }

  /** JDBC connection properties for one connect; see {@link PlaceholderHook#resolveConnectionProperties}. */
  public static Properties connectionProperties(Properties info) {
    try {
      return PlaceholderHook.resolveConnectionProperties(info);
    } catch (Throwable t) {
      return info;
    }
  }

  /** H2 passes a password as a {@code char[]} or a {@code String}. */
  public static Object h2Password(Object password) {
    try {
      if (password instanceof char[]) {
        String text = new String((char[]) password);
        String current = PlaceholderHook.credential(text);
        return current == text ? password : current.toCharArray();
      }
      if (password instanceof String) {
        return PlaceholderHook.credential((String) password);
      }
    } catch (Throwable t) {
      // as it was
    }
    return password;
  }

  /** MariaDB Connector/J's {@code Configuration}, with user and password made current. */
  public static Object mariaDbConfiguration(Object configuration) {
    try {
      return PlaceholderHook.resolveMariaDbConfiguration(configuration);
    } catch (Throwable t) {
      return configuration;
    }
  }

  /** A connect failed; the connection made on a retry, or null to let the failure stand. */
  public static Object retryConnect(Object driver, String url, Properties info, Throwable failure) {
    try {
      return PlaceholderHook.retryConnect(driver, url, info, failure);
    } catch (Throwable t) {
      return null;
    }
  }

  /** A HikariDataSource was constructed. */
  public static void pool(Object dataSource) {
    try {
      PoolRegistry.register(dataSource);
    } catch (Throwable t) {
      // the pool works; it is only not evicted on a rotation
    }
  }
}
