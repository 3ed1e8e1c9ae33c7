package dev.stowaway.agent.resolve;

import dev.stowaway.agent.AgentLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Refused logins grouped into rotation episodes, so that the log gets one line per rotation rather
 * than one per connect: an episode of a set of secrets begins with the first refusal and lasts while
 * refusals keep coming (until a retry window passes without one). Its line says how it first ended:
 * which stage was accepted, after how long, or that the window ran out. Names and stages only.
 */
final class RotationEpisodes {

  static final class Episode {
    final String names;
    final long started;
    volatile long lastSeen;
    int retried; // guarded by the episode
    boolean told; // guarded by the episode

    Episode(String names, long started) {
      this.names = names;
      this.started = started;
      this.lastSeen = started;
    }
  }

  private final long quietNanos;
  private final Duration window;
  private final LongSupplier ticker;
  private final Map<String, Episode> open = new ConcurrentHashMap<>();

  RotationEpisodes(Duration window, LongSupplier ticker) {
    this.window = window;
    this.quietNanos = Math.max(window.toNanos(), Duration.ofSeconds(1).toNanos());
    this.ticker = ticker;
  }

  /** A login with these references was refused at {@code now}: the episode it belongs to. */
  Episode refused(Set<Reference> references, long now) {
    Set<String> names = new TreeSet<>();
    for (Reference r : references) {
      names.add(r instanceof Reference.Secret ? ((Reference.Secret) r).secretId() : ((Reference.Parameter) r).name());
    }
    Episode e = open.compute(String.join(", ", names),
        (k, old) -> old != null && now - old.lastSeen < quietNanos ? old : new Episode(k, now));
    synchronized (e) {
      e.retried++;
      e.lastSeen = now;
    }
    return e;
  }

  void accepted(Episode e, String stage, long now) {
    tell(e, now, "accepted " + stage + " after " + millis(now - e.started) + " ms");
  }

  void gaveUp(Episode e, List<String> tried, long now) {
    tell(e, now, "nothing was accepted within the retry window (" + window.toMillis() + " ms; tried "
        + (tried.isEmpty() ? "nothing: the sidecar could not be asked" : String.join(", ", tried))
        + "), so the database's error stands");
  }

  private void tell(Episode e, long now, String outcome) {
    int retried;
    synchronized (e) {
      e.lastSeen = now;
      if (e.told) {
        return;
      }
      e.told = true;
      retried = e.retried;
    }
    AgentLog.info(e.names + ": the database refused the login with the values in use (a rotation under way?); "
        + outcome + " (" + retried + " login(s) retried so far; later ones in this rotation are not logged)");
  }

  private static long millis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }
}
