package dev.stowaway.vault.store;

import java.util.List;
import java.util.Optional;

/** What a unit of work may read. Everything returned is ciphertext or metadata. */
public interface StoreView {

  Optional<SecretRecord> secret(String arn);

  Optional<String> arnForName(String name);

  /** Every secret, in no particular order. */
  List<SecretRecord> secrets();

  Optional<byte[]> versionData(String arn, String versionId);

  Optional<KmsKeyRecord> kmsKey(String keyId);

  Optional<String> keyIdForAlias(String aliasName);

  List<KmsKeyRecord> kmsKeys();

  /** Every alias name with the key id it points to, ordered by name. */
  java.util.SortedMap<String, String> aliases();

  Optional<AccessKeyRecord> accessKey(String accessKeyId);

  List<AccessKeyRecord> accessKeys();

  Optional<UserRecord> user(String userName);

  List<UserRecord> users();

  Optional<GroupRecord> group(String groupName);

  List<GroupRecord> groups();

  Optional<ManagedPolicyRecord> managedPolicy(String arn);

  List<ManagedPolicyRecord> managedPolicies();

  Optional<MfaDeviceRecord> mfaDevice(String serialNumber);

  List<MfaDeviceRecord> mfaDevices();

  Optional<SessionRecord> session(String accessKeyId);

  List<SessionRecord> sessions();

  Optional<RoleRecord> role(String roleName);

  List<RoleRecord> roles();

  Optional<ParameterRecord> parameter(String name);

  /** Every parameter, ordered by name. */
  List<ParameterRecord> parameters();

  Optional<EventRuleRecord> eventRule(String name);

  List<EventRuleRecord> eventRules();
}
