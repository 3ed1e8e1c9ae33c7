package dev.stowaway.agent.bootstrap;

import java.util.Map;
import java.util.Properties;

/**
 * The bridge between advice inlined into JDK and driver classes and the agent. It lives on the
 * bootstrap class path, so code inside {@code java.lang.System} or {@code java.util.Properties}
 * can see it, and it uses JDK types only. Until the agent is installed, and for values without a
 * placeholder, every call returns its argument unchanged.
 */
public final class PlaceholderHook {

  /** The marker every placeholder starts with; checked before anything else, on every call. */
  public static final String MARKER = "{{resolve:";

  /** What the agent provides; the bridge only routes to it. */
  public interface Agent {

    /** Resolves every placeholder in {@code text}. */
    String resolve(String text);

    /**
     * A value the agent handed out earlier (recognised by its keyed fingerprint) becomes the
     * current value of the same reference; anything else comes back as the same object.
     */
    String current(String value);

    /**
     * A database refused a login made with resolved credentials: fetch again (bypassing the cache,
     * then AWSPENDING) and reconnect. Returns the connection, or null to let the failure stand.
     */
    Object retryConnect(Object driver, String url, Properties info, Throwable failure);

    /**
     * Resolves the placeholders of a JDBC URL that {@code driverClass} will parse, each value written
     * for where it sits (percent-encoded in a query string, say). Throws a {@link Refusal} when a value
     * cannot be written there at all.
     */
    String resolveUrl(String url, String driverClass);

    /** As {@link #retryConnect}, for MariaDB Connector/J's static {@code Driver.connect(Configuration)}. */
    Object retryMariaDbConnect(Object configuration, Throwable failure);

    /**
     * As {@link #retryConnect}, for H2's {@code JdbcDataSource.getConnection}: with the user and
     * password given to it when {@code given}, else with the DataSource's own.
     */
    Object retryH2DataSourceConnect(Object dataSource, String user, String password, boolean given, Throwable failure);
  }

  /** The agent refuses a connect, with the exception (a SQLException) the driver's caller should see. */
  public static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Refusal(Throwable toThrow) {
      super(toThrow.getMessage(), toThrow, false, false);
    }
  }

  private static volatile Agent agent;

  /** Set while this thread is in the agent, so the agent's own reads are not resolved again. */
  private static final ThreadLocal<Boolean> INSIDE = new ThreadLocal<>();

  private PlaceholderHook() {}

  public static void install(Agent a) {
    agent = a;
  }

  public static void uninstall() {
    agent = null;
  }

  /**
   * Marks this thread as reading properties for someone outside the application ({@code jcmd
   * VM.system_properties}, attach): until {@link #endRawReads()}, placeholders are not resolved.
   */
  public static void beginRawReads() {
    INSIDE.set(Boolean.TRUE);
  }

  public static void endRawReads() {
    INSIDE.remove();
  }

  /** Resolves every placeholder in {@code value}; anything else comes back as it went in. */
  public static String resolve(String value) {
    Agent a = agent;
    if (a == null || value == null || value.indexOf(MARKER) < 0 || INSIDE.get() != null) {
      return value;
    }
    INSIDE.set(Boolean.TRUE);
    try {
      return a.resolve(value);
    } finally {
      INSIDE.remove();
    }
  }

  /** {@link #resolve(String)} for values typed as Object (Properties.get, Map.get). */
  public static Object resolveObject(Object value) {
    return value instanceof String ? resolve((String) value) : value;
  }

  /** A credential at connect time: placeholders resolved, values handed out earlier made current. */
  public static String credential(String value) {
    Agent a = agent;
    if (a == null || value == null || INSIDE.get() != null) {
      return value;
    }
    if (value.indexOf(MARKER) >= 0) {
      return resolve(value);
    }
    INSIDE.set(Boolean.TRUE);
    try {
      return a.current(value);
    } finally {
      INSIDE.remove();
    }
  }

  /**
   * A copy of JDBC connection properties with placeholders resolved and known credentials made
   * current, for one connect; the caller's own object is left as it was. Returns {@code info}
   * itself when nothing changes.
   */
  public static Properties resolveConnectionProperties(Properties info) {
    if (agent == null || info == null) {
      return info;
    }
    Properties copy = null;
    for (Map.Entry<Object, Object> e : info.entrySet()) {
      if (!(e.getValue() instanceof String)) {
        continue;
      }
      String value = (String) e.getValue();
      String key = String.valueOf(e.getKey());
      String now = key.equals("user") || key.equals("password") ? credential(value) : resolve(value);
      if (now != value) {
        if (copy == null) {
          copy = new Properties();
          copy.putAll(info);
        }
        copy.put(e.getKey(), now);
      }
    }
    return copy == null ? info : copy;
  }

  /** A JDBC URL at connect; see {@link Agent#resolveUrl}. */
  public static String resolveUrl(String url, String driverClass) {
    Agent a = agent;
    if (a == null || url == null || url.indexOf(MARKER) < 0 || INSIDE.get() != null) {
      return url;
    }
    INSIDE.set(Boolean.TRUE);
    try {
      return a.resolveUrl(url, driverClass);
    } finally {
      INSIDE.remove();
    }
  }

  /** Called when MariaDB's {@code Driver.connect(Configuration)} failed; see {@link Agent#retryMariaDbConnect}. */
  public static Object retryMariaDbConnect(Object configuration, Throwable failure) {
    Agent a = agent;
    if (a == null || failure == null || INSIDE.get() != null) {
      return null;
    }
    INSIDE.set(Boolean.TRUE);
    try {
      return a.retryMariaDbConnect(configuration, failure);
    } finally {
      INSIDE.remove();
    }
  }

  /** Called when H2's {@code JdbcDataSource.getConnection} failed; see {@link Agent#retryH2DataSourceConnect}. */
  public static Object retryH2DataSourceConnect(Object dataSource, String user, String password, boolean given,
      Throwable failure) {
    Agent a = agent;
    if (a == null || failure == null || INSIDE.get() != null) {
      return null;
    }
    INSIDE.set(Boolean.TRUE);
    try {
      return a.retryH2DataSourceConnect(dataSource, user, password, given, failure);
    } finally {
      INSIDE.remove();
    }
  }

  /** Called when {@code Driver.connect} failed; see {@link Agent#retryConnect}. */
  public static Object retryConnect(Object driver, String url, Properties info, Throwable failure) {
    Agent a = agent;
    if (a == null || failure == null || INSIDE.get() != null) {
      return null;
    }
    INSIDE.set(Boolean.TRUE);
    try {
      return a.retryConnect(driver, url, info, failure);
    } finally {
      INSIDE.remove();
    }
  }

  /**
   * MariaDB Connector/J's DataSource connects with a parsed {@code Configuration} rather than
   * through {@code Driver.connect(String, Properties)}: returns a copy with user and password
   * made current (through the Configuration's own {@code clone(user, password)}), or {@code conf}.
   */
  public static Object resolveMariaDbConfiguration(Object conf) throws ReflectiveOperationException {
    if (agent == null || conf == null) {
      return conf;
    }
    Class<?> type = conf.getClass();
    String user = (String) type.getMethod("user").invoke(conf);
    String password = (String) type.getMethod("password").invoke(conf);
    String nowUser = credential(user);
    String nowPassword = credential(password);
    if (nowUser == user && nowPassword == password) {
      return conf;
    }
    return type.getMethod("clone", String.class, String.class).invoke(conf, nowUser, nowPassword);
  }

  /** Wraps {@code System.getenv()}'s map so that reads of it resolve placeholders. */
  public static Map<String, String> environment(Map<String, String> env) {
    if (agent == null || env instanceof ResolvingEnvironment) {
      return env;
    }
    return new ResolvingEnvironment(env);
  }
}
