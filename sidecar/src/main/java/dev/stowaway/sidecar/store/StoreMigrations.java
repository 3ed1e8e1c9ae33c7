package dev.stowaway.sidecar.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * The PostgreSQL schema, as numbered migrations applied in order at start. An advisory lock held
 * for the migrating transaction makes sidecars that start together take turns: the first applies
 * what is missing, the others find it applied.
 */
final class StoreMigrations {

  /** Never edit a migration that has shipped: add the next one. */
  private static final List<String> MIGRATIONS = List.of(
      // 1: every record, keyed by kind and id; values are ciphertext or metadata, never plaintext.
      "CREATE TABLE stowaway_records (kind text NOT NULL, id text NOT NULL, body bytea NOT NULL, "
          + "PRIMARY KEY (kind, id))",
      // 2: what changed, in commit order, for the other sidecars (NOTIFY wakes them; this table
      // lets one that lost its connection catch up).
      "CREATE TABLE stowaway_changes (seq bigserial PRIMARY KEY, kind text NOT NULL, id text NOT NULL, "
          + "origin text NOT NULL, at timestamptz NOT NULL DEFAULT now())",
      // 3: leases, so that exactly one sidecar runs a given rotation.
      "CREATE TABLE stowaway_leases (name text PRIMARY KEY, holder text NOT NULL, expires_at timestamptz NOT NULL)",
      // 4: every sidecar's audit records, copied after they are durable in its own files, so that
      // LookupEvents through any sidecar sees all of them.
      "CREATE TABLE stowaway_audit_events (stream text NOT NULL, seq bigint NOT NULL, event_time timestamptz NOT NULL, "
          + "body bytea NOT NULL, PRIMARY KEY (stream, seq)); "
          + "CREATE INDEX stowaway_audit_events_time ON stowaway_audit_events (event_time DESC, stream, seq)");

  private StoreMigrations() {}

  static void apply(DataSource pool) throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(7315046027214862)"); // "stowaway migrations"
      s.execute("CREATE TABLE IF NOT EXISTS stowaway_schema (version integer PRIMARY KEY, "
          + "applied_at timestamptz NOT NULL DEFAULT now())");
      int applied;
      try (ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM stowaway_schema")) {
        r.next();
        applied = r.getInt(1);
      }
      if (applied > MIGRATIONS.size()) {
        c.rollback();
        throw new SQLException("the database has schema version " + applied + ", newer than this sidecar knows ("
            + MIGRATIONS.size() + "): upgrade the sidecar");
      }
      for (int version = applied + 1; version <= MIGRATIONS.size(); version++) {
        s.execute(MIGRATIONS.get(version - 1));
        s.execute("INSERT INTO stowaway_schema (version) VALUES (" + version + ")");
      }
      c.commit();
    }
  }
}
