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
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.mapdb.serializer.GroupSerializer;

/**
 * The embedded store: one MapDB file and the redo journal beside it ({@link JournaledVolume}), so a
 * commit survives a crash at any moment: MapDB's plain {@code StoreDirect} writes through a volume
 * whose sync journals and forces the commit's bytes before any reach the file.
 *
 * <p>MapDB has one global transaction per file, so writers are serialized and readers are kept
 * out while a write is uncommitted (they would otherwise see its dirty state).
 *
 * <p><b>Group commit.</b> A commit's sync costs milliseconds; writes that arrive while one is under
 * way queue up, and the next thread to hold the write lock runs every queued unit of work and
 * makes them durable with one commit. Each unit writes into its own staging area, applied to the
 * maps only if it returns, so one that throws leaves nothing behind without undoing the others. A
 * caller returns only after the commit that holds its work, as before.
 *
 * <p><b>Decoded records are cached</b> (Caffeine, bounded): a lookup through MapDB's B-tree and
 * Jackson costs far more than the request's cryptography. Nothing else writes the file (MapDB
 * locks it), writes invalidate what they change as they apply it, and a failed commit drops the
 * whole cache, so the cache holds only what the file holds. Records are immutable.
 */
public final class MapDbSecretStore implements SecretStore {

  /** Version values are keyed {@code arn + SEPARATOR + versionId}; neither can contain NUL. */
  private static final char SEPARATOR = '\u0000';
  /** Writes committed together at most; bounds how long one commit keeps readers out. */
  private static final int MAX_GROUP = 256;
  /** Decoded records kept (read when a store opens, as the other settings below). */
  private static final String CACHED_RECORDS = "stowaway.store.cachedRecords";
  /** Journal bytes after which the store file is forced and the journal emptied. */
  private static final String CHECKPOINT_BYTES = "stowaway.store.checkpointBytes";
  /** Memory for pages of the store file, so MapDB's many small reads are not each a system call. */
  private static final String CACHED_PAGE_BYTES = "stowaway.store.cachedPageBytes";
  /** In the cache: the key has no value. In a staging area: the key is removed. */
  private static final Object ABSENT = new Object();

  private final JournaledVolume volume;
  private final List<Keyspace> keyspaces = new ArrayList<>();
  private DB db;
  private final Keyspace secrets;
  private final Keyspace names;
  private final Keyspace versions;
  private final Keyspace kmsKeys;
  private final Keyspace aliases;
  private final Keyspace accessKeys;
  private final Keyspace users;
  private final Keyspace groups;
  private final Keyspace policies;
  private final Keyspace mfaDevices;
  private final Keyspace sessions;
  private final Keyspace roles;
  private final Keyspace eventRules;
  private final Keyspace parameters;
  private final RecordCodec codec = new RecordCodec();
  private final Cache<Key, Object> decoded =
      Caffeine.newBuilder().maximumSize(Long.getLong(CACHED_RECORDS, 50_000)).build();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
  private final ConcurrentLinkedQueue<PendingWrite<?>> queued = new ConcurrentLinkedQueue<>();
  /** The unit of work the current thread is running, so a read or write inside it joins it. */
  private final ThreadLocal<Transaction> running = new ThreadLocal<>();
  private final View view = new View();
  private final AtomicLong commits = new AtomicLong();
  private boolean closed;
  /** A failed commit could not be undone: the file is left to the journal's replay at the next open. */
  private boolean broken;

  private MapDbSecretStore(JournaledVolume volume) {
    this.volume = volume;
    this.db = mapdb(volume);
    this.secrets = bytes("secrets", SecretRecord.class);
    this.names = strings("secret-names");
    this.versions = bytes("secret-versions", null);
    this.kmsKeys = bytes("kms-keys", KmsKeyRecord.class);
    this.aliases = strings("kms-aliases");
    this.accessKeys = bytes("access-keys", AccessKeyRecord.class);
    this.users = bytes("iam-users", UserRecord.class);
    this.groups = bytes("iam-groups", GroupRecord.class);
    this.policies = bytes("iam-policies", ManagedPolicyRecord.class);
    this.mfaDevices = bytes("iam-mfa-devices", MfaDeviceRecord.class);
    this.sessions = bytes("sts-sessions", SessionRecord.class);
    this.roles = bytes("iam-roles", RoleRecord.class);
    this.eventRules = bytes("event-rules", EventRuleRecord.class);
    this.parameters = bytes("ssm-parameters", ParameterRecord.class);
    db.commit();
  }

  /**
   * Opens (or creates) the store file, replaying its journal first; a damaged file is refused with
   * a clear message.
   */
  public static MapDbSecretStore open(Path file) {
    JournaledVolume volume;
    try {
      volume = JournaledVolume.open(file, Long.getLong(CHECKPOINT_BYTES, 64L << 20),
          Long.getLong(CACHED_PAGE_BYTES, 32L << 20));
    } catch (IOException | RuntimeException e) {
      throw refused(file, e);
    }
    try {
      removeStaleMapDbLogs(file); // only now that this process holds the store's lock
      return new MapDbSecretStore(volume);
    } catch (IOException | RuntimeException e) {
      try {
        volume.discard(); // a store refused is left as it was found
        volume.close();
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw refused(file, e);
    }
  }

  private static StoreException refused(Path file, Exception e) {
    String why = e.getMessage() != null && e.getMessage().contains("locked")
        ? "it is locked by another process (is another sidecar using this data directory?)"
        : "it is damaged or not a Stowaway store (" + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); restore it with 'stowaway restore'";
    return new StoreException("cannot open the vault store " + file + ": " + why, e);
  }

  /**
   * Earlier versions let MapDB keep {@code vault.db.wal.N} files; MapDB 3.1 never reads them back,
   * so they hold nothing a store needs.
   */
  private static void removeStaleMapDbLogs(Path file) throws IOException {
    for (int i = 0; Files.exists(file.resolveSibling(file.getFileName() + ".wal." + i)); i++) {
      Files.delete(file.resolveSibling(file.getFileName() + ".wal." + i));
    }
  }

  /** A store that lives in memory only: the real MapDB engine, for tests and throwaway vaults. */
  public static MapDbSecretStore openInMemory() {
    return new MapDbSecretStore(JournaledVolume.inMemory());
  }

  /** MapDB's plain store over {@code volume}: every commit is one sync of the volume. */
  private static DB mapdb(JournaledVolume volume) {
    return DBMaker.volumeDB(volume, volume.length() > 0).make();
  }

  private Keyspace bytes(String name, Class<?> type) {
    return keyspace(name, Serializer.BYTE_ARRAY, type);
  }

  private Keyspace strings(String name) {
    return keyspace(name, Serializer.STRING, null);
  }

  private Keyspace keyspace(String name, GroupSerializer<?> values, Class<?> type) {
    Keyspace space = new Keyspace(name, values, type);
    space.bind(db);
    keyspaces.add(space);
    return space;
  }

  /** What the last open replayed from the journal: complete commits, and bytes of a torn one (for tests). */
  String recovery() {
    RedoJournal.Replay r = volume.recovered();
    return r.batches() + " commit(s) replayed from the journal, " + r.tornBytes() + " byte(s) of an unfinished "
        + "commit discarded";
  }

  @Override
  public <T> T read(Function<? super StoreView, T> work) {
    Transaction enclosing = running.get();
    if (enclosing != null) {
      return work.apply(enclosing); // a read inside a write sees the write
    }
    lock.readLock().lock();
    try {
      checkOpen();
      return work.apply(view);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public <T> T write(Function<? super StoreTransaction, T> work) {
    Transaction enclosing = running.get();
    if (enclosing != null) {
      return work.apply(enclosing); // a write inside a write is part of it
    }
    PendingWrite<T> mine = new PendingWrite<>(work);
    queued.add(mine);
    lock.writeLock().lock();
    try {
      while (!mine.finished) {
        commitGroup();
      }
    } finally {
      lock.writeLock().unlock();
    }
    return mine.outcome();
  }

  /** Runs the queued units of work and commits the ones that returned; under the write lock. */
  private void commitGroup() {
    List<PendingWrite<?>> group = new ArrayList<>();
    for (PendingWrite<?> next; group.size() < MAX_GROUP && (next = queued.poll()) != null; ) {
      group.add(next);
    }
    if (closed || broken) {
      StoreException refused = refusal();
      group.forEach(w -> w.fail(refused));
      return;
    }
    List<PendingWrite<?>> applied = new ArrayList<>();
    try {
      for (PendingWrite<?> write : group) {
        Transaction tx = new Transaction();
        if (write.run(tx)) {
          tx.apply();
          applied.add(write);
        }
      }
      if (!applied.isEmpty()) {
        db.commit();
        commits.incrementAndGet();
      }
      applied.forEach(PendingWrite::succeed);
    } catch (RuntimeException | Error e) {
      // MapDB or the disk failed: nothing of this group is durable, and nothing of it may stay visible.
      decoded.invalidateAll();
      StoreException failed = new StoreException("the vault store could not commit: " + e, e);
      try {
        volume.discard();
        db = mapdb(volume);
        keyspaces.forEach(space -> space.bind(db));
      } catch (RuntimeException again) {
        failed.addSuppressed(again);
        broken = true; // its state is unknown: refuse everything rather than serve it
      }
      group.stream().filter(w -> !w.finished).forEach(w -> w.fail(failed));
    }
  }

  /** The volume under MapDB (for tests of failing commits). */
  JournaledVolume volume() {
    return volume;
  }

  /** Commits made so far (for tests of grouping). */
  long commits() {
    return commits.get();
  }

  /** Writes waiting for a commit (for tests of grouping). */
  int queuedWrites() {
    return queued.size();
  }

  private void checkOpen() {
    if (closed || broken) {
      throw refusal();
    }
  }

  private StoreException refusal() {
    return new StoreException(closed ? "the vault store is closed"
        : "the vault store failed to recover from a failed commit; restart the sidecar to replay its journal");
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        decoded.invalidateAll();
        if (broken) {
          volume.close(); // what MapDB holds in memory is not to be trusted: nothing more is written
        } else {
          db.close();
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static String versionKey(String arn, String versionId) {
    return arn + SEPARATOR + versionId;
  }

  /** One map of the file and the record type its values decode to (null: used as stored). */
  private static final class Keyspace {
    final String name;
    final GroupSerializer<?> values;
    final Class<?> type;
    BTreeMap<String, Object> map;

    Keyspace(String name, GroupSerializer<?> values, Class<?> type) {
      this.name = name;
      this.values = values;
      this.type = type;
    }

    /** Opens (or creates) the map in {@code db}: at start, and after a failed commit reopened the file. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void bind(DB db) {
      map = (BTreeMap) db.treeMap(name, Serializer.STRING, (GroupSerializer) values).createOrOpen();
    }
  }

  /** A key in one keyspace; keyspaces compare by identity. */
  private record Key(Keyspace space, String key) {}

  /** A staged value: as it will be stored, and as readers get it. */
  private record Staged(Object stored, Object decoded) {}

  /** A unit of work waiting for a group commit, and what became of it. */
  private final class PendingWrite<T> {
    private final Function<? super StoreTransaction, T> work;
    private T result;
    private Throwable failure;
    private boolean finished;

    PendingWrite(Function<? super StoreTransaction, T> work) {
      this.work = work;
    }

    /** Runs the work into {@code tx}; false (and finished) if it threw. */
    boolean run(Transaction tx) {
      running.set(tx);
      try {
        result = work.apply(tx);
        return true;
      } catch (RuntimeException | Error e) {
        fail(e);
        return false;
      } finally {
        running.remove();
      }
    }

    void succeed() {
      finished = true;
    }

    void fail(Throwable e) {
      result = null;
      failure = e;
      finished = true;
    }

    T outcome() {
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      return result;
    }
  }

  private Object decode(Keyspace space, Object stored) {
    return space.type == null ? stored : codec.decode((byte[]) stored, space.type);
  }

  /** Committed state, through the cache. */
  private class View implements StoreView {

    /** The decoded value under {@code key}, or null. */
    Object get(Keyspace space, String key) {
      Object value = decoded.get(new Key(space, key), k -> {
        Object stored = space.map.get(key);
        return stored == null ? ABSENT : decode(space, stored);
      });
      return value == ABSENT ? null : value;
    }

    /** Every stored value of {@code space}, by key. */
    SortedMap<String, Object> stored(Keyspace space) {
      return space.map;
    }

    @SuppressWarnings("unchecked")
    private <T> Optional<T> find(Keyspace space, String key) {
      return Optional.ofNullable((T) get(space, key));
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> all(Keyspace space) {
      SortedMap<String, Object> stored = stored(space);
      List<T> all = new ArrayList<>(stored.size());
      for (Object value : stored.values()) {
        all.add((T) decode(space, value));
      }
      return all;
    }

    @Override
    public Optional<SecretRecord> secret(String arn) {
      return find(secrets, arn);
    }

    @Override
    public Optional<String> arnForName(String name) {
      return find(names, name);
    }

    @Override
    public List<SecretRecord> secrets() {
      return all(secrets);
    }

    @Override
    public Optional<byte[]> versionData(String arn, String versionId) {
      // A copy: the cached array must stay as stored whatever the caller does with it.
      return this.<byte[]>find(versions, versionKey(arn, versionId)).map(byte[]::clone);
    }

    @Override
    public Optional<KmsKeyRecord> kmsKey(String keyId) {
      return find(kmsKeys, keyId);
    }

    @Override
    public Optional<String> keyIdForAlias(String aliasName) {
      return find(aliases, aliasName);
    }

    @Override
    public List<KmsKeyRecord> kmsKeys() {
      return all(kmsKeys);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public SortedMap<String, String> aliases() {
      return new TreeMap<>((SortedMap) stored(aliases));
    }

    @Override
    public Optional<AccessKeyRecord> accessKey(String accessKeyId) {
      return find(accessKeys, accessKeyId);
    }

    @Override
    public List<AccessKeyRecord> accessKeys() {
      return all(accessKeys);
    }

    @Override
    public Optional<UserRecord> user(String userName) {
      return find(users, userName);
    }

    @Override
    public List<UserRecord> users() {
      return all(users);
    }

    @Override
    public Optional<GroupRecord> group(String groupName) {
      return find(groups, groupName);
    }

    @Override
    public List<GroupRecord> groups() {
      return all(groups);
    }

    @Override
    public Optional<ManagedPolicyRecord> managedPolicy(String arn) {
      return find(policies, arn);
    }

    @Override
    public List<ManagedPolicyRecord> managedPolicies() {
      return all(policies);
    }

    @Override
    public Optional<MfaDeviceRecord> mfaDevice(String serialNumber) {
      return find(mfaDevices, serialNumber);
    }

    @Override
    public List<MfaDeviceRecord> mfaDevices() {
      return all(mfaDevices);
    }

    @Override
    public Optional<SessionRecord> session(String accessKeyId) {
      return find(sessions, accessKeyId);
    }

    @Override
    public List<SessionRecord> sessions() {
      return all(sessions);
    }

    @Override
    public Optional<RoleRecord> role(String roleName) {
      return find(roles, roleName);
    }

    @Override
    public List<RoleRecord> roles() {
      return all(roles);
    }

    @Override
    public Optional<ParameterRecord> parameter(String name) {
      return find(parameters, name);
    }

    @Override
    public List<ParameterRecord> parameters() {
      return all(parameters);
    }

    @Override
    public Optional<EventRuleRecord> eventRule(String name) {
      return find(eventRules, name);
    }

    @Override
    public List<EventRuleRecord> eventRules() {
      return all(eventRules);
    }
  }

  /**
   * One unit of work: its changes are staged here, seen by its own reads, and applied to the maps
   * only once the work has returned.
   */
  private final class Transaction extends View implements StoreTransaction {
    private final Map<Key, Object> staged = new LinkedHashMap<>();

    @Override
    Object get(Keyspace space, String key) {
      Object value = staged.get(new Key(space, key));
      if (value == null) {
        return super.get(space, key);
      }
      return value == ABSENT ? null : ((Staged) value).decoded();
    }

    @Override
    SortedMap<String, Object> stored(Keyspace space) {
      SortedMap<String, Object> merged = null;
      for (Map.Entry<Key, Object> change : staged.entrySet()) {
        if (change.getKey().space() == space) {
          if (merged == null) {
            merged = new TreeMap<>(space.map);
          }
          if (change.getValue() == ABSENT) {
            merged.remove(change.getKey().key());
          } else {
            merged.put(change.getKey().key(), ((Staged) change.getValue()).stored());
          }
        }
      }
      return merged == null ? space.map : merged;
    }

    private void put(Keyspace space, String key, Object stored, Object decoded) {
      staged.put(new Key(space, key), new Staged(stored, decoded));
    }

    private void put(Keyspace space, String key, String value) {
      put(space, key, value, value);
    }

    private void putRecord(Keyspace space, String key, Object record) {
      put(space, key, codec.encode(record), record);
    }

    private void remove(Keyspace space, String key) {
      staged.put(new Key(space, key), ABSENT);
    }

    /**
     * Writes the staged changes into the maps (uncommitted) and the cache; a commit that then fails
     * drops the whole cache.
     */
    void apply() {
      for (Map.Entry<Key, Object> change : staged.entrySet()) {
        Keyspace space = change.getKey().space();
        if (change.getValue() instanceof Staged value) {
          space.map.put(change.getKey().key(), value.stored());
          decoded.put(change.getKey(), value.decoded());
        } else {
          space.map.remove(change.getKey().key());
          decoded.put(change.getKey(), ABSENT);
        }
      }
    }

    @Override
    public void putSecret(SecretRecord secret) {
      SecretRecord previous = (SecretRecord) get(secrets, secret.arn());
      putRecord(secrets, secret.arn(), secret);
      if (previous != null && !previous.name().equals(secret.name())) {
        remove(names, previous.name());
      }
      if (!secret.arn().equals(get(names, secret.name()))) { // most writes are new versions: it already does
        put(names, secret.name(), secret.arn());
      }
    }

    @Override
    public void removeSecret(String arn) {
      SecretRecord previous = (SecretRecord) get(secrets, arn);
      remove(secrets, arn);
      if (previous != null && arn.equals(get(names, previous.name()))) {
        remove(names, previous.name());
      }
      String from = arn + SEPARATOR;
      String to = arn + (char) (SEPARATOR + 1);
      List<String> keys = new ArrayList<>(versions.map.subMap(from, to).keySet());
      for (Key staging : staged.keySet()) {
        if (staging.space() == versions && staging.key().compareTo(from) >= 0 && staging.key().compareTo(to) < 0) {
          keys.add(staging.key());
        }
      }
      keys.forEach(key -> remove(versions, key));
    }

    @Override
    public void putVersionData(String arn, String versionId, byte[] envelope) {
      byte[] copy = envelope.clone();
      put(versions, versionKey(arn, versionId), copy, copy);
    }

    @Override
    public void removeVersionData(String arn, String versionId) {
      remove(versions, versionKey(arn, versionId));
    }

    @Override
    public void putKmsKey(KmsKeyRecord key) {
      putRecord(kmsKeys, key.keyId(), key);
    }

    @Override
    public void putAlias(String aliasName, String keyId) {
      put(aliases, aliasName, keyId);
    }

    @Override
    public void removeAlias(String aliasName) {
      remove(aliases, aliasName);
    }

    @Override
    public void removeKmsKey(String keyId) {
      remove(kmsKeys, keyId);
    }

    @Override
    public void putAccessKey(AccessKeyRecord key) {
      putRecord(accessKeys, key.accessKeyId(), key);
    }

    @Override
    public void removeAccessKey(String accessKeyId) {
      remove(accessKeys, accessKeyId);
    }

    @Override
    public void putUser(UserRecord user) {
      putRecord(users, user.userName(), user);
    }

    @Override
    public void removeUser(String userName) {
      remove(users, userName);
    }

    @Override
    public void putGroup(GroupRecord group) {
      putRecord(groups, group.groupName(), group);
    }

    @Override
    public void removeGroup(String groupName) {
      remove(groups, groupName);
    }

    @Override
    public void putManagedPolicy(ManagedPolicyRecord policy) {
      putRecord(policies, policy.arn(), policy);
    }

    @Override
    public void removeManagedPolicy(String arn) {
      remove(policies, arn);
    }

    @Override
    public void putMfaDevice(MfaDeviceRecord device) {
      putRecord(mfaDevices, device.serialNumber(), device);
    }

    @Override
    public void removeMfaDevice(String serialNumber) {
      remove(mfaDevices, serialNumber);
    }

    @Override
    public void putSession(SessionRecord session) {
      putRecord(sessions, session.accessKeyId(), session);
    }

    @Override
    public void removeSession(String accessKeyId) {
      remove(sessions, accessKeyId);
    }

    @Override
    public void putRole(RoleRecord role) {
      putRecord(roles, role.roleName(), role);
    }

    @Override
    public void removeRole(String roleName) {
      remove(roles, roleName);
    }

    @Override
    public void putParameter(ParameterRecord parameter) {
      putRecord(parameters, parameter.name(), parameter);
    }

    @Override
    public void removeParameter(String name) {
      remove(parameters, name);
    }

    @Override
    public void putEventRule(EventRuleRecord rule) {
      putRecord(eventRules, rule.name(), rule);
    }

    @Override
    public void removeEventRule(String name) {
      remove(eventRules, name);
    }
  }
}
