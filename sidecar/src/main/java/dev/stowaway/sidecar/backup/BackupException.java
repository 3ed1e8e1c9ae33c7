package dev.stowaway.sidecar.backup;

/** A backup that cannot be restored, and why. */
public final class BackupException extends RuntimeException {

  public BackupException(String message) {
    super(message);
  }
}
