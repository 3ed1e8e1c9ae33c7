package dev.stowaway.agent.resolve;

/**
 * A placeholder could not be resolved. The message names the reference and the reason, never a
 * value.
 */
public class ResolutionException extends RuntimeException {
  public ResolutionException(String message) {
    super(message, null, false, false);
  }
}
