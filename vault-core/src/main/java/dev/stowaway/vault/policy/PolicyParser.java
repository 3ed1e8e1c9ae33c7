package dev.stowaway.vault.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The IAM JSON policy grammar: Version, Statement (an object or an array), Sid, Effect,
 * Action/NotAction, Resource/NotResource, Principal/NotPrincipal (resource policies only),
 * Condition. Parses once into a {@link Policy} whose patterns are compiled.
 */
public final class PolicyParser {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> VERSIONS = Set.of("2012-10-17", "2008-10-17");
  private static final Set<String> STATEMENT_FIELDS = Set.of("Sid", "Effect", "Action", "NotAction", "Resource",
      "NotResource", "Principal", "NotPrincipal", "Condition");

  private PolicyParser() {}

  public static Policy identity(String name, String document) {
    return parse(name, document, Policy.Kind.IDENTITY);
  }

  public static Policy resource(String name, String document) {
    return parse(name, document, Policy.Kind.RESOURCE);
  }

  /** A role's trust policy: principals but no resource, the role itself being the resource. */
  public static Policy trust(String name, String document) {
    return parse(name, document, Policy.Kind.TRUST);
  }

  private static Policy parse(String name, String document, Policy.Kind kind) {
    JsonNode root;
    try {
      root = JSON.readTree(document);
    } catch (JsonProcessingException e) {
      throw new MalformedPolicyException("Syntax errors in policy: the document is not valid JSON.");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedPolicyException("Syntax errors in policy: the document must be a JSON object.");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!field.equals("Version") && !field.equals("Statement") && !field.equals("Id")) {
        throw new MalformedPolicyException("Unknown field " + field);
      }
    }
    JsonNode version = root.get("Version");
    if (version != null && (!version.isTextual() || !VERSIONS.contains(version.asText()))) {
      throw new MalformedPolicyException("The policy failed legacy parsing: Version must be 2012-10-17 or 2008-10-17.");
    }
    JsonNode statements = root.get("Statement");
    if (statements == null) {
      throw new MalformedPolicyException("Missing required field Statement");
    }
    List<Statement> compiled = new ArrayList<>();
    if (statements.isArray()) {
      if (statements.isEmpty()) {
        throw new MalformedPolicyException("Syntax errors in policy: Statement is empty.");
      }
      int i = 0;
      for (JsonNode s : statements) {
        compiled.add(statement(s, ++i, kind));
      }
    } else {
      compiled.add(statement(statements, 1, kind));
    }
    return new Policy(name, document, List.copyOf(compiled), kind);
  }

  private static Statement statement(JsonNode s, int position, Policy.Kind kind) {
    String where = "Statement " + position;
    if (!s.isObject()) {
      throw new MalformedPolicyException("Syntax errors in policy: " + where + " must be an object.");
    }
    for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!STATEMENT_FIELDS.contains(field)) {
        throw new MalformedPolicyException("Unknown field " + field + " in " + where);
      }
    }
    String sid = s.hasNonNull("Sid") ? s.get("Sid").asText() : null;
    JsonNode effectNode = s.get("Effect");
    if (effectNode == null) {
      throw new MalformedPolicyException("Missing required field Effect in " + where);
    }
    Effect effect = switch (effectNode.asText()) {
      case "Allow" -> Effect.ALLOW;
      case "Deny" -> Effect.DENY;
      default -> throw new MalformedPolicyException("Invalid effect: " + effectNode.asText() + " in " + where);
    };
    boolean notAction = exactlyOne(s, "Action", "NotAction", where);
    List<Glob> actions = new ArrayList<>();
    for (String a : strings(s.get(notAction ? "NotAction" : "Action"), where)) {
      if (!a.equals("*") && !a.contains(":")) {
        throw new MalformedPolicyException("Action " + a + " in " + where + " must be service:action, such as "
            + "secretsmanager:GetSecretValue");
      }
      actions.add(Glob.of(a, true));
    }
    boolean notResource = false;
    List<Statement.ResourcePattern> resources;
    if (kind == Policy.Kind.TRUST) {
      if (s.has("Resource") || s.has("NotResource")) {
        throw new MalformedPolicyException("Has prohibited field " + (s.has("Resource") ? "Resource" : "NotResource"));
      }
      resources = List.of(Statement.ResourcePattern.of("*"));
    } else {
      notResource = exactlyOne(s, "Resource", "NotResource", where);
      resources = strings(s.get(notResource ? "NotResource" : "Resource"), where).stream()
          .map(Statement.ResourcePattern::of).toList();
    }
    List<String> principals = null;
    boolean notPrincipal = false;
    boolean hasPrincipal = s.has("Principal") || s.has("NotPrincipal");
    if (kind == Policy.Kind.IDENTITY && hasPrincipal) {
      throw new MalformedPolicyException("Policy document should not specify a principal.");
    }
    if (kind != Policy.Kind.IDENTITY) {
      if (!hasPrincipal) {
        throw new MalformedPolicyException("Missing required field Principal in " + where);
      }
      notPrincipal = exactlyOne(s, "Principal", "NotPrincipal", where);
      principals = principals(s.get(notPrincipal ? "NotPrincipal" : "Principal"), where);
    }
    return new Statement(sid, effect, List.copyOf(actions), notAction, resources, notResource, principals,
        notPrincipal, conditions(s.get("Condition"), where));
  }

  /** True if the Not- form is used. */
  private static boolean exactlyOne(JsonNode s, String field, String notField, String where) {
    boolean has = s.has(field);
    boolean hasNot = s.has(notField);
    if (has == hasNot) {
      throw new MalformedPolicyException(has ? where + " has both " + field + " and " + notField
          : "Missing required field " + field + " in " + where);
    }
    return hasNot;
  }

  private static List<String> principals(JsonNode node, String where) {
    if (node.isTextual()) {
      if (!node.asText().equals("*")) {
        throw new MalformedPolicyException("Invalid principal in " + where + ": a principal is \"*\" or {\"AWS\": …}");
      }
      return List.of("*");
    }
    if (!node.isObject() || !node.has("AWS") || node.size() != 1) {
      throw new MalformedPolicyException("Invalid principal in " + where + ": only {\"AWS\": …} principals are served");
    }
    return strings(node.get("AWS"), where);
  }

  private static List<String> strings(JsonNode node, String where) {
    List<String> out = new ArrayList<>();
    if (node.isTextual()) {
      out.add(node.asText());
    } else if (node.isArray() && !node.isEmpty()) {
      for (JsonNode n : node) {
        if (!n.isTextual()) {
          throw new MalformedPolicyException("Syntax errors in policy: " + where + " lists a value that is not a string.");
        }
        out.add(n.asText());
      }
    } else {
      throw new MalformedPolicyException("Syntax errors in policy: " + where + " needs a string or a list of strings.");
    }
    return List.copyOf(out);
  }

  private static List<ConditionClause> conditions(JsonNode node, String where) {
    if (node == null) {
      return List.of();
    }
    if (!node.isObject()) {
      throw new MalformedPolicyException("Syntax errors in policy: the Condition of " + where + " must be an object.");
    }
    List<ConditionClause> clauses = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> ops = node.fields(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> op = ops.next();
      if (!op.getValue().isObject()) {
        throw new MalformedPolicyException("Syntax errors in policy: condition " + op.getKey() + " in " + where
            + " must map keys to values.");
      }
      for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> key = keys.next();
        List<String> values = new ArrayList<>();
        JsonNode v = key.getValue();
        if (v.isArray()) {
          v.forEach(x -> values.add(x.asText()));
        } else if (v.isValueNode()) {
          values.add(v.asText());
        } else {
          throw new MalformedPolicyException("Syntax errors in policy: condition key " + key.getKey() + " in "
              + where + " needs a value or a list of values.");
        }
        ConditionClause clause = ConditionClause.of(op.getKey(), key.getKey(), values);
        if (clause == null) {
          throw new MalformedPolicyException("Invalid Condition type : " + op.getKey() + " in " + where);
        }
        clauses.add(clause);
      }
    }
    return List.copyOf(clauses);
  }
}
