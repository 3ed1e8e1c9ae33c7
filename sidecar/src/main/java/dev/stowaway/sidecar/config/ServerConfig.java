package dev.stowaway.sidecar.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The sidecar's settings, frozen once built. Command-line flags win over {@code STOWAWAY_*}
 * environment variables, which win over defaults; each bad value is refused with its name.
 */
public record ServerConfig(Path dataDir, String bind, int port, String region, String account, Store store) {

  /**
   * Where the vault lives: MapDB in the data directory (the default), or a PostgreSQL database
   * shared by many sidecars. Database credentials never come from the command line: from
   * {@code STOWAWAY_STORE_USER}/{@code STOWAWAY_STORE_PASSWORD} or a properties file
   * ({@code user=}, {@code password=}) named by {@code --store-credentials-file}.
   */
  public record Store(String kind, String url, String user, String password) {

    public static final Store MAPDB = new Store("mapdb", null, null, null);

    public boolean postgresql() {
      return kind.equals("postgresql");
    }

    @Override
    public String toString() {
      return "Store[" + kind + (url == null ? "" : ", " + url) + ", credentials REDACTED]";
    }
  }

  /** The default store (MapDB in the data directory). */
  public ServerConfig(Path dataDir, String bind, int port, String region, String account) {
    this(dataDir, bind, port, region, account, Store.MAPDB);
  }

  public static final int DEFAULT_PORT = 2773;
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

  public ServerConfig {
    if (port < 0 || port > 65535) {
      throw new ConfigException("--port must be between 0 and 65535, got " + port);
    }
    if (!REGION.matcher(region).matches()) {
      throw new ConfigException("--region must look like us-east-1, got '" + region + "'");
    }
    if (!ACCOUNT.matcher(account).matches()) {
      throw new ConfigException("--account must be 12 digits, got '" + account + "'");
    }
    if (bind.isBlank()) {
      throw new ConfigException("--bind must name an address, got an empty value");
    }
  }

  /** Parses {@code server} arguments over the given environment. */
  public static ServerConfig parse(String[] args, Map<String, String> env) {
    String dataDir = env.getOrDefault("STOWAWAY_DATA_DIR", "./stowaway-data");
    String bind = env.getOrDefault("STOWAWAY_BIND", "127.0.0.1");
    String port = env.getOrDefault("STOWAWAY_PORT", String.valueOf(DEFAULT_PORT));
    String region = env.getOrDefault("STOWAWAY_REGION", "us-east-1");
    String account = env.getOrDefault("STOWAWAY_ACCOUNT", "123456789012");
    String store = env.getOrDefault("STOWAWAY_STORE", "mapdb");
    String storeUrl = env.get("STOWAWAY_STORE_URL");
    String credentialsFile = env.get("STOWAWAY_STORE_CREDENTIALS_FILE");
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value;
      String flag = arg;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else {
        if (i + 1 >= args.length) {
          throw new ConfigException(arg.startsWith("--") ? arg + " needs a value" : "unknown argument '" + arg + "'");
        }
        value = args[++i];
      }
      switch (flag) {
        case "--data-dir" -> dataDir = value;
        case "--bind" -> bind = value;
        case "--port" -> port = value;
        case "--region" -> region = value;
        case "--account" -> account = value;
        case "--store" -> store = value;
        case "--store-url" -> storeUrl = value;
        case "--store-credentials-file" -> credentialsFile = value;
        case "--store-password", "--store-user" -> throw new ConfigException(flag + " is not taken on the command line, "
            + "where other users can read it: use STOWAWAY_STORE_USER/STOWAWAY_STORE_PASSWORD or "
            + "--store-credentials-file");
        default -> throw new ConfigException("unknown option '" + flag + "' (see 'stowaway help')");
      }
    }
    int portNumber;
    try {
      portNumber = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new ConfigException("--port must be a number, got '" + port + "'");
    }
    return new ServerConfig(Path.of(dataDir).toAbsolutePath().normalize(), bind, portNumber, region, account,
        store(store, storeUrl, credentialsFile, env));
  }

  private static Store store(String kind, String url, String credentialsFile, Map<String, String> env) {
    switch (kind) {
      case "mapdb":
        return Store.MAPDB;
      case "postgresql":
        break;
      default:
        throw new ConfigException("--store must be mapdb or postgresql, got '" + kind + "'");
    }
    if (url == null || !url.startsWith("jdbc:postgresql://")) {
      throw new ConfigException("--store postgresql needs --store-url jdbc:postgresql://HOST:PORT/DATABASE");
    }
    String user = env.get("STOWAWAY_STORE_USER");
    String password = env.get("STOWAWAY_STORE_PASSWORD");
    if (credentialsFile != null) {
      java.util.Properties p = new java.util.Properties();
      try (var in = java.nio.file.Files.newInputStream(Path.of(credentialsFile))) {
        p.load(in);
      } catch (java.io.IOException e) {
        throw new ConfigException("cannot read --store-credentials-file " + credentialsFile + ": " + e.getMessage());
      }
      user = p.getProperty("user", user);
      password = p.getProperty("password", password);
    }
    if (user == null) {
      throw new ConfigException("--store postgresql needs a database user: set STOWAWAY_STORE_USER or "
          + "--store-credentials-file");
    }
    return new Store("postgresql", url, user, password == null ? "" : password);
  }
}
