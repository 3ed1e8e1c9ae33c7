package dev.stowaway.sidecar.cli;

import dev.stowaway.sidecar.Sidecar;
import dev.stowaway.sidecar.config.ConfigException;
import dev.stowaway.sidecar.config.DataDirectory;
import dev.stowaway.sidecar.config.ServerConfig;
import dev.stowaway.sidecar.logging.LogLines;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.stowaway.vault.audit.AuditLog;
import dev.stowaway.vault.audit.AuditVerifier;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code stowaway <command>}: the sidecar's command line. */
public final class Stowaway {

  static final String USAGE = """
      usage: stowaway demo
             stowaway server [--config FILE] [--data-dir DIR] [--port N] [--bind ADDR] [--region R] [--account ID]
                             [--store postgresql --store-url jdbc:postgresql://… [--store-credentials-file F]]
                             [--agent-token AWS_TOKEN|file:///PATH --agent-token-user NAME]
                             [--log-format text|json] [--access-log true|false] [--rotation-lease-seconds N]
                             [--probe-port N [--probe-bind ADDR]]
             stowaway config check FILE
             stowaway token create --user NAME --out FILE | revoke --id ID | list   [--data-dir DIR]
             stowaway backup --out FILE [--endpoint URL] [--data-dir DIR]
             stowaway restore --from FILE --data-dir DIR [--store postgresql --store-url URL]
             stowaway audit verify [--data-dir DIR]... [--public-key FILE] [--from INSTANT] [--until INSTANT]
             stowaway migrate --from-data-dir DIR --to postgresql --store-url URL [--store-credentials-file F]

        demo          watch a database password rotate under a live application, in six steps
        server        run the vault on ADDR:N (default 127.0.0.1:2773) with its data in DIR
                      (default ./stowaway-data); an empty DIR is initialised. Every setting can be
                      given in a config file (YAML or JSON: name: value), as STOWAWAY_<NAME> in the
                      environment (STOWAWAY_DATA_DIR, STOWAWAY_PORT, …) or as a flag; flags win over
                      the environment, which wins over the file.
                      STOWAWAY_ROOT_PASSPHRASE derives the root key with Argon2id instead of root.key.
                      --store postgresql keeps the vault in a PostgreSQL database that several
                      sidecars share (each with its own DIR holding the same root key); its user
                      and password come from STOWAWAY_STORE_USER/STOWAWAY_STORE_PASSWORD or the
                      credentials file (user=, password=), never from the command line.
                      --agent-token takes a token as AWS's agent does (the name of an environment
                      variable holding it, or file:///path) for the IAM user --agent-token-user.
                      --probe-port serves /healthz, /readyz and /metrics, and nothing else, on
                      ADDR:N (default 0.0.0.0), for orchestrators that cannot reach loopback.
                      --max-connections, --max-connections-per-address (1024, 256) and
                      --request-read-timeout-seconds (5) bound what slow or many clients can hold;
                      --metrics-on-api-port true serves /metrics on the API port too.
        config check  say whether a config file is valid, naming the bad setting, and what it sets
        token         tokens for clients of AWS's agent API (GET /secretsmanager/get, /v1/ID),
                      each bound to an IAM user whose policies and audit identity it carries
        backup        ask the running sidecar for a consistent backup of the whole vault, sealed
                      under its root key (useless without root.key: keep both, apart)
        restore       open a backup with DIR's root key into a DIR without vault.db (or an empty
                      PostgreSQL store), sidecar stopped, then check counts and sampled secrets
        audit verify  check DIR/audit offline: every record's hash chain, every digest's signature,
                      and that the digests cover the whole log. Exits 1 and names the first record
                      or file that was changed, deleted, reordered or truncated (TAMPERED), a period
                      without the digest its cadence promises (MISSING), a log that ends before
                      --until without a signed final digest (TRUNCATED), or no audit at all (EMPTY).
                      --from/--until (ISO-8601, e.g. 2026-11-30T10:00:00Z) bound the period checked:
                      by default from the first digest until now. --public-key names a copy of
                      DIR/audit/digests/public-key.pem kept somewhere the vault cannot write.
                      Sidecars sharing a store each have a stream: give every --data-dir to check all.
        migrate       copy a stopped sidecar's MapDB vault into an empty PostgreSQL store, values
                      still encrypted, then check counts and that sampled secrets decrypt the same.
        help          show this text
      """;

  private Stowaway() {}

  /** Held so JUL cannot collect the configured loggers and forget their levels. */
  private static final List<java.util.logging.Logger> QUIETED = List.of(
      java.util.logging.Logger.getLogger("io.undertow"),
      java.util.logging.Logger.getLogger("org.xnio"),
      java.util.logging.Logger.getLogger("org.jboss.threads"));

  public static void main(String[] args) {
    // Library start-up banners would bury the lines that tell the user where things are.
    QUIETED.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    if (args[0].equals("migrate")) {
      try {
        return migrate(Arrays.copyOfRange(args, 1, args.length), env, out, err);
      } catch (ConfigException e) {
        err.println("stowaway: " + e.getMessage());
        return 2;
      }
    }
    if (args[0].equals("audit")) {
      return audit(Arrays.copyOfRange(args, 1, args.length), env, out, err);
    }
    if (args[0].equals("token")) {
      return TokenCommand.run(Arrays.copyOfRange(args, 1, args.length), env, Clock.systemUTC(), out, err);
    }
    if (args[0].equals("demo")) {
      return DemoCommand.run(Arrays.copyOfRange(args, 1, args.length), env, out, err);
    }
    if (args[0].equals("backup")) {
      return BackupCommand.run(Arrays.copyOfRange(args, 1, args.length), env, Clock.systemUTC(), out, err);
    }
    if (args[0].equals("restore")) {
      try {
        return RestoreCommand.run(Arrays.copyOfRange(args, 1, args.length), env, out, err);
      } catch (ConfigException e) {
        err.println("stowaway: " + e.getMessage());
        return 2;
      }
    }
    if (args[0].equals("config")) {
      return ConfigCommand.run(Arrays.copyOfRange(args, 1, args.length), env, out, err);
    }
    if (!args[0].equals("server")) {
      err.println("stowaway: unknown command '" + args[0] + "'");
      err.print(USAGE);
      return 2;
    }
    try {
      return server(ServerConfig.parse(Arrays.copyOfRange(args, 1, args.length), env), env, out);
    } catch (ConfigException e) {
      err.println("stowaway: " + e.getMessage());
      return 2;
    }
  }

  private static int server(ServerConfig config, Map<String, String> env, PrintStream console) {
    LogLines.install(config.logFormat());
    // With JSON logs every line the sidecar writes is a JSON object, the banner included.
    PrintStream out = config.logFormat() == ServerConfig.LogFormat.JSON ? LogLines.asJson("dev.stowaway.cli", console)
        : console;
    String passphraseValue = env.get("STOWAWAY_ROOT_PASSPHRASE");
    char[] passphrase = passphraseValue == null || passphraseValue.isEmpty() ? null : passphraseValue.toCharArray();
    Sidecar sidecar;
    try {
      sidecar = Sidecar.start(config, passphrase, Clock.systemUTC(), new SecureRandom(),
          Sidecar.Tuning.defaults().withRotationLease(config.rotationLease())
              .withAudit(AuditLog.Settings.defaults().withDigestInterval(config.auditDigestInterval())));
    } catch (RuntimeException e) {
      if (e instanceof ConfigException) {
        throw e;
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConfigException("cannot start on " + config.bind() + ":" + config.port() + ": " + cause.getMessage());
    } finally {
      if (passphrase != null) {
        Arrays.fill(passphrase, '\0');
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("stowaway: shutting down; finishing requests in flight");
      sidecar.close();
      out.println("stowaway: store closed, bye");
      out.flush();
      stopped.countDown();
    }, "stowaway-shutdown"));
    banner(sidecar, out);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static int audit(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length == 0 || !args[0].equals("verify")) {
      err.println("stowaway: 'audit' takes one command: verify");
      err.print(USAGE);
      return 2;
    }
    List<Path> dataDirs = new java.util.ArrayList<>();
    Path publicKey = null;
    java.time.Instant from = null;
    java.time.Instant until = null;
    for (int i = 1; i < args.length; i++) {
      String flag = args[i];
      String value = null;
      int eq = flag.indexOf('=');
      if (flag.startsWith("--") && eq > 0) {
        value = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      }
      if (value == null) {
        err.println("stowaway: " + flag + " needs a value");
        return 2;
      }
      switch (flag) {
        case "--data-dir" -> dataDirs.add(Path.of(value));
        case "--public-key" -> publicKey = Path.of(value);
        case "--from", "--until" -> {
          java.time.Instant instant;
          try {
            instant = java.time.Instant.parse(value);
          } catch (java.time.format.DateTimeParseException e) {
            err.println("stowaway: " + flag + " must be an ISO-8601 instant such as 2026-11-30T10:00:00Z, got '"
                + value + "'");
            return 2;
          }
          if (flag.equals("--from")) {
            from = instant;
          } else {
            until = instant;
          }
        }
        default -> {
          err.println("stowaway: unknown option '" + flag + "' for audit verify");
          return 2;
        }
      }
    }
    if (dataDirs.isEmpty()) {
      dataDirs.add(Path.of(env.getOrDefault("STOWAWAY_DATA_DIR", "./stowaway-data")));
    }
    if (publicKey != null && dataDirs.size() > 1) {
      err.println("stowaway: --public-key checks one stream: give one --data-dir with it");
      return 2;
    }
    AuditVerifier.Window window;
    try {
      window = new AuditVerifier.Window(from, until != null ? until : Clock.systemUTC().instant());
    } catch (IllegalArgumentException e) {
      err.println("stowaway: " + e.getMessage());
      return 2;
    }
    int exit = 0;
    for (Path dataDir : dataDirs) {
      int one = verifyStream(dataDir, publicKey, window, out, err);
      exit = Math.max(exit, one);
    }
    if (dataDirs.size() > 1) {
      out.println("stowaway: " + (exit == 0 ? "all " + dataDirs.size() + " audit streams are intact"
          : "at least one of the " + dataDirs.size() + " audit streams is not intact"));
    }
    return exit;
  }

  /** One sidecar's audit stream: 0 intact, 1 tampered, missing, truncated or empty, 2 not there. */
  private static int verifyStream(Path dataDir, Path publicKey, AuditVerifier.Window window, PrintStream out,
      PrintStream err) {
    Path auditDir = dataDir.toAbsolutePath().normalize().resolve(DataDirectory.AUDIT);
    if (!Files.isDirectory(auditDir)) {
      err.println("stowaway: " + auditDir + " does not exist; is " + dataDir + " a Stowaway data directory?");
      return 2;
    }
    out.println("stowaway: verifying the audit log in " + auditDir);
    out.flush();
    AuditVerifier.Report report;
    try {
      report = AuditVerifier.verify(auditDir, publicKey, window);
    } catch (IOException e) {
      err.println("stowaway: cannot read " + auditDir + ": " + e.getMessage());
      return 2;
    }
    if (report.intact()) {
      out.println("stowaway: intact: verified " + report.records() + " records in " + report.files() + " files and "
          + report.digests() + " signed digests, from " + report.from() + " until " + report.until());
      report.notes().forEach(note -> out.println("stowaway:   note: " + note));
      out.println("stowaway: digests signed by the key with SHA-256 fingerprint " + report.fingerprint());
      return 0;
    }
    out.println("stowaway: " + report.problems().get(0));
    for (AuditVerifier.Problem problem : report.problems().subList(1, report.problems().size())) {
      out.println("stowaway:   also " + problem);
    }
    report.notes().forEach(note -> out.println("stowaway:   note: " + note));
    return 1;
  }

  /**
   * Copies a MapDB vault into an empty PostgreSQL store without decrypting it (the same root key
   * serves both), then checks the counts and that a sample of secrets decrypt the same from both.
   */
  private static int migrate(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    List<String> translated = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--from-data-dir" -> translated.add("--data-dir");
        case "--to" -> translated.add("--store");
        default -> translated.add(args[i]);
      }
    }
    if (!translated.contains("--data-dir") || !translated.contains("--store")) {
      err.println("stowaway: usage: stowaway migrate --from-data-dir DIR --to postgresql --store-url URL "
          + "[--store-credentials-file F]");
      return 2;
    }
    ServerConfig config = ServerConfig.parse(translated.toArray(String[]::new), env);
    if (!config.store().postgresql()) {
      err.println("stowaway: migrate copies into PostgreSQL: use --to postgresql");
      return 2;
    }
    Path file = config.dataDir().resolve(DataDirectory.STORE);
    if (!Files.exists(file)) {
      err.println("stowaway: " + file + " does not exist; is " + config.dataDir() + " a Stowaway data directory?");
      return 2;
    }
    String passphraseValue = env.get("STOWAWAY_ROOT_PASSPHRASE");
    char[] passphrase = passphraseValue == null || passphraseValue.isEmpty() ? null : passphraseValue.toCharArray();
    out.println("stowaway: copying " + file + " into " + config.store().url() + " (values stay encrypted)");
    try (var from = dev.stowaway.vault.store.mapdb.MapDbSecretStore.open(file);
         var to = dev.stowaway.sidecar.store.PostgresSecretStore.open(config.store().url(), config.store().user(),
             config.store().password())) {
      Map<String, Integer> copied = dev.stowaway.sidecar.store.StoreCopy.copy(from, to, out);
      Map<String, Integer> there = to.read(dev.stowaway.sidecar.store.StoreCopy::count);
      if (!copied.equals(there)) {
        err.println("stowaway: the copy does not match: copied " + copied + ", the database holds " + there);
        return 1;
      }
      int sampled;
      try {
        sampled = CopyCheck.sampleDecryptsTheSame(from, to, config, passphrase);
      } finally {
        if (passphrase != null) {
          Arrays.fill(passphrase, '\0');
        }
      }
      out.println("stowaway: migrated: every count matches, and " + sampled + " sampled secret(s) decrypt the same from "
          + "the database; start sidecars with --store postgresql --store-url " + config.store().url()
          + " and this root key");
      return 0;
    } catch (IllegalStateException | dev.stowaway.vault.store.StoreException e) {
      err.println("stowaway: " + e.getMessage());
      return 1;
    }
  }

  private static void banner(Sidecar sidecar, PrintStream out) {
    var dir = sidecar.config().dataDir();
    if (!sidecar.created().isEmpty()) {
      out.println("stowaway: initialised " + dir + " (created " + String.join(", ", sidecar.created()) + ")");
    }
    out.println("stowaway: vault data in " + (sidecar.config().store().postgresql()
        ? sidecar.config().store().url() + " (PostgreSQL, shared); keys and audit log in " + dir : dir));
    try {
      List<String> loose = new DataDirectory(dir).looseFiles();
      if (!loose.isEmpty()) {
        out.println("stowaway: WARNING " + loose + " in " + dir + " can be read by others; chmod 600 them");
      }
    } catch (IOException e) {
      out.println("stowaway: WARNING cannot check the permissions in " + dir + ": " + e.getMessage());
    }
    out.println("stowaway: audit log in " + sidecar.audit().directory() + ", digests signed by the key with SHA-256 "
        + "fingerprint " + sidecar.audit().signingKeyFingerprint());
    out.println("stowaway: serving the AWS Secrets Manager API at " + sidecar.endpoint()
        + " (region " + sidecar.config().region() + ")");
    if (sidecar.probePort() >= 0) {
      out.println("stowaway: serving /healthz, /readyz and /metrics (only) on " + sidecar.config().probeBind() + ":"
          + sidecar.probePort());
    }
    out.println("stowaway: serving AWS Secrets Manager Agent requests at " + sidecar.endpoint()
        + "/secretsmanager/get and /v1/ID (tokens: stowaway token create)");
    out.println("stowaway: try it with the administrator's credentials:");
    out.println("    export AWS_SHARED_CREDENTIALS_FILE=" + dir.resolve(DataDirectory.ADMIN_CREDENTIALS));
    out.println("    aws --endpoint-url " + sidecar.endpoint() + " secretsmanager list-secrets");
    out.flush();
  }
}
