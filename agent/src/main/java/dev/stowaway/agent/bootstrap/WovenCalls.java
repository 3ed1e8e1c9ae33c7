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

  /**
   * A JDBC URL at connect, for the driver class {@code driver} (internal name): placeholders resolved
   * and written for its syntax. A value that cannot be written there is refused with the agent's
   * SQLException, thrown from the driver's {@code connect} as its own would be.
   */
  public static String url(String url, String driver) {
    try {
      return PlaceholderHook.resolveUrl(url, driver);
    } catch (PlaceholderHook.Refusal r) {
      throw WovenCalls.<RuntimeException>sneaky(r.getCause());
    } catch (Throwable t) {
      return url;
    }
  }

  /** Throws a checked exception (a SQLException, which this bootstrap class cannot name) from a method that may. */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T sneaky(Throwable t) throws T {
    throw (T) t;
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

  /** MariaDB's {@code Driver.connect(Configuration)} failed; the connection made on a retry, or null. */
  public static Object retryMariaDbConnect(Object configuration, Throwable failure) {
    try {
      return PlaceholderHook.retryMariaDbConnect(configuration, failure);
    } catch (Throwable t) {
      return null;
    }
  }

  /** H2's {@code JdbcDataSource.getConnection()} failed; the connection made on a retry, or null. */
  public static Object retryH2DataSourceConnect(Object dataSource, Throwable failure) {
    try {
      return PlaceholderHook.retryH2DataSourceConnect(dataSource, null, null, false, failure);
    } catch (Throwable t) {
      return null;
    }
  }

  /** H2's {@code JdbcDataSource.getConnection(user, password)} failed; the connection made on a retry, or null. */
  public static Object retryH2DataSourceConnect(Object dataSource, String user, String password, Throwable failure) {
    try {
      return PlaceholderHook.retryH2DataSourceConnect(dataSource, user, password, true, failure);
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
