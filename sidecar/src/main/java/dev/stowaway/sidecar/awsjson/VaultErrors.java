package dev.stowaway.sidecar.awsjson;

import dev.stowaway.vault.VaultError;

/** The AWS error type for each reason the vault refuses. All are HTTP 400 on the wire. */
final class VaultErrors {

  private VaultErrors() {}

  static String type(VaultError error) {
    return switch (error) {
      case RESOURCE_NOT_FOUND -> "ResourceNotFoundException";
      case ACCESS_DENIED -> "AccessDeniedException";
      case DELETE_CONFLICT -> "DeleteConflict";
      case MALFORMED_POLICY -> "MalformedPolicyDocumentException";
      case PUBLIC_POLICY -> "PublicPolicyException";
      case RESOURCE_EXISTS -> "ResourceExistsException";
      case INVALID_PARAMETER -> "InvalidParameterException";
      case INVALID_REQUEST -> "InvalidRequestException";
      case INVALID_NEXT_TOKEN -> "InvalidNextTokenException";
      case VALIDATION -> "ValidationException";
      case LIMIT_EXCEEDED -> "LimitExceededException";
      case DECRYPTION_FAILURE -> "DecryptionFailure";
      case ENCRYPTION_FAILURE -> "EncryptionFailure";
      case INVALID_AUTHENTICATION_CODE -> "AccessDeniedException";
      case KEY_DISABLED, KEY_INVALID_STATE, INVALID_CIPHERTEXT, INCORRECT_KEY -> "DecryptionFailure";
      case UNSUPPORTED_OPERATION -> "InvalidRequestException";
      case THROTTLING -> "ThrottlingException";
    };
  }
}
