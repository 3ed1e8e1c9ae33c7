package dev.stowaway.vault.policy;

import java.util.List;

/**
 * A parsed, compiled policy document, named for the messages that cite it.
 *
 * @param name where it came from, e.g. {@code user/app/inline/read-prod} or {@code resource}
 */
public record Policy(String name, String document, List<Statement> statements, Kind kind) {

  /** IDENTITY: attached to a principal; RESOURCE: on a resource, naming principals; TRUST: a role's trust policy. */
  public enum Kind { IDENTITY, RESOURCE, TRUST }

  /** True if some Allow statement grants every principal with no condition: what BlockPublicPolicy refuses. */
  public boolean allowsEveryoneUnconditionally() {
    for (Statement s : statements) {
      if (s.effect() == Effect.ALLOW && s.principals() != null && !s.notPrincipal() && s.principals().contains("*")
          && s.conditions().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The first Allow that grants the request without help from identity policies, or null. */
  Statement firstGranting(RequestContext request) {
    for (Statement s : statements) {
      if (s.effect() == Effect.ALLOW && s.grantsDirectly(request)) {
        return s;
      }
    }
    return null;
  }

  /** The first statement of {@code effect} that applies to the request, or null. */
  Statement firstApplying(Effect effect, RequestContext request) {
    for (Statement s : statements) {
      if (s.effect() == effect && s.applies(request)) {
        return s;
      }
    }
    return null;
  }
}
