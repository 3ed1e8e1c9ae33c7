package dev.stowaway.sidecar.store;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.secrets.SecretDescription;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Hears what other sidecars sharing the PostgreSQL store changed: LISTEN wakes it as each of their
 * transactions commits, and it reads the change table from where it left off, so a lost
 * connection costs a delay, never an event. A changed secret goes to this sidecar's change feed
 * (and so to its agents); a changed identity or event rule drops the compiled caches.
 */
public final class RemoteChanges implements AutoCloseable {

  private static final Logger LOG = System.getLogger(RemoteChanges.class.getName());
  private static final int WAIT_MILLIS = 1000;

  private final PostgresSecretStore store;
  private final Vault vault;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Connection listening;
  private long last = -1;
  private long lastCleanup;

  public RemoteChanges(PostgresSecretStore store, Vault vault) {
    this.store = store;
    this.vault = vault;
    this.thread = new Thread(this::run, "stowaway-remote-changes");
    this.thread.setDaemon(true);
  }

  /** Starts listening; changes made before now are not news. */
  public RemoteChanges start() {
    try (Connection c = store.listenerConnection(); Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT coalesce(max(seq), 0) FROM stowaway_changes")) {
      r.next();
      last = r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the change table: " + e.getMessage(), e);
    }
    thread.start();
    return this;
  }

  private void run() {
    long backoff = 100;
    while (!closed) {
      try (Connection c = store.listenerConnection()) {
        listening = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + PostgresSecretStore.CHANNEL);
        }
        if (backoff > 100) {
          LOG.log(Level.INFO, "change events from other sidecars: connected again; catching up");
        }
        backoff = 100;
        catchUp(c);
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] woke = pg.getNotifications(WAIT_MILLIS);
          if (woke != null && woke.length > 0) {
            catchUp(c);
          }
          cleanUp(c);
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.log(Level.WARNING, "change events from other sidecars: lost the PostgreSQL connection (" + e.getMessage()
            + "); reconnecting in " + backoff + " ms");
        try {
          Thread.sleep(backoff); // a reconnect delay, not a wait for a condition
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff = Math.min(backoff * 2, 10_000);
      } finally {
        listening = null;
      }
    }
  }

  private void catchUp(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "SELECT seq, kind, id, origin FROM stowaway_changes WHERE seq > ? ORDER BY seq")) {
      s.setLong(1, last);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          last = r.getLong(1);
          if (!store.origin().equals(r.getString(4))) {
            apply(r.getString(2), r.getString(3));
          }
        }
      }
    }
  }

  private void apply(String kind, String id) {
    switch (kind) {
      case PostgresSecretStore.CHANGED_SECRET -> {
        try {
          SecretDescription secret = vault.secrets().describe(id);
          vault.changes().publish(secret.arn(), secret.name(), "ChangedBySidecar", secret.versionIdsToStages());
        } catch (VaultException gone) {
          String name = id.substring(id.lastIndexOf(":secret:") + ":secret:".length());
          vault.changes().publish(id, name.length() > 7 ? name.substring(0, name.length() - 7) : name,
              "DeletedBySidecar", Map.of());
        }
      }
      case PostgresSecretStore.CHANGED_IDENTITY -> vault.authorizer().identityChanged();
      case PostgresSecretStore.CHANGED_EVENT_RULES -> vault.eventRules().rulesChanged();
      default -> LOG.log(Level.DEBUG, "ignoring a change of kind " + kind);
    }
  }

  /** Keeps the table short: a day of changes is more than any reconnect needs. */
  private void cleanUp(Connection c) throws SQLException {
    long now = System.currentTimeMillis();
    if (now - lastCleanup < 600_000) {
      return;
    }
    lastCleanup = now;
    try (Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM stowaway_changes WHERE at < now() - interval '1 day'");
    }
  }

  @Override
  public void close() {
    closed = true;
    Connection c = listening;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
