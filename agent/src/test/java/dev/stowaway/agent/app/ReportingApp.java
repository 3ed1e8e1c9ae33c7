package dev.stowaway.agent.app;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * The application the agent tests launch with {@code -javaagent}. It reads configuration the ways
 * applications do and prints one {@code key=value} line per thing it saw.
 *
 * <p>Arguments: {@code prop:NAME}, {@code props-get:NAME}, {@code env:NAME}, {@code env-map:NAME},
 * {@code raw:NAME} (the Properties entry as stored), {@code jdbc:URL|USER|PASSWORD} (DriverManager
 * with user and password), {@code jdbc-url:URL} (DriverManager with the URL only),
 * {@code direct-buffer-driver-accepts:URL} (a driver defined from a direct ByteBuffer).
 */
public final class ReportingApp {

  private ReportingApp() {}

  public static void main(String[] args) throws Exception {
    for (String arg : args) {
      int colon = arg.indexOf(':');
      String kind = arg.substring(0, colon);
      String what = arg.substring(colon + 1);
      String result;
      try {
        result = report(kind, what);
      } catch (Exception e) {
        result = "error " + e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      System.out.println(arg + "=" + result);
    }
    System.out.flush();
  }

  /** What the application saw through one read path (Java 11 syntax: the tests run it on Java 11 too). */
  private static String report(String kind, String what) throws Exception {
    switch (kind) {
      case "prop":
        return System.getProperty(what);
      case "prop-default":
        return System.getProperty(what, "fallback");
      case "props-get":
        return String.valueOf(System.getProperties().get(what));
      case "env":
        return System.getenv(what);
      case "env-map":
        return System.getenv().get(what);
      case "env-entries":
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
          if (e.getKey().equals(what)) {
            return e.getValue();
          }
        }
        return "null";
      case "own-props": {
        // The application's own Properties, loaded from text the way a properties file is.
        Properties own = new Properties();
        own.load(new java.io.StringReader(what));
        String key = what.substring(0, what.indexOf('='));
        String raw = "null";
        for (Map.Entry<Object, Object> e : own.entrySet()) {
          raw = String.valueOf(e.getValue());
          break;
        }
        return own.getProperty(key) + "|" + own.getProperty(key, "fallback") + "|" + own.get(key) + "|" + raw;
      }
      case "driver-for":
        return DriverManager.getDriver(what).getClass().getName();
      case "direct-buffer-driver-accepts": {
        // ProbeDriver defined again, by a loader that hands the JVM a direct ByteBuffer.
        ClassLoader loader = new DirectBufferLoader(ReportingApp.class.getClassLoader(), dev.stowaway.probe.ProbeDriver.class.getName());
        java.sql.Driver driver = (java.sql.Driver) loader.loadClass(dev.stowaway.probe.ProbeDriver.class.getName())
            .getDeclaredConstructor().newInstance();
        return "accepts " + driver.acceptsURL(what);
      }
      case "raw":
        return System.getProperties().entrySet().stream()
            .filter(e -> e.getKey().equals(what)).map(e -> String.valueOf(e.getValue())).findFirst().orElse("null");
      case "jdbc": {
        String[] p = what.split("\\|", -1);
        try (Connection c = DriverManager.getConnection(p[0], p[1], p[2])) {
          return "connected as " + currentUser(c);
        }
      }
      case "jdbc-props": {
        String[] p = what.split("\\|", -1);
        Properties info = new Properties();
        info.setProperty("user", p[1]);
        info.setProperty("password", p[2]);
        try (Connection c = DriverManager.getConnection(p[0], info)) {
          return "connected as " + currentUser(c);
        }
      }
      case "jdbc-url": {
        try (Connection c = DriverManager.getConnection(what)) {
          return "connected as " + currentUser(c);
        }
      }
      case "datasource": {
        // CLASS|URL|USER|PASSWORD: a driver's own DataSource, configured through its setters
        String[] p = what.split("\\|", -1);
        Object ds = Class.forName(p[0]).getConstructor().newInstance();
        set(ds, p[1], "setURL", "setUrl");
        set(ds, p[2], "setUser");
        set(ds, p[3], "setPassword");
        try (Connection c = ((javax.sql.DataSource) ds).getConnection()) {
          return "connected as " + currentUser(c);
        }
      }
      case "hikari-ds": {
        // CLASS|URL|USER|PASSWORD: HikariCP with dataSourceClassName and dataSourceProperties
        String[] p = what.split("\\|", -1);
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setDataSourceClassName(p[0]);
        config.addDataSourceProperty("url", p[1]);
        config.addDataSourceProperty("user", p[2]);
        config.addDataSourceProperty("password", p[3]);
        config.setMaximumPoolSize(1);
        try (com.zaxxer.hikari.HikariDataSource ds = new com.zaxxer.hikari.HikariDataSource(config);
             Connection c = ds.getConnection()) {
          return "connected as " + currentUser(c);
        }
      }
      default:
        return "unknown kind " + kind;
    }
  }

  private static void set(Object target, String value, String... setters) throws Exception {
    for (String name : setters) {
      try {
        target.getClass().getMethod(name, String.class).invoke(target, value);
        return;
      } catch (NoSuchMethodException tryNext) {
        // another spelling
      }
    }
    throw new NoSuchMethodException(target.getClass().getName() + "." + String.join("/", setters));
  }

  private static String currentUser(Connection c) throws Exception {
    String product = c.getMetaData().getDatabaseProductName().toLowerCase();
    String sql = product.contains("h2") ? "SELECT CURRENT_USER()" : product.contains("postgres")
        ? "SELECT current_user" : "SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)";
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1).toLowerCase();
    }
  }
}
