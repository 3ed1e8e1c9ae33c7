package dev.stowaway.vault.policy;

/**
 * The outcome of evaluating a request, and which policy and statement decided it.
 *
 * @param policy the deciding policy's name, or null for an implicit deny
 * @param sid the deciding statement's Sid (may be null), or null for an implicit deny
 */
public record Decision(Outcome outcome, String policy, String sid) {

  public enum Outcome {
    ALLOWED, EXPLICIT_DENY_IDENTITY, EXPLICIT_DENY_RESOURCE, EXPLICIT_DENY_SESSION, IMPLICIT_DENY,
    /** Identity policies allow, the session policy passed to AssumeRole does not. */
    IMPLICIT_DENY_SESSION
  }

  public boolean allowed() {
    return outcome == Outcome.ALLOWED;
  }

  /** AWS's AccessDeniedException message for this decision. */
  public String deniedMessage(String principalArn, String action, String resource) {
    String base = "User: " + principalArn + " is not authorized to perform: " + action + " on resource: " + resource;
    return switch (outcome) {
      case EXPLICIT_DENY_IDENTITY -> base + " with an explicit deny in an identity-based policy";
      case EXPLICIT_DENY_RESOURCE -> base + " with an explicit deny in a resource-based policy";
      case EXPLICIT_DENY_SESSION -> base + " with an explicit deny in a session policy";
      case IMPLICIT_DENY_SESSION -> base + " because no session policy allows the " + action + " action";
      default -> base + " because no identity-based policy allows the " + action + " action";
    };
  }
}
