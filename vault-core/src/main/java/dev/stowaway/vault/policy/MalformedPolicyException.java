package dev.stowaway.vault.policy;

/** A policy document that does not follow the IAM grammar; the message says where. */
public final class MalformedPolicyException extends RuntimeException {
  public MalformedPolicyException(String message) {
    super(message, null, false, false);
  }
}
