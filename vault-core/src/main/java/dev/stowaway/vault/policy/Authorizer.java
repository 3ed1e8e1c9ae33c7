package dev.stowaway.vault.policy;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.store.GroupRecord;
import dev.stowaway.vault.store.RoleRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.UserRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one evaluator every request of every API goes through: gathers the caller's identity
 * policies and the resource's policy, adds the request-context keys, and allows or refuses with
 * AWS's AccessDeniedException message. Policies are compiled once per document and kept.
 */
public final class Authorizer {

  private static final int MAX_COMPILED = 10_000;

  private final SecretStore store;
  private final Clock clock;
  private final Map<String, Policy> compiled = new ConcurrentHashMap<>();
  /** Each user's identity policies, compiled; dropped whenever users, groups or policies change. */
  private final Map<String, List<Policy>> byUser = new ConcurrentHashMap<>();

  public Authorizer(SecretStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Returns quietly when allowed; throws {@code ACCESS_DENIED} when not. The system caller is always allowed. */
  public void authorize(Caller caller, String action, String resource, Map<String, List<String>> keys,
      String resourcePolicy) {
    authorize(caller, action, resource, resource, keys, resourcePolicy);
  }

  /**
   * As {@link #authorize(Caller, String, String, Map, String)}, but a denial names {@code shownResource}
   * instead of the evaluated resource, so that it cannot reveal what the caller was not allowed to learn
   * (a secret's ARN suffix tells that the secret exists).
   */
  public void authorize(Caller caller, String action, String resource, String shownResource,
      Map<String, List<String>> keys, String resourcePolicy) {
    if (caller.isSystem()) {
      return;
    }
    Decision decision = decide(caller, action, resource, keys, resourcePolicy);
    if (!decision.allowed()) {
      throw new VaultException(VaultError.ACCESS_DENIED, decision.deniedMessage(caller.arn(), action, shownResource));
    }
  }

  public Decision decide(Caller caller, String action, String resource, Map<String, List<String>> keys,
      String resourcePolicy) {
    List<Policy> identity = caller.isRoleSession() ? rolePolicies(caller.roleName())
        : identityPolicies(caller.userName());
    Policy onResource = resourcePolicy == null ? null : compile("resource", resourcePolicy, Policy.Kind.RESOURCE);
    RequestContext request = new RequestContext(caller.arn(), action, resource, context(caller, keys));
    Decision decision = PolicyEvaluator.evaluate(identity, onResource, request);
    if (caller.sessionPolicy() == null || decision.outcome() == Decision.Outcome.EXPLICIT_DENY_IDENTITY
        || decision.outcome() == Decision.Outcome.EXPLICIT_DENY_RESOURCE) {
      return decision;
    }
    // a session policy only narrows: it must allow too, and its denies count like any other
    Policy session = compile("session", caller.sessionPolicy(), Policy.Kind.IDENTITY);
    Statement deny = session.firstApplying(Effect.DENY, request);
    if (deny != null) {
      return new Decision(Decision.Outcome.EXPLICIT_DENY_SESSION, session.name(), deny.sid());
    }
    if (decision.allowed() && session.firstApplying(Effect.ALLOW, request) == null) {
      return new Decision(Decision.Outcome.IMPLICIT_DENY_SESSION, null, null);
    }
    return decision;
  }

  /**
   * sts:AssumeRole against a role's trust policy. Unlike other resource policies, the trust policy
   * must allow even within one account: naming the caller (or {@code *}) suffices, naming only the
   * account also needs the caller's identity policies to allow.
   */
  public void authorizeAssumeRole(Caller caller, String roleArn, String trustPolicy, Map<String, List<String>> keys) {
    List<Policy> identity = caller.isRoleSession() ? rolePolicies(caller.roleName())
        : identityPolicies(caller.userName());
    Policy trust = trustPolicy == null ? null : compile("trust", trustPolicy, Policy.Kind.TRUST);
    RequestContext request = new RequestContext(caller.arn(), "sts:AssumeRole", roleArn, context(caller, keys));
    Decision decision = trust == null ? null : PolicyEvaluator.evaluate(identity, trust, request);
    boolean allowed = decision != null && decision.outcome() != Decision.Outcome.EXPLICIT_DENY_IDENTITY
        && decision.outcome() != Decision.Outcome.EXPLICIT_DENY_RESOURCE
        && (trust.firstGranting(request) != null
            || (trust.firstApplying(Effect.ALLOW, request) != null && decision.allowed()));
    if (!allowed) {
      throw new VaultException(VaultError.ACCESS_DENIED, "User: " + caller.arn()
          + " is not authorized to perform: sts:AssumeRole on resource: " + roleArn);
    }
  }

  /** Forget cached identity policies: a user, group, membership or policy changed. */
  public void identityChanged() {
    byUser.clear();
  }

  /** A role's inline and attached policies, cached like a user's. */
  private List<Policy> rolePolicies(String roleName) {
    String key = "role\u0000" + roleName;
    List<Policy> cached = byUser.get(key);
    if (cached != null) {
      return cached;
    }
    List<Policy> loaded = store.read(view -> {
      RoleRecord role = view.role(roleName).orElse(null);
      if (role == null) {
        return List.<Policy>of();
      }
      List<Policy> policies = new ArrayList<>();
      for (UserRecord.InlinePolicy p : role.inlinePolicies()) {
        policies.add(compile("role/" + roleName + "/" + p.name(), p.document(), Policy.Kind.IDENTITY));
      }
      for (String arn : role.attachedPolicies()) {
        view.managedPolicy(arn).ifPresent(m -> policies.add(compile(arn, m.defaultDocument(), Policy.Kind.IDENTITY)));
      }
      return List.copyOf(policies);
    });
    byUser.put(key, loaded);
    return loaded;
  }

  private List<Policy> identityPolicies(String userName) {
    List<Policy> cached = byUser.get(userName);
    if (cached != null) {
      return cached;
    }
    List<Policy> loaded = loadIdentityPolicies(userName);
    byUser.put(userName, loaded);
    return loaded;
  }

  private List<Policy> loadIdentityPolicies(String userName) {
    UserRecord user = store.read(view -> view.user(userName)).orElse(null);
    if (user == null) {
      return List.of();
    }
    List<Policy> policies = new ArrayList<>();
    for (UserRecord.InlinePolicy p : user.inlinePolicies()) {
      policies.add(compile("user/" + userName + "/" + p.name(), p.document(), Policy.Kind.IDENTITY));
    }
    store.read(view -> {
      for (String arn : user.attachedPolicies()) {
        view.managedPolicy(arn).ifPresent(m -> policies.add(compile(arn, m.defaultDocument(), Policy.Kind.IDENTITY)));
      }
      for (GroupRecord g : view.groups()) {
        if (!g.members().contains(userName)) {
          continue;
        }
        for (UserRecord.InlinePolicy p : g.inlinePolicies()) {
          policies.add(compile("group/" + g.groupName() + "/" + p.name(), p.document(), Policy.Kind.IDENTITY));
        }
        for (String arn : g.attachedPolicies()) {
          view.managedPolicy(arn).ifPresent(m -> policies.add(compile(arn, m.defaultDocument(), Policy.Kind.IDENTITY)));
        }
      }
      return null;
    });
    return List.copyOf(policies);
  }

  private Policy compile(String name, String document, Policy.Kind kind) {
    String key = kind + "\u0000" + name + "\u0000" + document;
    Policy p = compiled.get(key);
    if (p == null) {
      p = switch (kind) {
        case IDENTITY -> PolicyParser.identity(name, document);
        case RESOURCE -> PolicyParser.resource(name, document);
        case TRUST -> PolicyParser.trust(name, document);
      };
      if (compiled.size() >= MAX_COMPILED) {
        compiled.clear(); // crude bound; policies are few and recompiling is cheap
      }
      compiled.put(key, p);
    }
    return p;
  }

  private Map<String, List<String>> context(Caller caller, Map<String, List<String>> keys) {
    Map<String, List<String>> context = new HashMap<>(keys);
    Instant now = clock.instant();
    // as in AWS: role sessions have no aws:username, and their PrincipalArn is the role's
    if (caller.isRoleSession()) {
      context.put("aws:PrincipalArn", List.of("arn:aws:iam::" + caller.arn().split(":")[4] + ":role/"
          + caller.roleName()));
      context.put("aws:PrincipalType", List.of("AssumedRole"));
    } else {
      context.put("aws:username", List.of(caller.userName()));
      context.put("aws:PrincipalArn", List.of(caller.arn()));
      context.put("aws:PrincipalType", List.of("User"));
    }
    context.put("aws:userid", List.of(caller.userId()));
    context.put("aws:PrincipalAccount", List.of(caller.arn().split(":")[4]));
    context.put("aws:CurrentTime", List.of(now.toString()));
    context.put("aws:EpochTime", List.of(String.valueOf(now.getEpochSecond())));
    context.put("aws:SecureTransport", List.of(String.valueOf(caller.secureTransport())));
    if (caller.sourceIp() != null) {
      context.put("aws:SourceIp", List.of(caller.sourceIp()));
    }
    // as in AWS: absent for long-term keys, false for sessions opened without MFA
    if (caller.temporary()) {
      Long mfaAt = caller.mfaAuthenticatedAt();
      context.put("aws:MultiFactorAuthPresent", List.of(String.valueOf(mfaAt != null)));
      if (mfaAt != null) {
        context.put("aws:MultiFactorAuthAge", List.of(String.valueOf(Math.max(0, now.getEpochSecond() - mfaAt))));
      }
    }
    return context;
  }
}
