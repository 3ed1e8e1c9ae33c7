package dev.stowaway.vault.parameters;

/**
 * A Parameter Store refusal. Parameter Store has its own error for nearly every rule, so the
 * reason travels as one of its own, which the sidecar names on the wire.
 */
public final class ParameterException extends RuntimeException {

  /** Parameter Store's reasons, each one of its error types. */
  public enum Reason {
    PARAMETER_NOT_FOUND,
    PARAMETER_ALREADY_EXISTS,
    PARAMETER_VERSION_NOT_FOUND,
    PARAMETER_VERSION_LABEL_LIMIT_EXCEEDED,
    PARAMETER_MAX_VERSION_LIMIT_EXCEEDED,
    PARAMETER_PATTERN_MISMATCH,
    HIERARCHY_LEVEL_LIMIT_EXCEEDED,
    HIERARCHY_TYPE_MISMATCH,
    INVALID_ALLOWED_PATTERN,
    INVALID_FILTER_KEY,
    INVALID_FILTER_OPTION,
    INVALID_RESOURCE_ID,
    INVALID_RESOURCE_TYPE,
    INVALID_KEY_ID,
    TOO_MANY_TAGS,
    VALIDATION
  }

  private final Reason reason;

  public ParameterException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
