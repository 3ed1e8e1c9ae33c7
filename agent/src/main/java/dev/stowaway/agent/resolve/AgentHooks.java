package dev.stowaway.agent.resolve;

import dev.stowaway.agent.AgentLog;
import dev.stowaway.agent.bootstrap.PlaceholderHook;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the bootstrap bridge calls into: resolution for the advice (a JDBC URL's values written for its
 * driver's syntax), fingerprint lookups for values the application copied onward, and, when a database
 * refuses a login, the retry through a rotation ({@link LoginRetry}) for each connection path: a
 * driver's {@code connect}, MariaDB's {@code Driver.connect(Configuration)} and H2's DataSource.
 */
public final class AgentHooks implements PlaceholderHook.Agent {

  private final Resolver resolver;
  private final LoginRetry retry;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /** {@code retryWindow}: how long a refused login is retried while a rotation settles. */
  public AgentHooks(Resolver resolver, Duration retryWindow) {
    this.resolver = resolver;
    this.retry = new LoginRetry(resolver, retryWindow, Resolver.SYSTEM_TICKER);
  }

  @Override
  public String resolve(String text) {
    try {
      return resolver.apply(text);
    } catch (ResolutionException | PlaceholderSyntaxException e) {
      // Inside someone's getProperty or connect: leave the placeholder, say why once.
      if (warned.add(e.getMessage())) {
        AgentLog.warn("" + e.getMessage() + " (the placeholder is left in place)");
      }
      return text;
    }
  }

  @Override
  public String current(String value) {
    Reference reference = resolver.referenceOf(value);
    if (reference == null) {
      return value;
    }
    try {
      String now = resolver.resolve(reference).value();
      return now.equals(value) ? value : now;
    } catch (ResolutionException e) {
      return value;
    }
  }

  @Override
  public String resolveUrl(String url, String driverClass) {
    if (!PlaceholderParser.mightContain(url)) {
      return url;
    }
    try {
      return JdbcUrlSyntax.ofDriver(driverClass).write(url, PlaceholderParser.parse(url),
          p -> resolver.resolve(p.reference()).value());
    } catch (JdbcUrlSyntax.UnwritableValueException e) {
      // 08001: the driver cannot make a connection with this URL, and says why
      throw new PlaceholderHook.Refusal(new SQLException("stowaway-agent: " + e.getMessage(), "08001"));
    } catch (ResolutionException | PlaceholderSyntaxException e) {
      if (warned.add(e.getMessage())) {
        AgentLog.warn("" + e.getMessage() + " (the placeholder is left in place)");
      }
      return url;
    }
  }

  @Override
  public Object retryConnect(Object driver, String url, Properties info, Throwable failure) {
    if (!(driver instanceof Driver) || !LoginRetry.refusedLogin(failure)) {
      return null;
    }
    Driver jdbc = (Driver) driver;
    JdbcUrlSyntax syntax = JdbcUrlSyntax.ofDriver(driver.getClass().getName());
    Set<Reference> references = referencesIn(url);
    if (info != null) {
      for (Object v : info.values()) {
        if (v instanceof String) {
          references.addAll(referencesIn((String) v));
        }
      }
    }
    return retry.retry(references, failure,
        values -> jdbc.connect(substituteUrl(url, values, syntax), substitute(info, values)));
  }

  @Override
  public Object retryMariaDbConnect(Object configuration, Throwable failure) {
    if (configuration == null || !LoginRetry.refusedLogin(failure)) {
      return null;
    }
    try {
      Class<?> type = configuration.getClass();
      String user = (String) type.getMethod("user").invoke(configuration);
      String password = (String) type.getMethod("password").invoke(configuration);
      Method copy = type.getMethod("clone", String.class, String.class);
      Method connect = Class.forName("org.mariadb.jdbc.Driver", false, type.getClassLoader()).getMethod("connect", type);
      Set<Reference> references = referencesIn(user, password);
      return retry.retry(references, failure, values -> invoke(connect, null,
          invoke(copy, configuration, substitute(user, values), substitute(password, values))));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // another version of the driver: its own failure stands
    }
  }

  @Override
  public Object retryH2DataSourceConnect(Object dataSource, String user, String password, boolean given,
      Throwable failure) {
    if (dataSource == null || !LoginRetry.refusedLogin(failure)) {
      return null;
    }
    try {
      Class<?> type = dataSource.getClass();
      String url = (String) type.getMethod("getURL").invoke(dataSource);
      String u = given ? user : (String) type.getMethod("getUser").invoke(dataSource);
      String p = given ? password : (String) type.getMethod("getPassword").invoke(dataSource);
      Constructor<?> connection = Class.forName("org.h2.jdbc.JdbcConnection", false, type.getClassLoader())
          .getConstructor(String.class, Properties.class, String.class, Object.class, boolean.class);
      Set<Reference> references = referencesIn(url, u, p);
      return retry.retry(references, failure, values -> {
        try {
          return connection.newInstance(substituteUrl(url, values, JdbcUrlSyntax.H2_SETTINGS), null,
              substitute(u, values), substitute(p, values), false);
        } catch (InvocationTargetException e) {
          throw asSqlException(e.getCause());
        } catch (ReflectiveOperationException e) {
          throw asSqlException(e);
        }
      });
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Object invoke(Method m, Object target, Object... args) throws SQLException {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw asSqlException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw asSqlException(e);
    }
  }

  /** A failure of a reflective connect, as the retry loop sees failures: not a refused login unless it was one. */
  private static SQLException asSqlException(Throwable t) {
    return t instanceof SQLException ? (SQLException) t : new SQLException(t);
  }

  /** Placeholders in the texts, and the references of values the agent handed out. */
  private Set<Reference> referencesIn(String... texts) {
    Set<Reference> found = new LinkedHashSet<>();
    for (String text : texts) {
      if (text == null) {
        continue;
      }
      if (PlaceholderParser.mightContain(text)) {
        try {
          PlaceholderParser.parse(text).forEach(p -> found.add(p.reference()));
        } catch (PlaceholderSyntaxException ignored) {
          // a malformed placeholder has nothing to retry
        }
      } else {
        Reference copied = resolver.referenceOf(text);
        if (copied != null) {
          found.add(copied);
        }
      }
    }
    return found;
  }

  private String substituteUrl(String url, Map<Reference, String> values, JdbcUrlSyntax syntax) {
    if (url == null || !PlaceholderParser.mightContain(url)) {
      return substitute(url, values);
    }
    return syntax.write(url, PlaceholderParser.parse(url), p -> values.get(p.reference()));
  }

  private String substitute(String text, Map<Reference, String> values) {
    if (text == null) {
      return null;
    }
    if (!PlaceholderParser.mightContain(text)) {
      Reference copied = resolver.referenceOf(text);
      return copied != null && values.containsKey(copied) ? values.get(copied) : text;
    }
    return JdbcUrlSyntax.VERBATIM.write(text, PlaceholderParser.parse(text), p -> values.get(p.reference()));
  }

  private Properties substitute(Properties info, Map<Reference, String> values) {
    Properties copy = new Properties();
    if (info != null) {
      for (Map.Entry<Object, Object> e : info.entrySet()) {
        copy.put(e.getKey(), e.getValue() instanceof String ? substitute((String) e.getValue(), values) : e.getValue());
      }
    }
    return copy;
  }
}
