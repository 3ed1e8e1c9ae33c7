package dev.stowaway.agent.resolve;

/** The sidecar could not be reached at all (refused, timed out, cut off). */
public final class SidecarUnavailableException extends ResolutionException {
  public SidecarUnavailableException(String message) {
    super(message);
  }
}
