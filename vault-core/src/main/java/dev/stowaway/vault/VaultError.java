package dev.stowaway.vault;

/** Why the vault refused a request. The sidecar maps each to the AWS error type on the wire. */
public enum VaultError {
  RESOURCE_NOT_FOUND,
  ACCESS_DENIED,
  RESOURCE_EXISTS,
  INVALID_PARAMETER,
  INVALID_REQUEST,
  INVALID_NEXT_TOKEN,
  VALIDATION,
  LIMIT_EXCEEDED,
  DECRYPTION_FAILURE,
  ENCRYPTION_FAILURE,
  DELETE_CONFLICT,
  MALFORMED_POLICY,
  PUBLIC_POLICY,
  /** An MFA code that is wrong, out of its window, or already used. */
  INVALID_AUTHENTICATION_CODE,
  /** Too many failed attempts (MFA codes) lately: refused whatever was sent, until the window moves on. */
  THROTTLING,
  /** A KMS key that is disabled. */
  KEY_DISABLED,
  /** A KMS key in a state that does not allow the operation (pending deletion). */
  KEY_INVALID_STATE,
  /** A KMS ciphertext that is damaged, or does not open with the given context. */
  INVALID_CIPHERTEXT,
  /** A KMS ciphertext that another key encrypted than the one the request names. */
  INCORRECT_KEY,
  /** Something KMS does not allow for this kind of key (an AWS managed one). */
  UNSUPPORTED_OPERATION
}
