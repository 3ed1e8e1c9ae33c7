package dev.stowaway.sidecar.store;

import dev.stowaway.sidecar.rotation.RotationLeases;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Leases in the shared database: a row per lease naming its holder and when it runs out. Taking
 * one is a single statement that only succeeds if the row is free, expired or already ours.
 */
public final class PostgresLeases implements RotationLeases {

  private static final Logger LOG = System.getLogger(PostgresLeases.class.getName());
  private final PostgresSecretStore store;

  public PostgresLeases(PostgresSecretStore store) {
    this.store = store;
  }

  @Override
  public boolean acquire(String name, Duration ttl) {
    try (Connection c = store.listenerConnection();
         PreparedStatement s = c.prepareStatement("INSERT INTO stowaway_leases (name, holder, expires_at) "
             + "VALUES (?, ?, now() + ? * interval '1 millisecond') ON CONFLICT (name) DO UPDATE SET holder = "
             + "EXCLUDED.holder, expires_at = EXCLUDED.expires_at WHERE stowaway_leases.expires_at < now() "
             + "OR stowaway_leases.holder = EXCLUDED.holder")) {
      s.setString(1, name);
      s.setString(2, store.origin());
      s.setLong(3, ttl.toMillis());
      return s.executeUpdate() == 1;
    } catch (SQLException e) {
      LOG.log(Level.WARNING, "cannot take the lease " + name + ": " + e.getMessage());
      return false;
    }
  }

  @Override
  public void release(String name) {
    try (Connection c = store.listenerConnection();
         PreparedStatement s = c.prepareStatement("DELETE FROM stowaway_leases WHERE name = ? AND holder = ?")) {
      s.setString(1, name);
      s.setString(2, store.origin());
      s.executeUpdate();
    } catch (SQLException e) {
      LOG.log(Level.WARNING, "cannot release the lease " + name + " (it will run out): " + e.getMessage());
    }
  }
}
