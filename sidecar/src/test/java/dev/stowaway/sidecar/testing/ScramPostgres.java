package dev.stowaway.sidecar.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private PostgreSQL cluster that checks passwords ({@code scram-sha-256}), on a free port in a
 * temp directory: the machine's own server trusts every local login, so it cannot prove that a
 * password works or fails. Built with the machine's initdb and pg_ctl, run as the {@code postgres}
 * OS user. Skipped where that is impossible, unless {@code STOWAWAY_REQUIRE_DB=1}.
 */
public final class ScramPostgres implements AutoCloseable {

  private static final String SUPERUSER_PASSWORD = "super-" + UUID.randomUUID();

  private final Path dir;
  private final Path bin;
  private final int port;

  private ScramPostgres(Path dir, Path bin, int port) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
  }

  public static ScramPostgres start() throws IOException, InterruptedException {
    Path bin = findBin();
    if (bin == null) {
      unavailable("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql");
    }
    if (!"root".equals(System.getProperty("user.name")) && !"postgres".equals(System.getProperty("user.name"))) {
      unavailable("a private PostgreSQL cluster needs to run as root or postgres, not " + System.getProperty("user.name"));
    }
    Path dir = Files.createTempDirectory("stowaway-pg");
    Path data = dir.resolve("data");
    Path pwfile = dir.resolve("pw");
    Files.writeString(pwfile, SUPERUSER_PASSWORD + "\n");
    run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
    run(List.of("chmod", "700", dir.toString()));
    asPostgres(bin.resolve("initdb").toString(), "-D", data.toString(), "--auth=scram-sha-256", "--username=postgres",
        "--pwfile=" + pwfile, "--no-sync", "-E", "UTF8");
    int port = freePort();
    asPostgres(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "-l",
        dir.resolve("log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c log_statement=all",
        "start");
    return new ScramPostgres(dir, bin, port);
  }

  public int port() {
    return port;
  }

  /** The cluster's superuser password, for tests whose secrets name a master user. */
  public String superuserPassword() {
    return SUPERUSER_PASSWORD;
  }

  /** Whether {@code role} can log in with {@code password}: the server checks it for real. */
  public boolean logsIn(String role, String password) {
    try (Connection c = DriverManager.getConnection(url("postgres"), role, password)) {
      return c.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  /** The server's log so far: every statement it ran ({@code log_statement=all}), with bound parameters. */
  public String log() throws IOException {
    return Files.readString(dir.resolve("log"), StandardCharsets.UTF_8);
  }

  /** The role's stored password as pg_authid holds it (a SCRAM verifier, never the password). */
  public String storedPassword(String role) throws SQLException {
    try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", SUPERUSER_PASSWORD);
         java.sql.PreparedStatement s = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
      s.setString(1, role);
      try (java.sql.ResultSet r = s.executeQuery()) {
        return r.next() ? r.getString(1) : null;
      }
    }
  }

  /** Runs SQL as the superuser. */
  public void execute(String sql) throws SQLException {
    superuser(sql);
  }

  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public void createRole(String role, String password) throws SQLException {
    superuser("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
  }

  public void alterPassword(String role, String password) throws SQLException {
    superuser("ALTER ROLE " + role + " PASSWORD '" + password + "'");
  }

  /** The backend pids of this role's sessions now open. */
  public java.util.Set<String> sessions(String role) throws SQLException {
    java.util.Set<String> ids = new java.util.HashSet<>();
    try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", SUPERUSER_PASSWORD);
         Statement s = c.createStatement();
         java.sql.ResultSet r = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE usename = '" + role + "'")) {
      while (r.next()) {
        ids.add(r.getString(1));
      }
    }
    return ids;
  }

  private void superuser(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", SUPERUSER_PASSWORD);
         Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  private static void asPostgres(String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    run(full);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + out);
    }
  }

  private static Path findBin() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.naturalOrder()).orElse(null);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void unavailable(String why) {
    if ("1".equals(System.getenv("STOWAWAY_REQUIRE_DB"))) {
      fail(why + ", and STOWAWAY_REQUIRE_DB=1 requires it");
    }
    Assumptions.abort(why + "; set STOWAWAY_REQUIRE_DB=1 to make this a failure");
  }
}
