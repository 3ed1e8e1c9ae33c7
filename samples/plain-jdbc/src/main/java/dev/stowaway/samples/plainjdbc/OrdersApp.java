package dev.stowaway.samples.plainjdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * An application that knows nothing of Stowaway: it reads {@code db.url}, {@code db.user} and
 * {@code db.password} from a properties file and opens a new JDBC connection (DriverManager, no
 * pool) every {@code poll.interval.ms}, counting orders. It stops when its standard input closes.
 * With the Stowaway agent, the file can hold placeholders instead of credentials.
 */
public final class OrdersApp {

  private OrdersApp() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: java -jar plain-jdbc.jar app.properties");
      System.exit(2);
    }
    Properties config = new Properties();
    try (Reader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      config.load(in);
    }
    long interval = Long.parseLong(config.getProperty("poll.interval.ms", "1000"));
    Thread stopper = new Thread(() -> {
      try (InputStream in = System.in) {
        while (in.read() >= 0) {
          // until the launcher closes our input
        }
      } catch (IOException e) {
        // closed
      }
      System.exit(0);
    }, "stdin-watch");
    stopper.setDaemon(true);
    stopper.start();
    for (int n = 1; ; n++) {
      try (Connection c = DriverManager.getConnection(config.getProperty("db.url"), config.getProperty("db.user"),
          config.getProperty("db.password"));
           Statement s = c.createStatement();
           ResultSet r = s.executeQuery("SELECT COUNT(*), CURRENT_USER FROM orders")) {
        r.next();
        System.out.println("connection " + n + ": " + r.getInt(1) + " orders, logged in as " + r.getString(2));
      } catch (SQLException e) {
        // The message, never the credentials: a driver does not echo a password back.
        System.out.println("connection " + n + ": FAILED " + e.getSQLState() + " " + e.getMessage());
      }
      System.out.flush();
      Thread.sleep(interval);
    }
  }
}
