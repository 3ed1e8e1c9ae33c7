package dev.stowaway.agent.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * A HikariCP application that queries in a loop until told "stop" on stdin. It prints
 * {@code ready} after its first query, {@code connection ID} for every new database session,
 * {@code progress N} every 50 queries, each failure, and finally {@code queries=N failures=F}.
 *
 * <p>Arguments: JDBC URL, user, password (placeholders, as an application's config would hold them);
 * or JDBC URL, user property, password property, {@code copy}: the values are read from system
 * properties and copied into the pool's settings, as Spring Boot does.
 */
public final class HikariLoopApp {

  private static volatile boolean stop;

  private HikariLoopApp() {}

  public static void main(String[] args) throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(args[0]);
    boolean copy = args.length > 3 && args[3].equals("copy");
    // "copy": as Spring does, read the settings as system properties and hand the values on.
    config.setUsername(copy ? System.getProperty(args[1]) : args[1]);
    config.setPassword(copy ? System.getProperty(args[2]) : args[2]);
    config.setMaximumPoolSize(2);
    config.setMinimumIdle(2);
    config.setConnectionTimeout(10_000);
    Thread stdin = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.equals("stop")) {
            break;
          }
        }
      } catch (Exception ignored) {
        // stdin closed: stop too
      }
      stop = true;
    });
    stdin.setDaemon(true);
    stdin.start();
    long queries = 0;
    long failures = 0;
    Set<String> sessions = new HashSet<>();
    String sessionQuery = args[0].startsWith("jdbc:postgresql") ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()";
    try (HikariDataSource ds = new HikariDataSource(config)) {
      while (!stop) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sessionQuery)) {
          r.next();
          String session = r.getString(1);
          if (sessions.add(session)) {
            System.out.println("connection " + session);
          }
          if (queries++ == 0) {
            System.out.println("ready");
          }
          if (queries % 50 == 0) {
            var mx = ds.getHikariPoolMXBean();
            System.out.println("progress " + queries + " (pool: " + mx.getTotalConnections() + " total, "
                + mx.getActiveConnections() + " active, " + mx.getIdleConnections() + " idle, "
                + mx.getThreadsAwaitingConnection() + " waiting)");
          }
        } catch (Exception e) {
          failures++;
          System.out.println("failure " + e);
        }
        System.out.flush();
        Thread.sleep(10); // the application's own pace
      }
    }
    System.out.println("queries=" + queries + " failures=" + failures);
  }
}
