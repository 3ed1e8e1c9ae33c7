package dev.stowaway.agent.resolve;

import dev.stowaway.agent.AgentLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Turns strings with placeholders into strings with values. Values are cached per reference for
 * the TTL; while the sidecar is unreachable, the last value is served for up to maxStale, with a
 * warning. Plaintext lives only in these caches, never on disk.
 */
public final class Resolver implements UnaryOperator<String> {

  private final SidecarClient client;
  private final Fingerprints fingerprints;
  private final Duration ttl;
  private final Duration maxStale;
  private final LongSupplier ticker;
  private volatile Caches caches;
  private volatile Runnable onFirstUse;
  private final java.util.concurrent.atomic.AtomicBoolean firstUseRan = new java.util.concurrent.atomic.AtomicBoolean();
  private final Set<Reference> warnedStale = ConcurrentHashMap.newKeySet();
  /** Which secret each reference turned out to name: ids and ARNs only, kept for matching changes. */
  private final Map<Reference, String> arns = new ConcurrentHashMap<>();
  private final VersionStages stages;

  /** The ticker that reads the JVM's clock, in nanoseconds. */
  public static final LongSupplier SYSTEM_TICKER = ExpiringCache.SYSTEM_TICKER;

  /** {@code ticker} counts nanoseconds, as {@link System#nanoTime()} does. */
  public Resolver(SidecarClient client, Duration ttl, Duration maxStale, LongSupplier ticker, Fingerprints fingerprints) {
    this.client = client;
    this.fingerprints = fingerprints;
    this.ttl = ttl;
    this.maxStale = maxStale;
    this.ticker = ticker;
    this.stages = new VersionStages(client, ticker);
  }

  /** Which version holds which label, as the sidecar last said. */
  public VersionStages stages() {
    return stages;
  }

  /** The caches, made on first use: an application with nothing to resolve never pays for them. */
  private static final class Caches {
    final ExpiringCache<Reference, Resolved> fresh;
    final ExpiringCache<Reference, Resolved> lastKnown;
    final ExpiringCache<String, List<Placeholder>> parsed;

    Caches(Duration ttl, Duration maxStale, LongSupplier ticker) {
      fresh = new ExpiringCache<>(ttl.toNanos(), Integer.MAX_VALUE, ticker);
      lastKnown = new ExpiringCache<>(maxStale.plus(ttl).toNanos(), Integer.MAX_VALUE, ticker);
      parsed = new ExpiringCache<>(Long.MAX_VALUE, 10_000, ticker);
    }
  }

  private Caches caches() {
    Caches c = caches;
    if (c == null) {
      boolean first = false;
      synchronized (this) {
        if (caches == null) {
          caches = new Caches(ttl, maxStale, ticker);
          first = true;
        }
        c = caches;
      }
      if (first) {
        runFirstUse();
      }
    }
    return c;
  }

  /**
   * Runs {@code action} once, when the first placeholder is met (the change feed starts then: an
   * application with nothing to resolve has nothing it could invalidate).
   */
  public void onFirstUse(Runnable action) {
    this.onFirstUse = action;
    if (caches != null) {
      runFirstUse();
    }
  }

  private void runFirstUse() {
    Runnable r = onFirstUse;
    if (r != null && firstUseRan.compareAndSet(false, true)) {
      r.run();
    }
  }

  /** Resolves every placeholder in {@code text}. */
  @Override
  public String apply(String text) {
    List<Placeholder> placeholders = caches().parsed.get(text, PlaceholderParser::parse);
    if (placeholders.isEmpty()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int at = 0;
    for (Placeholder p : placeholders) {
      out.append(text, at, p.start()).append(resolve(p.reference()).value());
      at = p.end();
    }
    return out.append(text, at, text.length()).toString();
  }

  /** One reference's value, from the cache when it is fresh. */
  public Resolved resolve(Reference reference) {
    ExpiringCache<Reference, Resolved> fresh = caches().fresh;
    Resolved cached = fresh.getIfPresent(reference);
    if (cached != null) {
      return cached;
    }
    return fresh.get(reference, this::load);
  }

  /**
   * A reference's value as held by version {@code versionId}: the cached one if it is that version,
   * else fetched again (one fetch for every thread asking).
   */
  Resolved resolveAs(Reference reference, String versionId) {
    return caches().fresh.getUnless(reference, r -> !versionId.equals(r.versionId()), this::load);
  }

  /**
   * Version {@code versionId} of the secret a floating reference (no stage, no version) names. A value
   * once handed out is still remembered as the floating reference's: at the next connect it becomes
   * whatever is current then.
   */
  Resolved resolveVersion(Reference.Secret floating, String versionId) {
    Reference pinned = new Reference.Secret(floating.secretId(), floating.jsonKey(), null, versionId);
    return caches().fresh.get(pinned, r -> load(r, floating));
  }

  /** The ARN of the secret a reference turned out to name, once it was fetched. */
  String arnOf(Reference reference) {
    return arns.get(reference);
  }

  /** The references cached now, with the ARN and version each value came from. */
  public Map<Reference, Resolved> cached() {
    Caches c = caches; // nothing cached yet: no reason to build the caches
    return c == null ? Map.of() : Map.copyOf(c.fresh.snapshot());
  }

  /** The reference a handed-out value came from, or null. */
  public Reference referenceOf(String value) {
    return fingerprints.lookup(value);
  }

  /** Re-fetches, ignoring the cache (after a rotation, or a password the database refused). */
  public Resolved refresh(Reference reference) {
    caches().fresh.invalidate(reference);
    return resolve(reference);
  }

  /** Drops every cached value of the secret with this ARN and name; returns how many. */
  public int invalidate(String arn, String name) {
    if (caches == null) {
      return 0;
    }
    int dropped = caches().fresh.removeIf(r -> concerns(r, arn, name));
    caches().lastKnown.removeIf(r -> concerns(r, arn, name));
    return dropped;
  }

  /** Drops everything cached: the change feed could not say what changed while it was away. */
  public void invalidateAll() {
    Caches c = caches;
    if (c != null) {
      c.fresh.invalidateAll();
    }
  }

  /** True if {@code reference} names the secret with this ARN and name, however it was written. */
  public boolean concerns(Reference reference, String arn, String name) {
    if (!(reference instanceof Reference.Secret)) {
      return false;
    }
    String id = ((Reference.Secret) reference).secretId();
    return id.equals(name) || id.equals(arn) || arn.equals(arns.get(reference))
        || (arn.startsWith(id + "-") && arn.length() == id.length() + 7); // a partial ARN
  }

  private Resolved load(Reference reference) {
    return load(reference, reference);
  }

  /** Fetches {@code reference}; the value is remembered as {@code handedOutAs}'s. */
  private Resolved load(Reference reference, Reference handedOutAs) {
    try {
      Resolved loaded = fetch(reference);
      caches().lastKnown.put(reference, loaded);
      if (loaded.arn() != null) {
        arns.put(reference, loaded.arn());
      }
      fingerprints.remember(loaded.value(), handedOutAs);
      warnedStale.remove(reference);
      return loaded;
    } catch (SidecarUnavailableException e) {
      Resolved stale = caches().lastKnown.getIfPresent(reference);
      if (stale == null) {
        throw e;
      }
      if (warnedStale.add(reference)) {
        AgentLog.warn("serving the cached value of " + reference + " because " + e.getMessage());
      }
      return stale;
    }
  }

  private Resolved fetch(Reference reference) {
    String what = "{{resolve:" + reference + "}}";
    if (reference instanceof Reference.Secret) {
      Reference.Secret s = (Reference.Secret) reference;
      Resolved v = client.getSecretValue(s.secretId(), s.versionStage(), s.versionId(), what);
      return s.jsonKey() == null ? v : new Resolved(jsonMember(v.value(), s.jsonKey(), what), v.arn(),
          v.versionId());
    }
    Reference.Parameter p = (Reference.Parameter) reference;
    return client.getParameter(p.name(), p.version(), p.secure(), what);
  }

  /** The top-level member {@code key} of a JSON SecretString, as text. */
  static String jsonMember(String secretJson, String key, String what) {
    Object secret;
    try {
      secret = JsonText.parse(secretJson);
    } catch (JsonText.MalformedException e) {
      throw new ResolutionException(what + ": the secret is not valid JSON, so it has no key '" + key + "'");
    }
    if (!(secret instanceof Map)) {
      throw new ResolutionException(what + ": the secret is not a JSON object, so it has no key '" + key + "'");
    }
    Map<?, ?> members = (Map<?, ?>) secret;
    if (!members.containsKey(key)) {
      throw new ResolutionException(what + ": JSON key '" + key + "' is not in the secret");
    }
    String text = JsonText.scalarText(members.get(key));
    if (text == null) {
      throw new ResolutionException(what + ": JSON key '" + key + "' does not hold a string, number or boolean");
    }
    return text;
  }
}
