package dev.stowaway.vault.store.mapdb;

import dev.stowaway.vault.store.AccessKeyRecord;
import dev.stowaway.vault.store.GroupRecord;
import dev.stowaway.vault.store.MfaDeviceRecord;
import dev.stowaway.vault.store.EventRuleRecord;
import dev.stowaway.vault.store.ParameterRecord;
import dev.stowaway.vault.store.RoleRecord;
import dev.stowaway.vault.store.SessionRecord;
import dev.stowaway.vault.store.ManagedPolicyRecord;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.RecordCodec;
import dev.stowaway.vault.store.SecretRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreException;
import dev.stowaway.vault.store.StoreTransaction;
import dev.stowaway.vault.store.StoreView;
import dev.stowaway.vault.store.UserRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * The embedded store: one MapDB file with its write-ahead log, so a commit survives a crash.
 *
 * <p>MapDB has one global transaction per file, so writers are serialized and readers are kept
 * out while a write is uncommitted (they would otherwise see its dirty state).
 */
public final class MapDbSecretStore implements SecretStore {

  /** Version values are keyed {@code arn + SEPARATOR + versionId}; neither can contain NUL. */
  private static final char SEPARATOR = '\u0000';

  private final DB db;
  private final BTreeMap<String, byte[]> secrets;
  private final BTreeMap<String, String> names;
  private final BTreeMap<String, byte[]> versions;
  private final BTreeMap<String, byte[]> kmsKeys;
  private final BTreeMap<String, String> aliases;
  private final BTreeMap<String, byte[]> accessKeys;
  private final BTreeMap<String, byte[]> users;
  private final BTreeMap<String, byte[]> groups;
  private final BTreeMap<String, byte[]> policies;
  private final BTreeMap<String, byte[]> mfaDevices;
  private final BTreeMap<String, byte[]> sessions;
  private final BTreeMap<String, byte[]> roles;
  private final BTreeMap<String, byte[]> eventRules;
  private final BTreeMap<String, byte[]> parameters;
  private final RecordCodec codec = new RecordCodec();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
  private boolean closed;

  private MapDbSecretStore(DB db) {
    this.db = db;
    this.secrets = bytesMap("secrets");
    this.names = db.treeMap("secret-names", Serializer.STRING, Serializer.STRING).createOrOpen();
    this.versions = bytesMap("secret-versions");
    this.kmsKeys = bytesMap("kms-keys");
    this.aliases = db.treeMap("kms-aliases", Serializer.STRING, Serializer.STRING).createOrOpen();
    this.accessKeys = bytesMap("access-keys");
    this.users = bytesMap("iam-users");
    this.groups = bytesMap("iam-groups");
    this.policies = bytesMap("iam-policies");
    this.mfaDevices = bytesMap("iam-mfa-devices");
    this.sessions = bytesMap("sts-sessions");
    this.roles = bytesMap("iam-roles");
    this.eventRules = bytesMap("event-rules");
    this.parameters = bytesMap("ssm-parameters");
    db.commit();
  }

  /** Opens (or creates) the store file; a damaged file is refused with a clear message. */
  public static MapDbSecretStore open(Path file) {
    try {
      DB db = DBMaker.fileDB(file.toFile())
          .transactionEnable()
          .make();
      return new MapDbSecretStore(db);
    } catch (RuntimeException e) {
      String why = e.getMessage() != null && e.getMessage().contains("locked")
          ? "it is locked by another process (is another sidecar using this data directory?)"
          : "it is damaged or not a Stowaway store (" + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); restore it with 'stowaway restore'";
      throw new StoreException("cannot open the vault store " + file + ": " + why, e);
    }
  }

  /** A store that lives in memory only: the real MapDB engine, for tests and throwaway vaults. */
  public static MapDbSecretStore openInMemory() {
    return new MapDbSecretStore(DBMaker.memoryDB().transactionEnable().make());
  }

  private BTreeMap<String, byte[]> bytesMap(String name) {
    return db.treeMap(name, Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
  }

  @Override
  public <T> T read(Function<? super StoreView, T> work) {
    lock.readLock().lock();
    try {
      checkOpen();
      return work.apply(new View());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public <T> T write(Function<? super StoreTransaction, T> work) {
    lock.writeLock().lock();
    try {
      checkOpen();
      T result;
      try {
        result = work.apply(new Transaction());
      } catch (RuntimeException | Error e) {
        db.rollback();
        throw e;
      }
      db.commit();
      return result;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreException("the vault store is closed");
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        db.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static String versionKey(String arn, String versionId) {
    return arn + SEPARATOR + versionId;
  }

  private class View implements StoreView {
    @Override
    public Optional<SecretRecord> secret(String arn) {
      return Optional.ofNullable(secrets.get(arn)).map(b -> codec.decode(b, SecretRecord.class));
    }

    @Override
    public Optional<String> arnForName(String name) {
      return Optional.ofNullable(names.get(name));
    }

    @Override
    public List<SecretRecord> secrets() {
      return decodeAll(secrets, SecretRecord.class);
    }

    @Override
    public Optional<byte[]> versionData(String arn, String versionId) {
      return Optional.ofNullable(versions.get(versionKey(arn, versionId)));
    }

    @Override
    public Optional<KmsKeyRecord> kmsKey(String keyId) {
      return Optional.ofNullable(kmsKeys.get(keyId)).map(b -> codec.decode(b, KmsKeyRecord.class));
    }

    @Override
    public Optional<String> keyIdForAlias(String aliasName) {
      return Optional.ofNullable(aliases.get(aliasName));
    }

    @Override
    public List<KmsKeyRecord> kmsKeys() {
      return decodeAll(kmsKeys, KmsKeyRecord.class);
    }

    @Override
    public java.util.SortedMap<String, String> aliases() {
      return new java.util.TreeMap<>(aliases);
    }

    @Override
    public Optional<AccessKeyRecord> accessKey(String accessKeyId) {
      return Optional.ofNullable(accessKeys.get(accessKeyId))
          .map(b -> codec.decode(b, AccessKeyRecord.class));
    }

    @Override
    public List<AccessKeyRecord> accessKeys() {
      return decodeAll(accessKeys, AccessKeyRecord.class);
    }

    @Override
    public Optional<UserRecord> user(String userName) {
      return Optional.ofNullable(users.get(userName)).map(b -> codec.decode(b, UserRecord.class));
    }

    @Override
    public List<UserRecord> users() {
      return decodeAll(users, UserRecord.class);
    }

    @Override
    public Optional<GroupRecord> group(String groupName) {
      return Optional.ofNullable(groups.get(groupName)).map(b -> codec.decode(b, GroupRecord.class));
    }

    @Override
    public List<GroupRecord> groups() {
      return decodeAll(groups, GroupRecord.class);
    }

    @Override
    public Optional<ManagedPolicyRecord> managedPolicy(String arn) {
      return Optional.ofNullable(policies.get(arn)).map(b -> codec.decode(b, ManagedPolicyRecord.class));
    }

    @Override
    public List<ManagedPolicyRecord> managedPolicies() {
      return decodeAll(policies, ManagedPolicyRecord.class);
    }

    @Override
    public Optional<MfaDeviceRecord> mfaDevice(String serialNumber) {
      return Optional.ofNullable(mfaDevices.get(serialNumber)).map(b -> codec.decode(b, MfaDeviceRecord.class));
    }

    @Override
    public List<MfaDeviceRecord> mfaDevices() {
      return decodeAll(mfaDevices, MfaDeviceRecord.class);
    }

    @Override
    public Optional<SessionRecord> session(String accessKeyId) {
      return Optional.ofNullable(sessions.get(accessKeyId)).map(b -> codec.decode(b, SessionRecord.class));
    }

    @Override
    public List<SessionRecord> sessions() {
      return decodeAll(sessions, SessionRecord.class);
    }

    @Override
    public Optional<RoleRecord> role(String roleName) {
      return Optional.ofNullable(roles.get(roleName)).map(b -> codec.decode(b, RoleRecord.class));
    }

    @Override
    public List<RoleRecord> roles() {
      return decodeAll(roles, RoleRecord.class);
    }

    @Override
    public Optional<ParameterRecord> parameter(String name) {
      return Optional.ofNullable(parameters.get(name)).map(b -> codec.decode(b, ParameterRecord.class));
    }

    @Override
    public List<ParameterRecord> parameters() {
      return decodeAll(parameters, ParameterRecord.class);
    }

    @Override
    public Optional<EventRuleRecord> eventRule(String name) {
      return Optional.ofNullable(eventRules.get(name)).map(b -> codec.decode(b, EventRuleRecord.class));
    }

    @Override
    public List<EventRuleRecord> eventRules() {
      return decodeAll(eventRules, EventRuleRecord.class);
    }

    private <T> List<T> decodeAll(BTreeMap<String, byte[]> map, Class<T> type) {
      List<T> all = new ArrayList<>(map.size());
      for (byte[] bytes : map.values()) {
        all.add(codec.decode(bytes, type));
      }
      return all;
    }
  }

  private final class Transaction extends View implements StoreTransaction {
    @Override
    public void putSecret(SecretRecord secret) {
      byte[] previous = secrets.put(secret.arn(), codec.encode(secret));
      if (previous != null) {
        String oldName = codec.decode(previous, SecretRecord.class).name();
        if (!oldName.equals(secret.name())) {
          names.remove(oldName);
        }
      }
      names.put(secret.name(), secret.arn());
    }

    @Override
    public void removeSecret(String arn) {
      byte[] previous = secrets.remove(arn);
      if (previous != null) {
        names.remove(codec.decode(previous, SecretRecord.class).name(), arn);
      }
      versions.subMap(arn + SEPARATOR, arn + (char) (SEPARATOR + 1)).clear();
    }

    @Override
    public void putVersionData(String arn, String versionId, byte[] envelope) {
      versions.put(versionKey(arn, versionId), envelope);
    }

    @Override
    public void removeVersionData(String arn, String versionId) {
      versions.remove(versionKey(arn, versionId));
    }

    @Override
    public void putKmsKey(KmsKeyRecord key) {
      kmsKeys.put(key.keyId(), codec.encode(key));
    }

    @Override
    public void putAlias(String aliasName, String keyId) {
      aliases.put(aliasName, keyId);
    }

    @Override
    public void removeAlias(String aliasName) {
      aliases.remove(aliasName);
    }

    @Override
    public void removeKmsKey(String keyId) {
      kmsKeys.remove(keyId);
    }

    @Override
    public void putAccessKey(AccessKeyRecord key) {
      accessKeys.put(key.accessKeyId(), codec.encode(key));
    }

    @Override
    public void removeAccessKey(String accessKeyId) {
      accessKeys.remove(accessKeyId);
    }

    @Override
    public void putUser(UserRecord user) {
      users.put(user.userName(), codec.encode(user));
    }

    @Override
    public void removeUser(String userName) {
      users.remove(userName);
    }

    @Override
    public void putGroup(GroupRecord group) {
      groups.put(group.groupName(), codec.encode(group));
    }

    @Override
    public void removeGroup(String groupName) {
      groups.remove(groupName);
    }

    @Override
    public void putManagedPolicy(ManagedPolicyRecord policy) {
      policies.put(policy.arn(), codec.encode(policy));
    }

    @Override
    public void removeManagedPolicy(String arn) {
      policies.remove(arn);
    }

    @Override
    public void putMfaDevice(MfaDeviceRecord device) {
      mfaDevices.put(device.serialNumber(), codec.encode(device));
    }

    @Override
    public void removeMfaDevice(String serialNumber) {
      mfaDevices.remove(serialNumber);
    }

    @Override
    public void putSession(SessionRecord session) {
      sessions.put(session.accessKeyId(), codec.encode(session));
    }

    @Override
    public void removeSession(String accessKeyId) {
      sessions.remove(accessKeyId);
    }

    @Override
    public void putRole(RoleRecord role) {
      roles.put(role.roleName(), codec.encode(role));
    }

    @Override
    public void removeRole(String roleName) {
      roles.remove(roleName);
    }

    @Override
    public void putParameter(ParameterRecord parameter) {
      parameters.put(parameter.name(), codec.encode(parameter));
    }

    @Override
    public void removeParameter(String name) {
      parameters.remove(name);
    }

    @Override
    public void putEventRule(EventRuleRecord rule) {
      eventRules.put(rule.name(), codec.encode(rule));
    }

    @Override
    public void removeEventRule(String name) {
      eventRules.remove(name);
    }
  }
}
