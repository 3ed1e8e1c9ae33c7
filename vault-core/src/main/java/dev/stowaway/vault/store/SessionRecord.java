package dev.stowaway.vault.store;

/**
 * Temporary credentials ({@code ASIA…}). The secret half is sealed like a secret value; of the
 * session token only a SHA-256 digest is kept, enough to recognise it and useless to present.
 *
 * @param mfaAuthenticatedAt epoch seconds of the MFA code that opened the session, or null without MFA
 */
public record SessionRecord(String accessKeyId, String userName, String userArn, byte[] sealedSecret,
    byte[] tokenDigest, long createdDate, long expiration, Long mfaAuthenticatedAt, String roleName,
    String sessionPolicy) {

  /** @param userName for a role session, the user (or null) who assumed it; the identity is {@code userArn} */
  public boolean isRoleSession() {
    return roleName != null;
  }
}
