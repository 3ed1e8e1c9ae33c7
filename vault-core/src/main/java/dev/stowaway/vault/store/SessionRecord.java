package dev.stowaway.vault.store;

/**
 * Temporary credentials ({@code ASIA…}). The secret half is sealed like a secret value; of the
 * session token only a SHA-256 digest is kept, enough to recognise it and useless to present.
 *
 * <p>A session names the principals it depends on by unique id as well as by name, so that a user
 * or role deleted and made again under the same name inherits none of its predecessor's sessions.
 *
 * @param userName the user at the root of the session: who called GetSessionToken or AssumeRole, or
 *     for a chained role session the user who opened the chain; null for a chain whose root is unknown
 *     (records written before roots were kept)
 * @param userId that user's unique id ({@code AIDA…}), or null where unknown (records written before ids were kept)
 * @param mfaAuthenticatedAt epoch seconds of the MFA code that opened the session, or null without MFA
 * @param roleId for a role session, the role's unique id ({@code AROA…}); null otherwise, or in older records
 */
public record SessionRecord(String accessKeyId, String userName, String userArn, byte[] sealedSecret,
    byte[] tokenDigest, long createdDate, long expiration, Long mfaAuthenticatedAt, String roleName,
    String sessionPolicy, String userId, String roleId) {

  public boolean isRoleSession() {
    return roleName != null;
  }

  /** Whether this session was opened by this very user, directly or at the root of a chain of roles. */
  public boolean rootedIn(UserRecord user) {
    return user.userName().equals(userName) && (userId == null || userId.equals(user.userId()));
  }

  /** Whether this is a session of this very role (not of an earlier role of the same name). */
  public boolean of(RoleRecord role) {
    return role.roleName().equals(roleName) && (roleId == null || roleId.equals(role.roleId()));
  }

  public SessionRecord boundTo(String newUserId, String newRoleId) {
    return new SessionRecord(accessKeyId, userName, userArn, sealedSecret, tokenDigest, createdDate, expiration,
        mfaAuthenticatedAt, roleName, sessionPolicy, newUserId, newRoleId);
  }
}
