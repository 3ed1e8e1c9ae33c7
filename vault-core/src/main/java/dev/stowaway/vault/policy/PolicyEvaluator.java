package dev.stowaway.vault.policy;

import java.util.List;

/**
 * IAM's evaluation for one account: an explicit Deny anywhere wins; otherwise an Allow in an
 * identity policy, or an Allow in the resource's policy that names the caller (or everyone), allows;
 * otherwise the request is denied. A resource policy naming only the account grants nothing by itself.
 */
public final class PolicyEvaluator {

  private PolicyEvaluator() {}

  public static Decision evaluate(List<Policy> identityPolicies, Policy resourcePolicy, RequestContext request) {
    for (Policy p : identityPolicies) {
      Statement deny = p.firstApplying(Effect.DENY, request);
      if (deny != null) {
        return new Decision(Decision.Outcome.EXPLICIT_DENY_IDENTITY, p.name(), deny.sid());
      }
    }
    if (resourcePolicy != null) {
      Statement deny = resourcePolicy.firstApplying(Effect.DENY, request);
      if (deny != null) {
        return new Decision(Decision.Outcome.EXPLICIT_DENY_RESOURCE, resourcePolicy.name(), deny.sid());
      }
    }
    for (Policy p : identityPolicies) {
      Statement allow = p.firstApplying(Effect.ALLOW, request);
      if (allow != null) {
        return new Decision(Decision.Outcome.ALLOWED, p.name(), allow.sid());
      }
    }
    if (resourcePolicy != null) {
      Statement allow = resourcePolicy.firstGranting(request);
      if (allow != null) {
        return new Decision(Decision.Outcome.ALLOWED, resourcePolicy.name(), allow.sid());
      }
    }
    return new Decision(Decision.Outcome.IMPLICIT_DENY, null, null);
  }
}
