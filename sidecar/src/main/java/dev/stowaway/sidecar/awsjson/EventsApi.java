package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.sidecar.config.Destinations;
import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.events.EventRules;
import dev.stowaway.vault.events.InvalidEventPatternException;
import dev.stowaway.vault.store.EventRuleRecord;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EventBridge's rule and target operations ({@code X-Amz-Target: AWSEvents.<Op>}) on the
 * default bus, so that {@code aws events put-rule} and {@code put-targets} work unchanged.
 */
final class EventsApi implements JsonApi {

  private final EventRules rules;
  private final String account;
  private final Map<String, Operation> operations = new LinkedHashMap<>();

  EventsApi(EventRules rules, String account, Destinations webhooks) {
    this.rules = rules;
    this.account = account;
    operations.put("PutRule", (in, caller) -> {
      checkBus(in);
      String arn;
      try {
        arn = rules.as(caller).putRule(in.requiredString("Name"), in.string("EventPattern"), in.string("State"),
            in.string("Description"), in.string("ScheduleExpression"));
      } catch (InvalidEventPatternException e) {
        throw AwsError.badRequest("InvalidEventPatternException", e.getMessage());
      }
      ObjectNode out = JsonOutput.object();
      out.put("RuleArn", arn);
      return out;
    });
    operations.put("DescribeRule", (in, caller) -> {
      checkBus(in);
      ObjectNode out = rule(rules.as(caller).describeRule(in.requiredString("Name")));
      out.put("CreatedBy", account);
      return out;
    });
    operations.put("ListRules", (in, caller) -> {
      checkBus(in);
      EventRules.RulePage page = rules.as(caller).listRules(in.string("NamePrefix"), in.integer("Limit"),
          in.string("NextToken"));
      ObjectNode out = JsonOutput.object();
      ArrayNode list = out.putArray("Rules");
      page.rules().forEach(r -> list.add(rule(r)));
      JsonOutput.put(out, "NextToken", page.nextToken());
      return out;
    });
    operations.put("DeleteRule", (in, caller) -> {
      checkBus(in);
      rules.as(caller).deleteRule(in.requiredString("Name"));
      return JsonOutput.object();
    });
    operations.put("PutTargets", (in, caller) -> {
      checkBus(in);
      List<JsonInput> targets = in.objects("Targets");
      if (targets == null) {
        throw AwsError.badRequest("ValidationException", "1 validation error detected: Value null at 'targets' "
            + "failed to satisfy constraint: Member must not be null");
      }
      return failures(rules.as(caller).putTargets(in.requiredString("Rule"), targets.stream()
          .map(t -> new EventRuleRecord.Target(t.requiredString("Id"), t.requiredString("Arn"), t.string("Input")))
          .toList(), url -> webhookRefusal(webhooks, url)));
    });
    operations.put("RemoveTargets", (in, caller) -> {
      checkBus(in);
      List<String> ids = in.strings("Ids");
      if (ids == null) {
        throw AwsError.badRequest("ValidationException", "1 validation error detected: Value null at 'ids' "
            + "failed to satisfy constraint: Member must not be null");
      }
      return failures(rules.as(caller).removeTargets(in.requiredString("Rule"), ids));
    });
    operations.put("ListTargetsByRule", (in, caller) -> {
      checkBus(in);
      ObjectNode out = JsonOutput.object();
      ArrayNode list = out.putArray("Targets");
      for (EventRuleRecord.Target target : rules.as(caller).listTargets(in.requiredString("Rule"))) {
        ObjectNode t = list.addObject().put("Id", target.id()).put("Arn", target.arn());
        JsonOutput.put(t, "Input", target.input());
      }
      return out;
    });
  }

  /** Why the operator's event-target-urls do not allow this webhook, or null if they do. */
  static String webhookRefusal(Destinations webhooks, String url) {
    try {
      URI uri = URI.create(url);
      return webhooks.allowsUrl(uri) ? null : webhooks.refusal(Destinations.shown(uri));
    } catch (IllegalArgumentException e) {
      return "'" + url + "' is not a valid URL";
    }
  }

  /** Only the default bus exists here. */
  private static void checkBus(JsonInput in) {
    String bus = in.string("EventBusName");
    if (bus != null && !bus.equals(EventRules.BUS) && !bus.endsWith(":event-bus/" + EventRules.BUS)) {
      throw new VaultException(dev.stowaway.vault.VaultError.RESOURCE_NOT_FOUND, "Event bus " + bus + " does not exist.");
    }
  }

  private static ObjectNode rule(EventRuleRecord rule) {
    ObjectNode out = JsonOutput.object();
    out.put("Name", rule.name());
    out.put("Arn", rule.arn());
    JsonOutput.put(out, "EventPattern", rule.eventPattern());
    out.put("State", rule.state());
    JsonOutput.put(out, "Description", rule.description());
    out.put("EventBusName", EventRules.BUS);
    return out;
  }

  private static ObjectNode failures(List<EventRules.FailedEntry> failed) {
    ObjectNode out = JsonOutput.object();
    out.put("FailedEntryCount", failed.size());
    ArrayNode entries = out.putArray("FailedEntries");
    failed.forEach(f -> entries.addObject().put("TargetId", f.targetId()).put("ErrorCode", f.errorCode())
        .put("ErrorMessage", f.errorMessage()));
    return out;
  }

  @Override
  public void annotate(ApiCall call, String operation, ObjectNode request, ObjectNode result) {
    for (String member : List.of("Name", "Rule")) {
      JsonNode name = request.get(member);
      if (name != null && name.isTextual()) {
        call.resource(rules.ruleArn(name.asText()), "AWS::Events::Rule");
      }
    }
  }

  @Override
  public String targetPrefix() {
    return "AWSEvents";
  }

  @Override
  public String signingName() {
    return "events";
  }

  @Override
  public Map<String, Operation> operations() {
    return operations;
  }
}
