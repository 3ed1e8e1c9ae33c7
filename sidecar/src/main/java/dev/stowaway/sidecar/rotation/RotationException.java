package dev.stowaway.sidecar.rotation;

/**
 * A rotation step failed. The message names the step's target and what went wrong, never a
 * password: it ends up in the RotationFailed record.
 */
final class RotationException extends Exception {

  RotationException(String message) {
    super(message, null, false, false);
  }
}
