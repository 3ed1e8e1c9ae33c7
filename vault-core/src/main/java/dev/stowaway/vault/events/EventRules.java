package dev.stowaway.vault.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.store.EventRuleRecord;
import dev.stowaway.vault.store.SecretStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * EventBridge rules on the default bus: each an event pattern and up to five targets, kept in the
 * store. Authorizes every change as EventBridge does ({@code events:PutRule} on the rule's ARN,
 * …), and answers which rules an event matches from compiled patterns it keeps until a rule
 * changes.
 */
public final class EventRules {

  public static final String BUS = "default";
  public static final int MAX_TARGETS = 5;
  private static final Pattern NAME = Pattern.compile("[.\\-_A-Za-z0-9]{1,64}");
  private static final Pattern TARGET_ID = Pattern.compile("[.\\-_A-Za-z0-9]{1,64}");
  private static final Pattern LOCAL_NAME = Pattern.compile("[A-Za-z0-9_\\-][A-Za-z0-9._\\-]{0,127}");

  /** Whether a rule is on; the last also sees read-only API calls, as in EventBridge. */
  public enum State {
    ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
  }

  /** A rule that matched an event, with the targets to deliver to. */
  public record Match(String ruleName, String ruleArn, List<EventRuleRecord.Target> targets) {}

  /** A target PutTargets or RemoveTargets could not take, and why. */
  public record FailedEntry(String targetId, String errorCode, String errorMessage) {}

  /** A page of rules, and where the next begins. */
  public record RulePage(List<EventRuleRecord> rules, String nextToken) {}

  private record Compiled(EventRuleRecord rule, EventPattern pattern, State state) {}

  private final SecretStore store;
  private final Authorizer authorizer;
  private final Clock clock;
  private final String arnPrefix;
  private final Caller caller;
  private final Cache cache;

  /** The compiled rules, shared by every caller's view; dropped whenever a rule changes. */
  private static final class Cache {
    private volatile List<Compiled> compiled;
  }

  public EventRules(SecretStore store, Authorizer authorizer, Clock clock, String region, String account) {
    this(store, authorizer, clock, "arn:aws:events:" + region + ":" + account + ":rule/", Caller.SYSTEM, new Cache());
  }

  private EventRules(SecretStore store, Authorizer authorizer, Clock clock, String arnPrefix, Caller caller,
      Cache cache) {
    this.store = store;
    this.authorizer = authorizer;
    this.clock = clock;
    this.arnPrefix = arnPrefix;
    this.caller = caller;
    this.cache = cache;
  }

  public EventRules as(Caller who) {
    return new EventRules(store, authorizer, clock, arnPrefix, who, cache);
  }

  public String ruleArn(String name) {
    return arnPrefix + name;
  }

  /** PutRule: creates the rule or replaces its pattern, state and description, keeping its targets. */
  public String putRule(String name, String eventPattern, String state, String description,
      String scheduleExpression) {
    checkName(name);
    authorize("events:PutRule", name);
    if (scheduleExpression != null) {
      throw VaultException.validation("ScheduleExpression is not supported here: Stowaway's rules match events. "
          + "Use EventPattern.");
    }
    if (eventPattern == null) {
      throw VaultException.validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
    }
    EventPattern.parse(eventPattern);
    State parsedState = state(state == null ? State.ENABLED.name() : state);
    if (description != null && description.length() > 512) {
      throw VaultException.validation("1 validation error detected: Value at 'description' failed to satisfy "
          + "constraint: Member must have length less than or equal to 512");
    }
    String arn = ruleArn(name);
    store.write(tx -> {
      List<EventRuleRecord.Target> targets = tx.eventRule(name).map(EventRuleRecord::targets).orElse(List.of());
      long created = tx.eventRule(name).map(EventRuleRecord::createdDate).orElse(clock.millis());
      tx.putEventRule(new EventRuleRecord(name, arn, eventPattern, parsedState.name(), description, created, targets));
      return null;
    });
    cache.compiled = null;
    return arn;
  }

  public EventRuleRecord describeRule(String name) {
    checkName(name);
    authorize("events:DescribeRule", name);
    return existing(name);
  }

  public RulePage listRules(String namePrefix, Integer limit, String nextToken) {
    authorizer.authorize(caller, "events:ListRules", arnPrefix + "*", Map.of(), null);
    if (limit != null && (limit < 1 || limit > 100)) {
      throw VaultException.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed to satisfy "
          + "constraint: Member must have value between 1 and 100");
    }
    List<EventRuleRecord> all = new ArrayList<>(store.read(view -> view.eventRules()));
    all.sort(Comparator.comparing(EventRuleRecord::name));
    List<EventRuleRecord> matching = all.stream()
        .filter(r -> namePrefix == null || r.name().startsWith(namePrefix))
        .filter(r -> nextToken == null || r.name().compareTo(after(nextToken)) > 0)
        .toList();
    int size = limit == null ? 100 : limit;
    if (matching.size() <= size) {
      return new RulePage(matching, null);
    }
    List<EventRuleRecord> page = matching.subList(0, size);
    return new RulePage(page, token(page.get(page.size() - 1).name()));
  }

  /** DeleteRule: refused while the rule has targets; a rule that is not there is already deleted. */
  public void deleteRule(String name) {
    checkName(name);
    authorize("events:DeleteRule", name);
    store.write(tx -> {
      EventRuleRecord rule = tx.eventRule(name).orElse(null);
      if (rule == null) {
        return null;
      }
      if (!rule.targets().isEmpty()) {
        throw VaultException.validation("Rule can't be deleted since it has targets.");
      }
      tx.removeEventRule(name);
      return null;
    });
    cache.compiled = null;
  }

  /** PutTargets: adds or replaces targets by id; at most {@value #MAX_TARGETS} per rule. */
  public List<FailedEntry> putTargets(String ruleName, List<EventRuleRecord.Target> targets) {
    return putTargets(ruleName, targets, url -> null);
  }

  /**
   * PutTargets where the operator limits webhooks: {@code webhookRefusal} says why a URL may not
   * be called, or null if it may. Checked once the caller is authorized, so that only those who
   * may put targets learn what the operator allows.
   */
  public List<FailedEntry> putTargets(String ruleName, List<EventRuleRecord.Target> targets,
      java.util.function.UnaryOperator<String> webhookRefusal) {
    checkName(ruleName);
    authorize("events:PutTargets", ruleName);
    if (targets.isEmpty() || targets.size() > 10) {
      throw VaultException.validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: "
          + "Member must have length between 1 and 10");
    }
    for (EventRuleRecord.Target target : targets) {
      checkTarget(target);
      String refusal = target.arn().startsWith("http") ? webhookRefusal.apply(target.arn()) : null;
      if (refusal != null) {
        throw VaultException.validation("Target " + target.id() + ": " + refusal);
      }
    }
    store.write(tx -> {
      EventRuleRecord rule = tx.eventRule(ruleName).orElseThrow(() -> notFound(ruleName));
      Map<String, EventRuleRecord.Target> byId = new LinkedHashMap<>();
      rule.targets().forEach(t -> byId.put(t.id(), t));
      targets.forEach(t -> byId.put(t.id(), t));
      if (byId.size() > MAX_TARGETS) {
        throw new VaultException(VaultError.LIMIT_EXCEEDED, "The requested resource exceeds the maximum number "
            + "allowed. A rule can have at most " + MAX_TARGETS + " targets.");
      }
      tx.putEventRule(rule.withTargets(List.copyOf(byId.values())));
      return null;
    });
    cache.compiled = null;
    return List.of();
  }

  /** RemoveTargets: ids the rule does not have come back as failed entries, as EventBridge does. */
  public List<FailedEntry> removeTargets(String ruleName, List<String> ids) {
    checkName(ruleName);
    authorize("events:RemoveTargets", ruleName);
    List<FailedEntry> failed = new ArrayList<>();
    store.write(tx -> {
      EventRuleRecord rule = tx.eventRule(ruleName).orElseThrow(() -> notFound(ruleName));
      List<EventRuleRecord.Target> kept = new ArrayList<>(rule.targets());
      for (String id : ids) {
        if (!kept.removeIf(t -> t.id().equals(id))) {
          failed.add(new FailedEntry(id, "ResourceNotFoundException", "Target " + id + " does not exist on rule "
              + ruleName + "."));
        }
      }
      tx.putEventRule(rule.withTargets(kept));
      return null;
    });
    cache.compiled = null;
    return failed;
  }

  public List<EventRuleRecord.Target> listTargets(String ruleName) {
    checkName(ruleName);
    authorize("events:ListTargetsByRule", ruleName);
    return existing(ruleName).targets();
  }

  /**
   * The enabled rules with targets that match {@code event}. A read-only API call only reaches
   * rules in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, as in EventBridge.
   */
  public List<Match> matching(JsonNode event, boolean readOnlyApiCall) {
    List<Compiled> rules = cache.compiled;
    if (rules == null) {
      rules = store.read(view -> view.eventRules()).stream()
          .map(r -> new Compiled(r, EventPattern.parse(r.eventPattern()), State.valueOf(r.state())))
          .toList();
      cache.compiled = rules;
    }
    List<Match> matches = new ArrayList<>();
    for (Compiled rule : rules) {
      if (rule.state() == State.DISABLED || rule.rule().targets().isEmpty()) {
        continue;
      }
      if (readOnlyApiCall && rule.state() != State.ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS) {
        continue;
      }
      if (rule.pattern().matches(event)) {
        matches.add(new Match(rule.rule().name(), rule.rule().arn(), rule.rule().targets()));
      }
    }
    return matches;
  }

  /** Rules were changed behind this service's back (another sidecar): compile them afresh. */
  public void rulesChanged() {
    cache.compiled = null;
  }

  private EventRuleRecord existing(String name) {
    return store.read(view -> view.eventRule(name)).orElseThrow(() -> notFound(name));
  }

  private static VaultException notFound(String name) {
    return VaultException.notFound("Rule " + name + " does not exist on EventBus " + BUS + ".");
  }

  private void authorize(String action, String ruleName) {
    authorizer.authorize(caller, action, ruleArn(ruleName), Map.of(), null);
  }

  private static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw VaultException.validation("1 validation error detected: Value '" + name + "' at 'name' failed to satisfy "
          + "constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
    }
  }

  private static State state(String state) {
    try {
      return State.valueOf(state);
    } catch (IllegalArgumentException e) {
      throw VaultException.validation("1 validation error detected: Value '" + state + "' at 'state' failed to satisfy "
          + "constraint: Member must satisfy enum value set: [ENABLED, DISABLED, "
          + "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]");
    }
  }

  /**
   * Stowaway's targets: an http(s) URL (webhook), {@code file:NAME} (a JSON-lines file under the
   * data directory's {@code events/}) or {@code command:NAME} (an executable under {@code hooks/}).
   * Files and commands are confined to those directories, so whoever may put targets cannot
   * write or run anything the operator did not place there.
   */
  private static void checkTarget(EventRuleRecord.Target target) {
    if (target.id() == null || !TARGET_ID.matcher(target.id()).matches()) {
      throw VaultException.validation("1 validation error detected: Value '" + target.id() + "' at 'targets.id' failed "
          + "to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
    }
    String arn = target.arn();
    boolean valid = arn != null && (arn.startsWith("https://") || arn.startsWith("http://")
        || arn.startsWith("file:") && LOCAL_NAME.matcher(arn.substring(5)).matches()
        || arn.startsWith("command:") && LOCAL_NAME.matcher(arn.substring(8)).matches());
    if (!valid) {
      throw VaultException.validation("Target " + target.id() + " has Arn '" + arn + "', which is not a target "
          + "Stowaway can deliver to: use an http(s) URL (webhook), file:NAME (appends to DIR/events/NAME) or "
          + "command:NAME (runs DIR/hooks/NAME with the event on stdin).");
    }
    if (target.input() != null) {
      try {
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(target.input());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw VaultException.validation("Target " + target.id() + " has Input that is not valid JSON.");
      }
    }
  }

  private static String token(String name) {
    return java.util.Base64.getEncoder().encodeToString(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String after(String token) {
    try {
      return new String(java.util.Base64.getDecoder().decode(token), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new VaultException(VaultError.INVALID_NEXT_TOKEN, "The NextToken is not valid.");
    }
  }
}
