package dev.stowaway.vault.events;

/** EventBridge's {@code InvalidEventPatternException}: "Event pattern is not valid. Reason: …". */
public final class InvalidEventPatternException extends RuntimeException {
  public InvalidEventPatternException(String reason) {
    super("Event pattern is not valid. Reason: " + reason, null, false, false);
  }
}
