package dev.stowaway.vault.store;

/** A unit of work that may write. It commits as a whole, or not at all. */
public interface StoreTransaction extends StoreView {

  /** Inserts or replaces, keeping the name index in step. */
  void putSecret(SecretRecord secret);

  /** Removes the secret, its name and every stored version value. */
  void removeSecret(String arn);

  void putVersionData(String arn, String versionId, byte[] envelope);

  void removeVersionData(String arn, String versionId);

  void putKmsKey(KmsKeyRecord key);

  void putAlias(String aliasName, String keyId);

  void removeAlias(String aliasName);

  void removeKmsKey(String keyId);

  void putAccessKey(AccessKeyRecord key);

  void removeAccessKey(String accessKeyId);

  void putUser(UserRecord user);

  void removeUser(String userName);

  void putGroup(GroupRecord group);

  void removeGroup(String groupName);

  void putManagedPolicy(ManagedPolicyRecord policy);

  void removeManagedPolicy(String arn);

  void putMfaDevice(MfaDeviceRecord device);

  void removeMfaDevice(String serialNumber);

  void putSession(SessionRecord session);

  void removeSession(String accessKeyId);

  void putRole(RoleRecord role);

  void removeRole(String roleName);

  void putParameter(ParameterRecord parameter);

  void removeParameter(String name);

  void putEventRule(EventRuleRecord rule);

  void removeEventRule(String name);
}
