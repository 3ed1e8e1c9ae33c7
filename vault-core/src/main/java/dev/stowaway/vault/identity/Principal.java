package dev.stowaway.vault.identity;

/**
 * Who signed a request.
 *
 * @param temporary whether it signed with session credentials
 * @param mfaAuthenticatedAt epoch seconds of the MFA code behind the session, or null
 */
public record Principal(String userName, String arn, String accessKeyId, boolean temporary, Long mfaAuthenticatedAt) {

  /** A user signing with a long-term access key. */
  public Principal(String userName, String arn, String accessKeyId) {
    this(userName, arn, accessKeyId, false, null);
  }
}
