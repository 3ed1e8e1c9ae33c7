package dev.stowaway.agent.resolve;

import dev.stowaway.agent.AgentLog;
import dev.stowaway.agent.bootstrap.PlaceholderHook;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the bootstrap bridge calls into: resolution for the advice, fingerprint lookups for values
 * the application copied onward, and the rotation-window retry when a database refuses a login.
 */
public final class AgentHooks implements PlaceholderHook.Agent {

  /** How long a refused login may be retried while a rotation settles. */
  static final Duration RETRY_BUDGET = Duration.ofSeconds(3);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(250);

  private final Resolver resolver;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  public AgentHooks(Resolver resolver) {
    this.resolver = resolver;
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
  public Object retryConnect(Object driver, String url, Properties info, Throwable failure) {
    if (!(driver instanceof Driver) || !refusedLogin(failure)) {
      return null;
    }
    Driver jdbc = (Driver) driver;
    Set<Reference> references = referencesIn(url, info);
    if (references.isEmpty()) {
      return null;
    }
    long deadline = System.nanoTime() + RETRY_BUDGET.toNanos();
    int attempt = 0;
    while (System.nanoTime() < deadline) {
      attempt++;
      for (boolean pending : new boolean[] {false, true}) {
        Map<Reference, String> values = pending ? pendingValues(references) : refreshedValues(references);
        if (values == null) {
          continue;
        }
        try {
          Object connection = jdbc.connect(substitute(url, values), substitute(info, values));
          if (connection != null) {
            AgentLog.info("login refused, then accepted with "
                + (pending ? "AWSPENDING" : "re-fetched") + " credentials (attempt " + attempt + ")");
            return connection;
          }
        } catch (SQLException e) {
          if (!refusedLogin(e)) {
            return null; // something else went wrong now: the original failure stands
          }
        }
      }
      try {
        Thread.sleep(RETRY_PAUSE.toMillis()); // bounded pause while the rotation settles
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  /** PostgreSQL 28P01/28000, MariaDB/MySQL 1045, H2 28000: the credentials were refused. */
  static boolean refusedLogin(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        SQLException sql = (SQLException) t;
        String state = sql.getSQLState();
        if ("28P01".equals(state) || "28000".equals(state) || sql.getErrorCode() == 1045) {
          return true;
        }
      }
    }
    return false;
  }

  private Set<Reference> referencesIn(String url, Properties info) {
    Set<Reference> found = new LinkedHashSet<>();
    collect(url, found);
    if (info != null) {
      for (Map.Entry<Object, Object> e : info.entrySet()) {
        if (e.getValue() instanceof String) {
          String v = (String) e.getValue();
          collect(v, found);
          Reference copied = resolver.referenceOf(v);
          if (copied != null) {
            found.add(copied);
          }
        }
      }
    }
    return found;
  }

  private static void collect(String text, Set<Reference> into) {
    if (PlaceholderParser.mightContain(text)) {
      try {
        PlaceholderParser.parse(text).forEach(p -> into.add(p.reference()));
      } catch (PlaceholderSyntaxException ignored) {
        // a malformed placeholder has nothing to retry
      }
    }
  }

  private Map<Reference, String> refreshedValues(Set<Reference> references) {
    Map<Reference, String> values = new LinkedHashMap<>();
    try {
      for (Reference r : references) {
        values.put(r, resolver.refresh(r).value());
      }
      return values;
    } catch (ResolutionException e) {
      return null;
    }
  }

  /** The AWSPENDING values of references that name no stage or version; null if there are none. */
  private Map<Reference, String> pendingValues(Set<Reference> references) {
    Map<Reference, String> values = new LinkedHashMap<>();
    boolean anyPending = false;
    try {
      for (Reference r : references) {
        Reference.Secret s = r instanceof Reference.Secret ? (Reference.Secret) r : null;
        if (s != null && s.versionStage() == null && s.versionId() == null) {
          values.put(r, resolver.refresh(new Reference.Secret(s.secretId(), s.jsonKey(), "AWSPENDING", null)).value());
          anyPending = true;
        } else {
          values.put(r, resolver.resolve(r).value());
        }
      }
    } catch (ResolutionException e) {
      return null; // no rotation in progress
    }
    return anyPending ? values : null;
  }

  private String substitute(String text, Map<Reference, String> values) {
    if (text == null) {
      return null;
    }
    if (!PlaceholderParser.mightContain(text)) {
      Reference copied = resolver.referenceOf(text);
      return copied != null && values.containsKey(copied) ? values.get(copied) : text;
    }
    List<Placeholder> placeholders = PlaceholderParser.parse(text);
    StringBuilder out = new StringBuilder();
    int at = 0;
    for (Placeholder p : placeholders) {
      out.append(text, at, p.start()).append(values.get(p.reference()));
      at = p.end();
    }
    return out.append(text, at, text.length()).toString();
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
