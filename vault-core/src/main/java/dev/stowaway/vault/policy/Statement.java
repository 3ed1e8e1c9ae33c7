package dev.stowaway.vault.policy;

import java.util.List;

/**
 * One compiled statement. Action and resource patterns are compiled once, at parse time, except
 * resource patterns that hold policy variables, which depend on the request.
 *
 * @param principals null when the statement has neither Principal nor NotPrincipal
 */
record Statement(String sid, Effect effect, List<Glob> actions, boolean notAction, List<ResourcePattern> resources,
    boolean notResource, List<String> principals, boolean notPrincipal, List<ConditionClause> conditions) {

  /** A Resource entry: compiled once, unless it holds policy variables and so depends on the request. */
  record ResourcePattern(String raw, Glob compiled) {
    static ResourcePattern of(String raw) {
      return new ResourcePattern(raw, raw.contains("${") ? null : Glob.of(raw, false));
    }

    boolean matches(RequestContext request) {
      if (compiled != null) {
        return compiled.matches(request.resource());
      }
      String concrete = PolicyVariables.INSTANCE.substitute(raw, request);
      return concrete != null && Glob.cached(concrete, false).matches(request.resource());
    }
  }

  boolean applies(RequestContext request) {
    return actionMatches(request.action()) && resourceMatches(request) && principalMatches(request.principalArn())
        && conditionsHold(request);
  }

  /**
   * Whether this Allow, in a resource policy, grants on its own. Naming the caller (or {@code *})
   * does; naming only the caller's account does not: within one account that delegates the
   * decision to the caller's identity policies, as AWS evaluates it.
   */
  boolean grantsDirectly(RequestContext request) {
    if (!applies(request)) {
      return false;
    }
    if (principals == null || notPrincipal) {
      return true;
    }
    for (String p : principals) {
      if (p.equals("*") || names(p, request.principalArn())) {
        return true;
      }
    }
    return false;
  }

  private boolean actionMatches(String action) {
    boolean any = false;
    for (Glob g : actions) {
      if (g.matches(action)) {
        any = true;
        break;
      }
    }
    return notAction != any;
  }

  private boolean resourceMatches(RequestContext request) {
    boolean any = false;
    for (ResourcePattern pattern : resources) {
      if (pattern.matches(request)) {
        any = true;
        break;
      }
    }
    return notResource != any;
  }

  private boolean principalMatches(String principalArn) {
    if (principals == null) {
      return true;
    }
    boolean any = false;
    for (String p : principals) {
      if (p.equals("*") || names(p, principalArn) || accountRoot(p, principalArn)) {
        any = true;
        break;
      }
    }
    return notPrincipal != any;
  }

  /**
   * Whether the policy's principal entry names this principal: its own ARN, or for an assumed-role
   * session ({@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION}) the role's ARN, which covers
   * every session of the role.
   */
  private static boolean names(String entry, String principalArn) {
    if (entry.equals(principalArn)) {
      return true;
    }
    if (principalArn == null || !principalArn.startsWith("arn:aws:sts::")) {
      return false;
    }
    int roleStart = principalArn.indexOf(":assumed-role/");
    int sessionStart = principalArn.lastIndexOf('/');
    if (roleStart < 0 || sessionStart <= roleStart + 14) {
      return false;
    }
    String account = principalArn.substring("arn:aws:sts::".length(), roleStart);
    String role = principalArn.substring(roleStart + 14, sessionStart);
    return entry.equals("arn:aws:iam::" + account + ":role/" + role);
  }

  /** {@code 123456789012} or {@code arn:aws:iam::123456789012:root} names every principal of the account. */
  private static boolean accountRoot(String principal, String principalArn) {
    // evaluated per request: plain string checks, no regular expressions
    String account = isAccountId(principal) ? principal
        : principal.length() == 30 && principal.startsWith("arn:aws:iam::") && principal.endsWith(":root")
            && isAccountId(principal.substring(13, 25)) ? principal.substring(13, 25) : null;
    if (account == null || principalArn == null) {
      return false;
    }
    // arn:PARTITION:SERVICE:REGION:ACCOUNT:…, the account being the fifth field
    int at = 0;
    for (int i = 0; i < 4 && at >= 0; i++) {
      at = principalArn.indexOf(':', at) + 1;
      at = at == 0 ? -1 : at;
    }
    return at > 0 && principalArn.startsWith(account, at) && principalArn.startsWith(":", at + account.length());
  }

  private static boolean isAccountId(String s) {
    if (s.length() != 12) {
      return false;
    }
    for (int i = 0; i < 12; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private boolean conditionsHold(RequestContext request) {
    for (ConditionClause c : conditions) {
      if (!c.test(request, PolicyVariables.INSTANCE)) {
        return false;
      }
    }
    return true;
  }
}
