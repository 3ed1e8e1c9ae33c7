package dev.stowaway.agent.resolve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Turns strings with placeholders into strings with values. Values are cached per reference for
 * the TTL; while the sidecar is unreachable, the last value is served for up to maxStale, with a
 * warning. Plaintext lives only in these caches, never on disk.
 */
public final class Resolver implements UnaryOperator<String> {

  private static final Logger LOG = System.getLogger("dev.stowaway.agent");
  private static final JsonFactory JSON = new JsonFactory();

  private final SidecarClient client;
  private final Cache<Reference, Resolved> fresh;
  private final Cache<Reference, Resolved> lastKnown;
  private final Cache<String, List<Placeholder>> parsed;
  private final Set<Reference> warnedStale = ConcurrentHashMap.newKeySet();

  public Resolver(SidecarClient client, Duration ttl, Duration maxStale, Ticker ticker) {
    this.client = client;
    this.fresh = Caffeine.newBuilder().expireAfterWrite(ttl).ticker(ticker).build();
    this.lastKnown = Caffeine.newBuilder().expireAfterWrite(maxStale.plus(ttl)).ticker(ticker).build();
    this.parsed = Caffeine.newBuilder().maximumSize(10_000).build();
  }

  /** Resolves every placeholder in {@code text}. */
  @Override
  public String apply(String text) {
    List<Placeholder> placeholders = parsed.get(text, PlaceholderParser::parse);
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
    Resolved cached = fresh.getIfPresent(reference);
    if (cached != null) {
      return cached;
    }
    return fresh.get(reference, this::load);
  }

  /** Re-fetches, ignoring the cache (after a rotation, or a password the database refused). */
  public Resolved refresh(Reference reference) {
    fresh.invalidate(reference);
    return resolve(reference);
  }

  /** Drops every cached value of the secret with this ARN or name. */
  public void invalidate(String arnOrName) {
    fresh.asMap().keySet().removeIf(r -> matches(r, arnOrName));
    lastKnown.asMap().keySet().removeIf(r -> matches(r, arnOrName));
  }

  private boolean matches(Reference r, String arnOrName) {
    Resolved known = fresh.getIfPresent(r);
    if (known == null) {
      known = lastKnown.getIfPresent(r);
    }
    return r instanceof Reference.Secret s && (s.secretId().equals(arnOrName)
        || known != null && arnOrName.equals(known.arn()));
  }

  private Resolved load(Reference reference) {
    try {
      Resolved loaded = fetch(reference);
      lastKnown.put(reference, loaded);
      warnedStale.remove(reference);
      return loaded;
    } catch (SidecarUnavailableException e) {
      Resolved stale = lastKnown.getIfPresent(reference);
      if (stale == null) {
        throw e;
      }
      if (warnedStale.add(reference)) {
        LOG.log(Level.WARNING, "stowaway-agent: serving the cached value of " + reference + " because " + e.getMessage());
      }
      return stale;
    }
  }

  private Resolved fetch(Reference reference) {
    String what = "{{resolve:" + reference + "}}";
    if (reference instanceof Reference.Secret s) {
      SidecarClient.FetchedValue v = client.getSecretValue(s.secretId(), s.versionStage(), s.versionId(), what);
      return new Resolved(s.jsonKey() == null ? v.value() : jsonMember(v.value(), s.jsonKey(), what), v.arn(),
          v.versionId());
    }
    Reference.Parameter p = (Reference.Parameter) reference;
    SidecarClient.FetchedValue v = client.getParameter(p.name(), p.version(), p.secure(), what);
    return new Resolved(v.value(), v.arn(), v.versionId());
  }

  /** The top-level member {@code key} of a JSON SecretString, as text. */
  static String jsonMember(String secretJson, String key, String what) {
    try (JsonParser p = JSON.createParser(secretJson)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new ResolutionException(what + ": the secret is not a JSON object, so it has no key '" + key + "'");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals(key)) {
          if (!t.isScalarValue() || t == JsonToken.VALUE_NULL) {
            throw new ResolutionException(what + ": JSON key '" + key + "' does not hold a string, number or boolean");
          }
          return p.getValueAsString();
        }
        p.skipChildren();
      }
      throw new ResolutionException(what + ": JSON key '" + key + "' is not in the secret");
    } catch (IOException e) {
      throw new ResolutionException(what + ": the secret is not valid JSON, so it has no key '" + key + "'");
    }
  }

  /** A resolved value with the secret ARN and version it came from. */
  public record Resolved(String value, String arn, String versionId) {
    @Override
    public String toString() {
      return "Resolved[" + arn + ", " + versionId + ", [REDACTED]]";
    }
  }
}
