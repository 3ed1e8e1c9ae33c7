package dev.stowaway.agent.bootstrap;

import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * The bridge between advice inlined into JDK classes and the agent. It lives on the bootstrap
 * class path, so code inside {@code java.lang.System} or {@code java.util.Properties} can see it,
 * and it uses JDK types only. The agent installs the resolver once it is ready; until then, and
 * for values without a placeholder, every call returns its argument unchanged.
 */
public final class PlaceholderHook {

  /** The marker every placeholder starts with; checked before anything else, on every call. */
  public static final String MARKER = "{{resolve:";

  private static volatile UnaryOperator<String> resolver;

  /** Set while this thread is resolving, so the agent's own property reads are not resolved again. */
  private static final ThreadLocal<Boolean> RESOLVING = new ThreadLocal<>();

  private PlaceholderHook() {}

  public static void install(UnaryOperator<String> r) {
    resolver = r;
  }

  public static void uninstall() {
    resolver = null;
  }

  /** Resolves every placeholder in {@code value}; anything else comes back as it went in. */
  public static String resolve(String value) {
    UnaryOperator<String> r = resolver;
    if (r == null || value == null || value.indexOf(MARKER) < 0 || RESOLVING.get() != null) {
      return value;
    }
    RESOLVING.set(Boolean.TRUE);
    try {
      return r.apply(value);
    } finally {
      RESOLVING.remove();
    }
  }

  /** {@link #resolve(String)} for values typed as Object (Properties.get, Map.get). */
  public static Object resolveObject(Object value) {
    return value instanceof String s ? resolve(s) : value;
  }

  /**
   * A copy of JDBC connection properties with their placeholders resolved, for one connect; the
   * caller's own object keeps its placeholders. Returns {@code info} itself when it has none.
   */
  public static Properties resolveProperties(Properties info) {
    if (resolver == null || info == null) {
      return info;
    }
    boolean any = false;
    for (Object value : info.values()) {
      if (value instanceof String s && s.indexOf(MARKER) >= 0) {
        any = true;
        break;
      }
    }
    if (!any) {
      return info;
    }
    Properties copy = new Properties();
    for (Map.Entry<Object, Object> e : info.entrySet()) {
      copy.put(e.getKey(), resolveObject(e.getValue()));
    }
    return copy;
  }

  /**
   * MariaDB Connector/J's DataSource connects with a parsed {@code Configuration} rather than
   * through {@code Driver.connect(String, Properties)}: returns a copy with user and password
   * resolved (through the Configuration's own {@code clone(user, password)}), or {@code conf} itself.
   */
  public static Object resolveMariaDbConfiguration(Object conf) throws ReflectiveOperationException {
    if (resolver == null || conf == null) {
      return conf;
    }
    Class<?> type = conf.getClass();
    String user = (String) type.getMethod("user").invoke(conf);
    String password = (String) type.getMethod("password").invoke(conf);
    String resolvedUser = resolve(user);
    String resolvedPassword = resolve(password);
    if (resolvedUser == user && resolvedPassword == password) {
      return conf;
    }
    return type.getMethod("clone", String.class, String.class).invoke(conf, resolvedUser, resolvedPassword);
  }

  /** Wraps {@code System.getenv()}'s map so that reads of it resolve placeholders. */
  public static Map<String, String> environment(Map<String, String> env) {
    if (resolver == null || env instanceof ResolvingEnvironment) {
      return env;
    }
    return new ResolvingEnvironment(env);
  }
}
