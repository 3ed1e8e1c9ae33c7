package dev.stowaway.vault.identity;

/**
 * Who signed a request.
 *
 * @param temporary whether it signed with session credentials
 * @param mfaAuthenticatedAt epoch seconds of the MFA code behind the session, or null
 * @param roleName for an assumed-role session, the role (then {@code userName} is null)
 * @param sessionPolicy the session policy passed to AssumeRole, or null
 */
public record Principal(String userName, String arn, String accessKeyId, boolean temporary, Long mfaAuthenticatedAt,
    String roleName, String sessionPolicy) {

  /** A user signing with a long-term access key. */
  public Principal(String userName, String arn, String accessKeyId) {
    this(userName, arn, accessKeyId, false, null, null, null);
  }
}
