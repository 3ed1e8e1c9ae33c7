package dev.stowaway.vault.store;

/**
 * An access key: its secret half is an encoded envelope, sealed like a secret value.
 *
 * @param userId the unique id ({@code AIDA…}) of the user it was issued to, so that a user deleted and
 *     made again under the same name does not inherit it; null only in records written before ids were
 *     kept (the vault binds those when it opens)
 */
public record AccessKeyRecord(
    String accessKeyId,
    String userName,
    String userId,
    String userArn,
    String status,
    long createdDate,
    byte[] sealedSecret) {

  /** Whether the key was issued to this very user, not merely to someone of the same name. */
  public boolean belongsTo(UserRecord user) {
    return user.userName().equals(userName) && (userId == null || userId.equals(user.userId()));
  }

  public AccessKeyRecord withStatus(String newStatus) {
    return new AccessKeyRecord(accessKeyId, userName, userId, userArn, newStatus, createdDate, sealedSecret);
  }

  public AccessKeyRecord boundTo(String id) {
    return new AccessKeyRecord(accessKeyId, userName, id, userArn, status, createdDate, sealedSecret);
  }
}
