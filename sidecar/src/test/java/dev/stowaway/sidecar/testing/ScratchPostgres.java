package dev.stowaway.sidecar.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A database of its own on the machine's PostgreSQL (127.0.0.1:5432, trust), dropped on close.
 * For the PostgreSQL store, which keeps only ciphertext and metadata, so trust auth proves nothing
 * here and costs nothing. Skipped where PostgreSQL is missing, unless {@code STOWAWAY_REQUIRE_DB=1}.
 */
public final class ScratchPostgres implements AutoCloseable {

  private static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
  private final String name;

  private ScratchPostgres(String name) {
    this.name = name;
  }

  public static ScratchPostgres create() {
    String name = "stowaway_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a scratch database: " + e.getMessage(), e);
    }
    return new ScratchPostgres(name);
  }

  public String url() {
    return "jdbc:postgresql://127.0.0.1:5432/" + name;
  }

  public String user() {
    return "postgres";
  }

  public String password() {
    return "";
  }

  /** Runs SQL in this database as the superuser. */
  public void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(), user(), password()); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static Connection admin() throws SQLException {
    try {
      return DriverManager.getConnection(ADMIN_URL, "postgres", "");
    } catch (SQLException e) {
      if ("1".equals(System.getenv("STOWAWAY_REQUIRE_DB"))) {
        fail("PostgreSQL at 127.0.0.1:5432 is not reachable (" + e.getMessage() + "), and STOWAWAY_REQUIRE_DB=1 "
            + "requires it");
      }
      Assumptions.abort("PostgreSQL at 127.0.0.1:5432 is not reachable (" + e.getMessage() + "); set "
          + "STOWAWAY_REQUIRE_DB=1 to make this a failure");
      throw e;
    }
  }

  @Override
  public void close() {
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop scratch database " + name + ": " + e.getMessage(), e);
    }
  }
}
