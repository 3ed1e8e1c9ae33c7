package dev.stowaway.sidecar.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.Sidecar;
import dev.stowaway.sidecar.config.DataDirectory;
import dev.stowaway.sidecar.config.ServerConfig;
import dev.stowaway.sidecar.localagent.AgentTokens;
import dev.stowaway.vault.audit.AuditVerifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@code stowaway demo}: a password rotates under a live application, in numbered steps. A sidecar
 * on a temporary data directory; an H2 database whose user's password only the vault knows; the
 * plain-JDBC sample application started with the agent and a configuration of placeholders; a
 * rotation through the real API while the application keeps connecting; the audit trail of what
 * happened; then everything removed.
 */
final class DemoCommand {

  static final String USAGE = "usage: stowaway demo --agent stowaway-agent.jar --app plain-jdbc.jar "
      + "(bin/stowaway demo gives both)\n";
  private static final String SECRET = "demo/orders-db";
  private static final String APP_USER = "orders-app";
  private static final String ROTATOR = "arn:aws:lambda:us-east-1:123456789012:function:stowaway-h2-single-user";
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final long started = System.nanoTime();
  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();

  private DemoCommand(PrintStream out) {
    this.out = out;
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Path agent = null;
    Path app = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--agent" -> agent = Path.of(args[i + 1]).toAbsolutePath();
        case "--app" -> app = Path.of(args[i + 1]).toAbsolutePath();
        default -> {
          err.print(USAGE);
          return 2;
        }
      }
    }
    if (agent == null || app == null || args.length % 2 != 0) {
      err.print(USAGE);
      return 2;
    }
    for (Path jar : List.of(agent, app)) {
      if (!Files.isRegularFile(jar)) {
        err.println("stowaway: " + jar + " does not exist; build first (mvn -q -B -DskipTests package)");
        return 2;
      }
    }
    try {
      return new DemoCommand(out).show(agent, app);
    } catch (IOException | SQLException | RuntimeException e) {
      err.println("stowaway: the demo failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private int show(Path agentJar, Path appJar) throws IOException, SQLException, InterruptedException {
    Path dir = Files.createTempDirectory("stowaway-demo-");
    out.println("stowaway demo: a database password rotates under a live application");
    Process app = null;
    Sidecar sidecar = null;
    Connection owner = null;
    java.util.logging.Logger quiet = java.util.logging.Logger.getLogger("dev.stowaway");
    quiet.setLevel(java.util.logging.Level.WARNING); // the steps say what happens; the sidecar's INFO lines would interleave
    try {
      // Rotators reach only what the operator lists: here the demo's own H2 directory.
      String targets = "h2:" + dir.resolve("h2") + "/*";
      sidecar = Sidecar.start(ServerConfig.parse(new String[] {"--data-dir", dir.resolve("data").toString(),
          "--port", "0", "--access-log", "false", "--rotation-targets", targets}, Map.of()), null,
          Clock.systemUTC(), new SecureRandom(), Sidecar.Tuning.defaults());
      URI endpoint = URI.create(sidecar.endpoint());
      step(1, "Started a sidecar on a temporary data directory");
      detail(dir.resolve("data") + "  (root.key, vault.db, audit/, admin-credentials)");
      detail("serving the AWS APIs at " + endpoint);
      detail("--rotation-targets " + targets + "  (the only place a rotator may open)");

      SignedClient admin = SignedClient.withCredentialsFile(endpoint,
          dir.resolve("data").resolve(DataDirectory.ADMIN_CREDENTIALS), Clock.systemUTC());
      String url = "jdbc:h2:file:" + dir.resolve("h2").resolve("orders") + ";AUTO_SERVER=TRUE";
      String password = HexFormat.of().formatHex(randomBytes(16));
      // Held open to the end: this JVM stays H2's server, so the application's and the rotator's
      // connections never race to take the database file over from each other.
      owner = DriverManager.getConnection(url, "sa", HexFormat.of().formatHex(randomBytes(16)));
      try (Statement s = owner.createStatement()) {
        s.execute("CREATE USER app PASSWORD '" + password + "'");
        s.execute("CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(40))");
        s.execute("INSERT INTO orders VALUES (1, 'anchor'), (2, 'rope'), (3, 'lantern')");
        s.execute("GRANT SELECT ON orders TO app");
      }
      ObjectNode value = JSON.createObjectNode().put("engine", "h2")
          .put("path", dir.resolve("h2").resolve("orders").toString()).put("username", "app")
          .put("password", password);
      call(admin.json("secretsmanager.CreateSecret", "secretsmanager", JSON.createObjectNode().put("Name", SECRET)
          .put("SecretString", value.toString()).toString(), Duration.ofSeconds(30)));
      call(admin.query("iam", Map.of("Action", "CreateUser", "Version", "2010-05-08", "UserName", APP_USER)));
      call(admin.query("iam", Map.of("Action", "PutUserPolicy", "Version", "2010-05-08", "UserName", APP_USER,
          "PolicyName", "read-demo", "PolicyDocument", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
              + "\"Action\":[\"secretsmanager:GetSecretValue\",\"secretsmanager:DescribeSecret\"],"
              + "\"Resource\":\"arn:aws:secretsmanager:*:*:secret:demo/*\"}]}")));
      Path token = dir.resolve("app-token");
      Files.writeString(Files.createFile(token, PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString("rw-------"))),
          AgentTokens.in(dir.resolve("data")).create(APP_USER, new SecureRandom(), Instant.now()).token());
      step(2, "Created an H2 database whose user APP has a generated password only the vault knows");
      detail("aws secretsmanager create-secret --name " + SECRET
          + " --secret-string '{\"engine\":\"h2\",\"path\":…,\"username\":\"app\",\"password\":\"(hidden)\"}'");
      detail("aws iam create-user --user-name " + APP_USER + "   (may read demo/* only)");
      detail("stowaway token create --user " + APP_USER + " --out " + token);

      Path config = dir.resolve("app.properties");
      List<String> lines = List.of("db.url=" + url,
          "db.user={{resolve:secretsmanager:" + SECRET + ":SecretString:username}}",
          "db.password={{resolve:secretsmanager:" + SECRET + ":SecretString:password}}",
          "poll.interval.ms=400");
      Files.write(config, lines);
      step(3, "Started the application with the agent; its configuration holds only placeholders");
      for (String line : lines) {
        detail(line);
      }
      detail("java -javaagent:" + agentJar.getFileName() + " -jar " + appJar.getFileName() + " app.properties"
          + "   (STOWAWAY_TOKEN=file://" + token + ")");
      ProcessBuilder launch = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xshare:off", "-Djava.util.logging.SimpleFormatter.format=%4$s %5$s%n",
          "-javaagent:" + agentJar, "-jar", appJar.toString(), config.toString()).redirectErrorStream(true);
      launch.environment().keySet().removeIf(k -> k.startsWith("STOWAWAY_") || k.startsWith("AWS_"));
      launch.environment().put("STOWAWAY_TOKEN", "file://" + token);
      launch.environment().put("STOWAWAY_ENDPOINT", endpoint.toString());
      app = launch.start();
      Process running = app;
      Thread relay = new Thread(() -> relay(running), "demo-app-output");
      relay.setDaemon(true);
      relay.start();
      awaitConnections(3, Duration.ofSeconds(30));

      String before = currentVersion(admin);
      step(4, "Rotating " + SECRET + " with stowaway-h2-single-user, while the application keeps connecting");
      call(admin.json("secretsmanager.RotateSecret", "secretsmanager", JSON.createObjectNode().put("SecretId", SECRET)
          .put("RotationLambdaARN", ROTATOR).toString(), Duration.ofSeconds(30)));
      sidecar.rotations().awaitIdle();
      String after = currentVersion(admin);
      int atRotation = connected.get();
      int failedAtRotation = failed.get();
      boolean oldRefused;
      try (Connection c = DriverManager.getConnection(url, "app", password)) {
        oldRefused = false;
      } catch (SQLException e) {
        oldRefused = true;
      }
      detail("AWSCURRENT moved from version " + before.substring(0, 8) + "… to " + after.substring(0, 8)
          + "…; H2 " + (oldRefused ? "now refuses the old password" : "STILL TAKES THE OLD PASSWORD"));
      awaitConnections(atRotation + 4, Duration.ofSeconds(30));
      int since = connected.get() - atRotation;
      detail("the application made " + since + " new connections since, " + (failed.get() - failedAtRotation)
          + " failed: it logs in with the new password, and was never restarted");

      step(5, "What the audit trail recorded (aws cloudtrail lookup-events)");
      SignedClient.Answer events = call(admin.json("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
          "cloudtrail", "{\"MaxResults\":50}", Duration.ofSeconds(30)));
      auditExcerpt(JSON.readTree(events.body()));
      admin.forget();
      app.getOutputStream().close();
      app.waitFor(10, TimeUnit.SECONDS);
      sidecar.close();
      sidecar = null;
      AuditVerifier.Report report = AuditVerifier.verify(dir.resolve("data").resolve(DataDirectory.AUDIT), null);
      detail("stowaway audit verify: " + (report.intact() ? "intact, " + report.records() + " records in hash chain, "
          + report.digests() + " signed digests" : report.verdict() + " " + report.messages()));
      return oldRefused && since > 0 && report.intact() ? 0 : 1;
    } finally {
      if (app != null) {
        app.destroy();
        app.waitFor(10, TimeUnit.SECONDS);
      }
      if (sidecar != null) {
        sidecar.close();
      }
      if (owner != null) {
        owner.close();
      }
      delete(dir);
      quiet.setLevel(null);
      step(6, String.format("Stopped the application and the sidecar and removed %s. Done in %.1f s.", dir,
          (System.nanoTime() - started) / 1e9));
    }
  }

  private void relay(Process app) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("connection ")) {
          (line.contains(": FAILED") ? failed : connected).incrementAndGet();
        }
        synchronized (out) {
          out.println("        app | " + line);
        }
      }
    } catch (IOException e) {
      // the application ended
    }
  }

  private void awaitConnections(int count, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (connected.get() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the application made " + connected.get() + " connections, not " + count
            + " (" + failed.get() + " failed)");
      }
      Thread.sleep(50);
    }
  }

  private static String currentVersion(SignedClient admin) throws IOException, InterruptedException {
    JsonNode described = JSON.readTree(call(admin.json("secretsmanager.DescribeSecret", "secretsmanager",
        "{\"SecretId\":\"" + SECRET + "\"}", Duration.ofSeconds(30))).body());
    for (Map.Entry<String, JsonNode> v : (Iterable<Map.Entry<String, JsonNode>>) () ->
        described.path("VersionIdsToStages").fields()) {
      for (JsonNode stage : v.getValue()) {
        if (stage.asText().equals("AWSCURRENT")) {
          return v.getKey();
        }
      }
    }
    throw new IllegalStateException(SECRET + " has no AWSCURRENT version");
  }

  /** One line per record, oldest first: who did what to which secret. */
  private void auditExcerpt(JsonNode lookup) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    lookup.path("Events").forEach(e -> events.add(0, e)); // LookupEvents answers newest first
    Map<String, Integer> repeats = new LinkedHashMap<>();
    String previous = null;
    List<String> shown = new ArrayList<>();
    for (JsonNode e : events) {
      JsonNode record = JSON.readTree(e.path("CloudTrailEvent").asText());
      String who = record.path("userIdentity").path("userName").asText("(the vault)");
      String resource = e.path("Resources").size() > 0 ? e.path("Resources").get(0).path("ResourceName").asText() : "";
      String line = String.format("%-12s %-26s %s%s", who, e.path("EventName").asText(),
          resource.replaceAll("^arn:aws:secretsmanager:[^:]+:\\d+:secret:", ""),
          record.hasNonNull("errorCode") ? "  " + record.path("errorCode").asText() : "");
      if (line.equals(previous)) {
        repeats.merge(line, 1, Integer::sum);
        continue;
      }
      previous = line;
      shown.add(CLOCK.format(Instant.ofEpochMilli((long) (e.path("EventTime").asDouble() * 1000))) + "  " + line);
    }
    for (String line : shown) {
      String key = line.substring(10);
      detail(line + (repeats.containsKey(key) ? "  (and " + repeats.get(key) + " more)" : ""));
    }
  }

  private static SignedClient.Answer call(SignedClient.Answer answer) {
    if (answer.status() != 200) {
      throw new IllegalStateException("the sidecar answered " + answer.status() + ": " + answer.text());
    }
    return answer;
  }

  private void step(int n, String text) {
    synchronized (out) {
      out.println();
      out.printf(" %d. %s%n", n, text);
    }
  }

  private void detail(String text) {
    synchronized (out) {
      out.println("      " + text);
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
