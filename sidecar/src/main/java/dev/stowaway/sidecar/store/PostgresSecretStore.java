package dev.stowaway.sidecar.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.stowaway.vault.store.AccessKeyRecord;
import dev.stowaway.vault.store.EventRuleRecord;
import dev.stowaway.vault.store.GroupRecord;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.ManagedPolicyRecord;
import dev.stowaway.vault.store.MfaDeviceRecord;
import dev.stowaway.vault.store.ParameterRecord;
import dev.stowaway.vault.store.RecordCodec;
import dev.stowaway.vault.store.RoleRecord;
import dev.stowaway.vault.store.SecretRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.SessionRecord;
import dev.stowaway.vault.store.StoreException;
import dev.stowaway.vault.store.StoreTransaction;
import dev.stowaway.vault.store.StoreView;
import dev.stowaway.vault.store.UserRecord;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The store port on PostgreSQL, for many sidecars sharing one vault. It holds what MapDB holds
 * (ciphertext, sealed keys, metadata) in one table of records keyed by kind and id. Every write
 * is a SERIALIZABLE transaction, retried when PostgreSQL reports a conflict with a concurrent
 * one, so writes through several sidecars end as if one sidecar had made them one after another.
 */
public final class PostgresSecretStore implements SecretStore {

  private static final int ATTEMPTS = 20;
  private static final String SECRET = "secret";
  private static final String SECRET_NAME = "secret-name";
  private static final String VERSION = "version";
  private static final String KMS_KEY = "kms-key";
  private static final String ALIAS = "kms-alias";
  private static final String ACCESS_KEY = "access-key";
  private static final String USER = "iam-user";
  private static final String GROUP = "iam-group";
  private static final String POLICY = "iam-policy";
  private static final String MFA = "iam-mfa-device";
  private static final String SESSION = "sts-session";
  private static final String ROLE = "iam-role";
  private static final String PARAMETER = "ssm-parameter";
  private static final String EVENT_RULE = "event-rule";

  /** The kinds of change other sidecars hear of: a secret, the identities and policies, the event rules. */
  public static final String CHANGED_SECRET = "secret";
  public static final String CHANGED_IDENTITY = "identity";
  public static final String CHANGED_EVENT_RULES = "event-rules";
  static final String CHANNEL = "stowaway_changes";

  private final HikariDataSource pool;
  private final RecordCodec codec = new RecordCodec();
  private final String url;
  private final String user;
  private final String password;
  /** This store's name among the sidecars sharing the database; its own changes are not news to it. */
  private final String origin = java.util.UUID.randomUUID().toString();

  private PostgresSecretStore(HikariDataSource pool, String url, String user, String password) {
    this.pool = pool;
    this.url = url;
    this.user = user;
    this.password = password;
  }

  public String origin() {
    return origin;
  }

  /** A connection outside the pool, for LISTEN: the caller owns and closes it. */
  Connection listenerConnection() throws SQLException {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", user);
    p.setProperty("password", password == null ? "" : password);
    p.setProperty("connectTimeout", "10");
    p.setProperty("ApplicationName", "stowaway-changes");
    return java.sql.DriverManager.getConnection(url, p);
  }

  /**
   * Connects, applies the schema migrations this version knows (safely when several sidecars
   * start at once), and returns the store.
   */
  public static PostgresSecretStore open(String url, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(8);
    config.setPoolName("stowaway-store");
    config.setConnectionTimeout(10_000);
    config.setAutoCommit(false);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreException("cannot connect to the PostgreSQL store at " + url + ": " + rootMessage(e), e);
    }
    try {
      StoreMigrations.apply(pool);
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw new StoreException("cannot prepare the PostgreSQL store at " + url + ": " + rootMessage(e), e);
    }
    return new PostgresSecretStore(pool, url, user, password);
  }

  @Override
  public <T> T read(Function<? super StoreView, T> work) {
    try (Connection c = pool.getConnection()) {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        T result = work.apply(new Tx(c));
        c.commit();
        return result;
      } catch (RuntimeException e) {
        c.rollback();
        throw unwrap(e);
      } finally {
        c.setReadOnly(false);
      }
    } catch (SQLException e) {
      throw new StoreException("the PostgreSQL store failed a read: " + e.getMessage(), e);
    }
  }

  @Override
  public <T> T write(Function<? super StoreTransaction, T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.getConnection()) {
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        try {
          T result = work.apply(new Tx(c));
          c.commit();
          return result;
        } catch (RuntimeException e) {
          rollbackQuietly(c);
          SQLException sql = sqlCause(e);
          if (sql == null) {
            throw e;
          }
          throw sql;
        } catch (SQLException e) {
          rollbackQuietly(c);
          throw e;
        }
      } catch (SQLException e) {
        if (retryable(e) && attempt < ATTEMPTS) {
          backOff(attempt);
          continue;
        }
        throw new StoreException("the PostgreSQL store failed a write: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public void probe() {
    // A connection the database dropped while it sat in the pool fails once and is evicted; only
    // when fresh ones fail too is the database out of reach.
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.getConnection()) {
        if (c.isValid(2)) {
          return;
        }
        pool.evictConnection(c);
        if (attempt == 3) {
          throw new StoreException("PostgreSQL at " + url + " cannot be reached (connections do not answer)", null);
        }
      } catch (SQLException e) {
        throw new StoreException("PostgreSQL at " + url + " cannot be reached: " + e.getSQLState(), e);
      }
    }
  }

  @Override
  public void close() {
    pool.close();
  }

  /** Serialization failures and deadlocks: the transaction lost to a concurrent one; run it again. */
  private static boolean retryable(SQLException e) {
    return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
  }

  private static void backOff(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L * Math.min(attempt, 10)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while retrying a write");
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is going back to the pool, which will test it
    }
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  private static RuntimeException unwrap(RuntimeException e) {
    SQLException sql = sqlCause(e);
    return sql == null ? e : new StoreException("the PostgreSQL store failed: " + sql.getMessage(), sql);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  /** SQL failures inside a unit of work travel out unchecked and are sorted out by read/write. */
  private static final class SqlFailure extends RuntimeException {
    SqlFailure(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /** One unit of work on one connection. */
  private final class Tx implements StoreTransaction {

    private final Connection c;

    Tx(Connection c) {
      this.c = c;
    }

    private Optional<byte[]> get(String kind, String id) {
      try (PreparedStatement s = c.prepareStatement("SELECT body FROM stowaway_records WHERE kind = ? AND id = ?")) {
        s.setString(1, kind);
        s.setString(2, id);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? Optional.of(r.getBytes(1)) : Optional.empty();
        }
      } catch (SQLException e) {
        throw new SqlFailure(e);
      }
    }

    private <T> Optional<T> get(String kind, String id, Class<T> type) {
      return get(kind, id).map(b -> codec.decode(b, type));
    }

    private <T> List<T> all(String kind, Class<T> type) {
      List<T> out = new ArrayList<>();
      forEach(kind, null, (id, body) -> out.add(codec.decode(body, type)));
      return out;
    }

    private void forEach(String kind, String idPrefix, java.util.function.BiConsumer<String, byte[]> each) {
      String sql = "SELECT id, body FROM stowaway_records WHERE kind = ?"
          + (idPrefix == null ? "" : " AND starts_with(id, ?)") + " ORDER BY id COLLATE \"C\"";
      try (PreparedStatement s = c.prepareStatement(sql)) {
        s.setString(1, kind);
        if (idPrefix != null) {
          s.setString(2, idPrefix);
        }
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            each.accept(r.getString(1), r.getBytes(2));
          }
        }
      } catch (SQLException e) {
        throw new SqlFailure(e);
      }
    }

    private void put(String kind, String id, byte[] body) {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO stowaway_records (kind, id, body) VALUES (?, ?, ?) "
          + "ON CONFLICT (kind, id) DO UPDATE SET body = EXCLUDED.body")) {
        s.setString(1, kind);
        s.setString(2, id);
        s.setBytes(3, body);
        s.executeUpdate();
      } catch (SQLException e) {
        throw new SqlFailure(e);
      }
    }

    /**
     * Records a change in the same transaction as the write, and notifies on commit: other
     * sidecars hear of it exactly when it is durable, and can read it back after a reconnect.
     */
    private void changed(String kind, String id) {
      try (PreparedStatement s = c.prepareStatement("WITH row AS (INSERT INTO stowaway_changes (kind, id, origin) "
          + "VALUES (?, ?, ?) RETURNING seq) SELECT pg_notify('" + CHANNEL + "', seq::text) FROM row")) {
        s.setString(1, kind);
        s.setString(2, id);
        s.setString(3, origin);
        s.executeQuery().close();
      } catch (SQLException e) {
        throw new SqlFailure(e);
      }
    }

    private void remove(String kind, String id) {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM stowaway_records WHERE kind = ? AND id = ?")) {
        s.setString(1, kind);
        s.setString(2, id);
        s.executeUpdate();
      } catch (SQLException e) {
        throw new SqlFailure(e);
      }
    }

    private static String versionId(String arn, String versionId) {
      return arn + "\n" + versionId;
    }

    // ---- StoreView ----

    @Override
    public Optional<SecretRecord> secret(String arn) {
      return get(SECRET, arn, SecretRecord.class);
    }

    @Override
    public Optional<String> arnForName(String name) {
      return get(SECRET_NAME, name).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    @Override
    public List<SecretRecord> secrets() {
      return all(SECRET, SecretRecord.class);
    }

    @Override
    public Optional<byte[]> versionData(String arn, String versionId) {
      return get(VERSION, versionId(arn, versionId));
    }

    @Override
    public Optional<KmsKeyRecord> kmsKey(String keyId) {
      return get(KMS_KEY, keyId, KmsKeyRecord.class);
    }

    @Override
    public Optional<String> keyIdForAlias(String aliasName) {
      return get(ALIAS, aliasName).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    @Override
    public List<KmsKeyRecord> kmsKeys() {
      return all(KMS_KEY, KmsKeyRecord.class);
    }

    @Override
    public SortedMap<String, String> aliases() {
      SortedMap<String, String> out = new TreeMap<>();
      forEach(ALIAS, null, (id, body) -> out.put(id, new String(body, StandardCharsets.UTF_8)));
      return out;
    }

    @Override
    public Optional<AccessKeyRecord> accessKey(String accessKeyId) {
      return get(ACCESS_KEY, accessKeyId, AccessKeyRecord.class);
    }

    @Override
    public List<AccessKeyRecord> accessKeys() {
      return all(ACCESS_KEY, AccessKeyRecord.class);
    }

    @Override
    public Optional<UserRecord> user(String userName) {
      return get(USER, userName, UserRecord.class);
    }

    @Override
    public List<UserRecord> users() {
      return all(USER, UserRecord.class);
    }

    @Override
    public Optional<GroupRecord> group(String groupName) {
      return get(GROUP, groupName, GroupRecord.class);
    }

    @Override
    public List<GroupRecord> groups() {
      return all(GROUP, GroupRecord.class);
    }

    @Override
    public Optional<ManagedPolicyRecord> managedPolicy(String arn) {
      return get(POLICY, arn, ManagedPolicyRecord.class);
    }

    @Override
    public List<ManagedPolicyRecord> managedPolicies() {
      return all(POLICY, ManagedPolicyRecord.class);
    }

    @Override
    public Optional<MfaDeviceRecord> mfaDevice(String serialNumber) {
      return get(MFA, serialNumber, MfaDeviceRecord.class);
    }

    @Override
    public List<MfaDeviceRecord> mfaDevices() {
      return all(MFA, MfaDeviceRecord.class);
    }

    @Override
    public Optional<SessionRecord> session(String accessKeyId) {
      return get(SESSION, accessKeyId, SessionRecord.class);
    }

    @Override
    public List<SessionRecord> sessions() {
      return all(SESSION, SessionRecord.class);
    }

    @Override
    public Optional<RoleRecord> role(String roleName) {
      return get(ROLE, roleName, RoleRecord.class);
    }

    @Override
    public List<RoleRecord> roles() {
      return all(ROLE, RoleRecord.class);
    }

    @Override
    public Optional<ParameterRecord> parameter(String name) {
      return get(PARAMETER, name, ParameterRecord.class);
    }

    @Override
    public List<ParameterRecord> parameters() {
      return all(PARAMETER, ParameterRecord.class);
    }

    @Override
    public Optional<EventRuleRecord> eventRule(String name) {
      return get(EVENT_RULE, name, EventRuleRecord.class);
    }

    @Override
    public List<EventRuleRecord> eventRules() {
      return all(EVENT_RULE, EventRuleRecord.class);
    }

    // ---- StoreTransaction ----

    @Override
    public void putSecret(SecretRecord secret) {
      put(SECRET, secret.arn(), codec.encode(secret));
      put(SECRET_NAME, secret.name(), secret.arn().getBytes(StandardCharsets.UTF_8));
      changed(CHANGED_SECRET, secret.arn());
    }

    @Override
    public void removeSecret(String arn) {
      changed(CHANGED_SECRET, arn);
      secret(arn).ifPresent(s -> remove(SECRET_NAME, s.name()));
      remove(SECRET, arn);
      try (PreparedStatement s = c.prepareStatement(
          "DELETE FROM stowaway_records WHERE kind = ? AND starts_with(id, ?)")) {
        s.setString(1, VERSION);
        s.setString(2, arn + "\n");
        s.executeUpdate();
      } catch (SQLException e) {
        throw new SqlFailure(e);
      }
    }

    @Override
    public void putVersionData(String arn, String versionId, byte[] envelope) {
      put(VERSION, versionId(arn, versionId), envelope);
    }

    @Override
    public void removeVersionData(String arn, String versionId) {
      remove(VERSION, versionId(arn, versionId));
    }

    @Override
    public void putKmsKey(KmsKeyRecord key) {
      put(KMS_KEY, key.keyId(), codec.encode(key));
    }

    @Override
    public void putAlias(String aliasName, String keyId) {
      put(ALIAS, aliasName, keyId.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void removeAlias(String aliasName) {
      remove(ALIAS, aliasName);
    }

    @Override
    public void removeKmsKey(String keyId) {
      remove(KMS_KEY, keyId);
    }

    @Override
    public void putAccessKey(AccessKeyRecord key) {
      changed(CHANGED_IDENTITY, "putAccessKey");
      put(ACCESS_KEY, key.accessKeyId(), codec.encode(key));
    }

    @Override
    public void removeAccessKey(String accessKeyId) {
      changed(CHANGED_IDENTITY, "removeAccessKey");
      remove(ACCESS_KEY, accessKeyId);
    }

    @Override
    public void putUser(UserRecord user) {
      changed(CHANGED_IDENTITY, "putUser");
      put(USER, user.userName(), codec.encode(user));
    }

    @Override
    public void removeUser(String userName) {
      changed(CHANGED_IDENTITY, "removeUser");
      remove(USER, userName);
    }

    @Override
    public void putGroup(GroupRecord group) {
      changed(CHANGED_IDENTITY, "putGroup");
      put(GROUP, group.groupName(), codec.encode(group));
    }

    @Override
    public void removeGroup(String groupName) {
      changed(CHANGED_IDENTITY, "removeGroup");
      remove(GROUP, groupName);
    }

    @Override
    public void putManagedPolicy(ManagedPolicyRecord policy) {
      changed(CHANGED_IDENTITY, "putManagedPolicy");
      put(POLICY, policy.arn(), codec.encode(policy));
    }

    @Override
    public void removeManagedPolicy(String arn) {
      changed(CHANGED_IDENTITY, "removeManagedPolicy");
      remove(POLICY, arn);
    }

    @Override
    public void putMfaDevice(MfaDeviceRecord device) {
      changed(CHANGED_IDENTITY, "putMfaDevice");
      put(MFA, device.serialNumber(), codec.encode(device));
    }

    @Override
    public void removeMfaDevice(String serialNumber) {
      changed(CHANGED_IDENTITY, "removeMfaDevice");
      remove(MFA, serialNumber);
    }

    @Override
    public void putSession(SessionRecord session) {
      put(SESSION, session.accessKeyId(), codec.encode(session));
    }

    @Override
    public void removeSession(String accessKeyId) {
      remove(SESSION, accessKeyId);
    }

    @Override
    public void putRole(RoleRecord role) {
      changed(CHANGED_IDENTITY, "putRole");
      put(ROLE, role.roleName(), codec.encode(role));
    }

    @Override
    public void removeRole(String roleName) {
      changed(CHANGED_IDENTITY, "removeRole");
      remove(ROLE, roleName);
    }

    @Override
    public void putParameter(ParameterRecord parameter) {
      put(PARAMETER, parameter.name(), codec.encode(parameter));
    }

    @Override
    public void removeParameter(String name) {
      remove(PARAMETER, name);
    }

    @Override
    public void putEventRule(EventRuleRecord rule) {
      changed(CHANGED_EVENT_RULES, "putEventRule");
      put(EVENT_RULE, rule.name(), codec.encode(rule));
    }

    @Override
    public void removeEventRule(String name) {
      changed(CHANGED_EVENT_RULES, "removeEventRule");
      remove(EVENT_RULE, name);
    }
  }
}
