package dev.stowaway.agent.resolve;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which version of each secret holds which staging label (AWSCURRENT, AWSPENDING, AWSPREVIOUS), as
 * the sidecar last said: on the change feed (each change carries {@code versionIdsToStages}) or, when
 * nothing was heard, through {@code DescribeSecret}. So the agent asks for AWSPENDING only when one
 * exists, rather than asking and being told "not found" (an error record in the audit trail each
 * time). Ids and labels only, never a value. Also the signal that wakes logins waiting for a
 * rotation to reach the vault.
 */
public final class VersionStages {

  private static final class Known {
    final Map<String, String> holders; // label -> version id
    final long learnedNanos;

    Known(Map<String, String> holders, long learnedNanos) {
      this.holders = holders;
      this.learnedNanos = learnedNanos;
    }
  }

  private final SidecarClient client;
  private final LongSupplier ticker;
  private final Map<String, Known> byArn = new ConcurrentHashMap<>();
  /** Secrets whose DescribeSecret was refused: asked no more, so as not to fill the audit trail with denials. */
  private final Set<String> undescribable = ConcurrentHashMap.newKeySet();
  private final Map<String, Object> asking = new ConcurrentHashMap<>();
  private volatile boolean following;
  private long changes; // guarded by this

  public VersionStages(SidecarClient client, LongSupplier ticker) {
    this.client = client;
    this.ticker = ticker;
  }

  /** Whether the change feed is connected now: while it is, what it said is what holds. */
  public boolean following() {
    return following;
  }

  void following(boolean now) {
    following = now;
  }

  /** The change feed's {@code versionIdsToStages} for a secret: version id to its labels. */
  void changed(String arn, Map<String, List<String>> versionIdsToStages) {
    if (versionIdsToStages == null) {
      byArn.remove(arn); // a change that did not say where the labels are now
    } else {
      Map<String, String> holders = new HashMap<>();
      versionIdsToStages.forEach((version, labels) -> labels.forEach(label -> holders.put(label, version)));
      byArn.put(arn, new Known(holders, ticker.getAsLong()));
    }
    signal();
  }

  /** The feed could not say what changed while it was away: everything may have. */
  void forgetAll() {
    byArn.clear();
    signal();
  }

  /**
   * Which version holds each label of the secret with this ARN: what the feed said while it is
   * connected, else what DescribeSecret said at most {@code maxAgeNanos} ago, asked again if older.
   * Null when it cannot be known (the sidecar is away, or DescribeSecret is not allowed).
   */
  Map<String, String> holders(String arn, long maxAgeNanos, String what) {
    Known known = byArn.get(arn);
    if (known != null && (following || ticker.getAsLong() - known.learnedNanos < maxAgeNanos)) {
      return known.holders;
    }
    if (undescribable.contains(arn)) {
      return known == null ? null : known.holders;
    }
    synchronized (asking.computeIfAbsent(arn, a -> new Object())) { // one DescribeSecret for every thread asking
      Known latest = byArn.get(arn); // another thread may have asked while this one waited
      if (latest != null && (following || ticker.getAsLong() - latest.learnedNanos < maxAgeNanos)) {
        return latest.holders;
      }
      return describe(arn, known, what);
    }
  }

  private Map<String, String> describe(String arn, Known known, String what) {
    long seen = changes();
    Map<String, String> described;
    try {
      described = client.stageHolders(arn, what);
    } catch (SidecarUnavailableException e) {
      return known == null ? null : known.holders;
    } catch (ResolutionException e) {
      undescribable.add(arn);
      return known == null ? null : known.holders;
    }
    synchronized (this) {
      if (changes == seen || !byArn.containsKey(arn)) { // a change heard meanwhile is newer than this answer
        byArn.put(arn, new Known(described, ticker.getAsLong()));
      }
    }
    return byArn.get(arn).holders;
  }

  synchronized long changes() {
    return changes;
  }

  private synchronized void signal() {
    changes++;
    notifyAll();
  }

  /** Waits up to {@code nanos} for a change after the {@code seen}th; true if one came. */
  synchronized boolean awaitChange(long seen, long nanos) throws InterruptedException {
    long deadline = ticker.getAsLong() + nanos;
    while (changes == seen) {
      long left = deadline - ticker.getAsLong();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000), 0);
    }
    return true;
  }
}
