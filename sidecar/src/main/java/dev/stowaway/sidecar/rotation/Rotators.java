package dev.stowaway.sidecar.rotation;

import dev.stowaway.sidecar.config.Destinations;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.secrets.PasswordGenerator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rotators a RotationLambdaARN can name, {@code arn:aws:lambda:REGION:ACCOUNT:function:NAME}:
 * the built-in ones by their fixed names, and the operator's own under the data directory:
 * {@code stowaway-webhook-X} posts to the URL in {@code DIR/rotators/X.url}, {@code stowaway-exec-X}
 * runs {@code DIR/rotators/X}. Whoever may call RotateSecret can only pick among them.
 */
public final class Rotators {

  public static final List<String> BUILT_IN = List.of("stowaway-random-password", "stowaway-postgresql-single-user",
      "stowaway-postgresql-alternating-users", "stowaway-mariadb-single-user", "stowaway-mariadb-alternating-users",
      "stowaway-mysql-single-user", "stowaway-mysql-alternating-users", "stowaway-h2-single-user");
  private static final Pattern ARN = Pattern.compile("arn:aws:lambda:[a-z0-9-]*:\\d{0,12}:function:([A-Za-z0-9_-]{1,64})");
  private static final Pattern LOCAL = Pattern.compile("stowaway-(webhook|exec)-([A-Za-z0-9_-]{1,48})");

  private final Path dataDir;
  private final Path dir;
  private final PasswordGenerator passwords;
  private final Destinations targets;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  /** {@code targets}: rotation-targets, where rotators may connect (databases, webhooks). */
  public Rotators(Path dataDir, PasswordGenerator passwords, Destinations targets) {
    this.dataDir = dataDir;
    this.dir = dataDir.resolve("rotators");
    this.passwords = passwords;
    this.targets = targets;
  }

  /** Refuses, as RotateSecret's InvalidParameterException, an ARN that names no rotator. */
  public void check(String arn) {
    if (arn == null) {
      return;
    }
    Matcher m = ARN.matcher(arn);
    if (!m.matches() || !BUILT_IN.contains(m.group(1)) && !LOCAL.matcher(m.group(1)).matches()) {
      throw VaultException.invalidParameter("RotationLambdaARN " + arn + " names no Stowaway rotator. Use "
          + "arn:aws:lambda:REGION:ACCOUNT:function:NAME with NAME one of " + String.join(", ", BUILT_IN)
          + ", stowaway-webhook-X (URL in DIR/rotators/X.url) or stowaway-exec-X (runs DIR/rotators/X).");
    }
  }

  Rotator named(String arn) throws RotationException {
    Matcher m = ARN.matcher(arn == null ? "" : arn);
    if (!m.matches()) {
      throw new RotationException("RotationLambdaARN " + arn + " names no Stowaway rotator");
    }
    String name = m.group(1);
    DatabasePasswords database = new DatabasePasswords(passwords);
    switch (name) {
      case "stowaway-random-password":
        return new RandomPasswordRotator(passwords);
      case "stowaway-postgresql-single-user":
        return new PostgresRotator(false, database, targets);
      case "stowaway-postgresql-alternating-users":
        return new PostgresRotator(true, database, targets);
      case "stowaway-mariadb-single-user":
        return new MariaDbRotator(false, database, targets, "mariadb");
      case "stowaway-mysql-single-user":
        return new MariaDbRotator(false, database, targets, "mysql");
      case "stowaway-mariadb-alternating-users":
        return new MariaDbRotator(true, database, targets, "mariadb");
      case "stowaway-mysql-alternating-users":
        return new MariaDbRotator(true, database, targets, "mysql");
      case "stowaway-h2-single-user":
        return new H2Rotator(database, targets, dataDir);
      default:
        break;
    }
    Matcher local = LOCAL.matcher(name);
    if (!local.matches()) {
      throw new RotationException("RotationLambdaARN " + arn + " names no Stowaway rotator");
    }
    if (local.group(1).equals("exec")) {
      return new ExternalRotators.Exec(dir.resolve(local.group(2)), Duration.ofSeconds(60));
    }
    Path urlFile = dir.resolve(local.group(2) + ".url");
    try {
      URI url = URI.create(Files.readString(urlFile, StandardCharsets.UTF_8).strip());
      if (!targets.allowsUrl(url)) {
        throw new RotationException("the webhook rotator " + name + ": " + targets.refusal(Destinations.shown(url)));
      }
      return new ExternalRotators.Webhook(url, http, Duration.ofSeconds(30));
    } catch (IOException | IllegalArgumentException e) {
      throw new RotationException("the webhook rotator " + name + " needs its URL in " + urlFile + ": " + e.getMessage());
    }
  }
}
