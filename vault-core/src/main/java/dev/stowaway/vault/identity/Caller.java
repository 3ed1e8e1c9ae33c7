package dev.stowaway.vault.identity;

import dev.stowaway.vault.VaultException;

/**
 * Who is asking, and from where: what authorization and the request context need. {@link #SYSTEM}
 * is the vault itself (its sweeper, its start-up), which policies do not govern.
 */
public record Caller(String userName, String userId, String arn, String accessKeyId, String sourceIp,
    boolean secureTransport, boolean temporary, Long mfaAuthenticatedAt, String roleName, String sessionPolicy) {

  public static final Caller SYSTEM = new Caller(null, null, null, null, null, true);

  /** A caller with long-term credentials. */
  public Caller(String userName, String userId, String arn, String accessKeyId, String sourceIp,
      boolean secureTransport) {
    this(userName, userId, arn, accessKeyId, sourceIp, secureTransport, false, null, null, null);
  }

  public boolean isRoleSession() {
    return roleName != null;
  }

  /** The user an IAM call names, defaulting to the caller itself, which a role session cannot be. */
  public String userNameOr(String given) {
    if (given != null) {
      return given;
    }
    if (userName == null) {
      throw VaultException.validation("Must specify userName when calling with non-User credentials");
    }
    return userName;
  }

  public boolean isSystem() {
    return arn == null;
  }
}
