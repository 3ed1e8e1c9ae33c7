package dev.stowaway.agent.resolve;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A database refused a login made with values the agent resolved: a rotation is somewhere between
 * the database and the vault. For up to the retry window, in rounds, the login is tried again with
 * each version the secret has: AWSCURRENT (fetched again once the vault says it moved), AWSPENDING and
 * AWSPREVIOUS (only when the sidecar says they exist). Between rounds the thread backs off (100 ms,
 * doubling, at most 2 s) and wakes early when the change feed reports a change. While the feed is
 * connected, what it says is what the agent knows, so a rotation by hand costs a DescribeSecret and
 * one fetch of the new value rather than a fetch per attempt; without it, DescribeSecret is asked at
 * most once per pause.
 */
final class LoginRetry {

  /** One login with these values for the references. */
  interface Attempt {
    Object connect(Map<Reference, String> values) throws SQLException;
  }

  static final String CURRENT = "AWSCURRENT";
  private static final String[] STAGES = {CURRENT, "AWSPENDING", "AWSPREVIOUS"};
  private static final long FIRST_PAUSE = Duration.ofMillis(100).toNanos();
  private static final long MAX_PAUSE = Duration.ofSeconds(2).toNanos();

  private final Resolver resolver;
  private final long windowNanos;
  private final LongSupplier ticker;
  private final RotationEpisodes episodes;
  /** The failure this thread last gave up on: a driver's outer connect must not retry it again. */
  private final ThreadLocal<Throwable> gaveUpOn = new ThreadLocal<>();

  LoginRetry(Resolver resolver, Duration window, LongSupplier ticker) {
    this.resolver = resolver;
    this.windowNanos = window.toNanos();
    this.ticker = ticker;
    this.episodes = new RotationEpisodes(window, ticker);
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

  /**
   * Retries a login that failed with {@code failure}; the connection, or null to let the failure
   * stand (not a refused login, nothing to retry, or nothing accepted within the window).
   */
  Object retry(Set<Reference> references, Throwable failure, Attempt attempt) {
    if (windowNanos <= 0 || references.isEmpty() || !refusedLogin(failure) || alreadyRetried(failure)) {
      return null;
    }
    VersionStages stages = resolver.stages();
    long start = ticker.getAsLong();
    long deadline = start + windowNanos;
    RotationEpisodes.Episode episode = episodes.refused(references, start);
    long seen = stages.changes();
    long pause = FIRST_PAUSE;
    List<String> tried = new ArrayList<>();
    while (true) {
      Round round = new Round(references, pause);
      for (String stage : STAGES) {
        if (ticker.getAsLong() >= deadline) {
          break;
        }
        Candidate c = round.candidate(stage); // fetched only when the stages before it were refused
        if (c == null) {
          continue;
        }
        if (!tried.contains(c.stage)) {
          tried.add(c.stage);
        }
        try {
          Object connection = attempt.connect(c.values);
          if (connection != null) {
            episodes.accepted(episode, c.stage, ticker.getAsLong());
          }
          return connection;
        } catch (SQLException e) {
          if (!refusedLogin(e)) {
            return null; // something else went wrong now: the original failure stands
          }
        }
      }
      long left = deadline - ticker.getAsLong();
      if (left <= 0) {
        break;
      }
      try {
        stages.awaitChange(seen, Math.min(pause, left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      seen = stages.changes();
      pause = Math.min(pause * 2, MAX_PAUSE);
    }
    episodes.gaveUp(episode, tried, ticker.getAsLong());
    gaveUpOn.set(failure);
    return null;
  }

  private boolean alreadyRetried(Throwable failure) {
    Throwable last = gaveUpOn.get();
    gaveUpOn.remove();
    for (Throwable t = failure; t != null && last != null; t = t.getCause()) {
      if (t == last) {
        return true;
      }
    }
    return false;
  }

  /** Values for every reference, all at one stage of their secrets. */
  private static final class Candidate {
    final String stage;
    final Map<Reference, String> values;

    Candidate(String stage, Map<Reference, String> values) {
      this.stage = stage;
      this.values = values;
    }
  }

  /**
   * One round's candidates: AWSCURRENT, then AWSPENDING and AWSPREVIOUS where some secret has them
   * (references that name a stage or version, and parameters, keep their own value in each).
   */
  private final class Round {
    private final Map<Reference, Map<String, String>> holders = new LinkedHashMap<>();
    private final Map<Reference, Resolved> current = new LinkedHashMap<>();
    private final List<String> offered = new ArrayList<>();
    private boolean unavailable;

    Round(Set<Reference> references, long maxAgeNanos) {
      try {
        for (Reference r : references) {
          if (!floating(r)) {
            current.put(r, resolver.resolve(r));
            continue;
          }
          Resolved cached = resolver.resolve(r);
          Map<String, String> h = cached.arn() == null ? null
              : resolver.stages().holders(cached.arn(), maxAgeNanos, "{{resolve:" + r + "}}");
          holders.put(r, h);
          String currentVersion = h == null ? null : h.get(CURRENT);
          if (currentVersion != null) {
            current.put(r, resolver.resolveAs(r, currentVersion));
          } else if (h == null && !resolver.stages().following()) {
            current.put(r, resolver.refresh(r)); // nothing says what is current: ask for it
          } else {
            current.put(r, cached);
          }
        }
      } catch (ResolutionException e) {
        unavailable = true; // the sidecar cannot say now; the next round asks again
      }
    }

    /** The values at {@code stage}; null when no secret has a version there that was not offered already. */
    Candidate candidate(String stage) {
      if (unavailable) {
        return null;
      }
      Map<Reference, String> values = new LinkedHashMap<>();
      StringBuilder versions = new StringBuilder();
      boolean any = stage.equals(CURRENT);
      try {
        for (Map.Entry<Reference, Resolved> e : current.entrySet()) {
          Resolved value = e.getValue();
          Map<String, String> h = holders.get(e.getKey());
          String version = h == null ? null : h.get(stage);
          if (version != null && !version.equals(value.versionId())) {
            value = resolver.resolveVersion((Reference.Secret) e.getKey(), version);
            any = true;
          }
          values.put(e.getKey(), value.value());
          versions.append(value.versionId()).append(' ');
        }
      } catch (ResolutionException e) {
        return null;
      }
      if (!any || offered.contains(versions.toString())) {
        return null;
      }
      offered.add(versions.toString());
      return new Candidate(stage, values);
    }
  }

  /** A secret reference that follows AWSCURRENT: one whose other stages are worth a try. */
  private static boolean floating(Reference r) {
    return r instanceof Reference.Secret && ((Reference.Secret) r).versionStage() == null
        && ((Reference.Secret) r).versionId() == null;
  }
}
