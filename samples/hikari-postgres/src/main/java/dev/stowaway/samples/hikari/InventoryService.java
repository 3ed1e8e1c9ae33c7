package dev.stowaway.samples.hikari;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * A service that knows nothing of Stowaway: a HikariCP pool configured from {@code DB_URL},
 * {@code DB_USER} and {@code DB_PASSWORD}, queried every {@code QUERY_INTERVAL_MS} (default 100)
 * until its standard input closes. It reports each new database session (who it logged in as),
 * every failure, and a summary at the end. With the Stowaway agent, DB_USER and DB_PASSWORD hold
 * placeholders, and a rotation refreshes the pool's connections while it serves.
 */
public final class InventoryService {

  private static volatile boolean stopping;

  private InventoryService() {}

  public static void main(String[] args) throws InterruptedException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(require("DB_URL"));
    config.setUsername(require("DB_USER"));
    config.setPassword(require("DB_PASSWORD"));
    config.setMaximumPoolSize(4);
    config.setPoolName("inventory");
    long interval = Long.parseLong(System.getenv().getOrDefault("QUERY_INTERVAL_MS", "100"));
    Thread watch = new Thread(() -> {
      try (InputStream in = System.in) {
        while (in.read() >= 0) {
          // until our input closes
        }
      } catch (IOException e) {
        // closed
      }
      stopping = true;
    }, "stdin-watch");
    watch.setDaemon(true);
    watch.start();
    long queries = 0;
    long failures = 0;
    Set<Integer> sessions = new HashSet<>();
    try (HikariDataSource pool = new HikariDataSource(config)) {
      while (!stopping) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT current_user, pg_backend_pid()")) {
          r.next();
          queries++;
          if (sessions.add(r.getInt(2))) {
            System.out.println("new session " + r.getInt(2) + " as " + r.getString(1) + " (after " + queries
                + " queries)");
          }
        } catch (SQLException e) {
          failures++;
          System.out.println("query failed: " + e.getSQLState() + " " + e.getMessage());
        }
        System.out.flush();
        Thread.sleep(interval);
      }
    }
    System.out.println("queries=" + queries + " failures=" + failures + " sessions=" + sessions.size());
  }

  private static String require(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      System.err.println("set " + name);
      System.exit(2);
    }
    return value;
  }
}
