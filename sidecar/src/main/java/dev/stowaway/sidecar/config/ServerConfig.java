package dev.stowaway.sidecar.config;

import dev.stowaway.sidecar.localagent.AgentTokens;
import dev.stowaway.vault.identity.FailedAttempts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The sidecar's settings, frozen once built. Each setting has one name, used as the key in a
 * config file ({@code --config FILE}, YAML or JSON), as {@code STOWAWAY_<NAME>} in the environment
 * and as {@code --<name>} on the command line; later sources win in that order over the defaults.
 * Each bad value is refused with its name.
 */
public record ServerConfig(Path dataDir, String bind, int port, String region, String account, Store store,
    AgentToken agentToken, LogFormat logFormat, boolean accessLog, Duration rotationLease, Integer probePort,
    String probeBind, Destinations rotationTargets, Destinations eventTargetUrls, GuessLimits guessLimits,
    Http http, Duration auditDigestInterval) {

  /** Every setting, with its default (null: none). */
  static final Map<String, String> SETTINGS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("data-dir", "./stowaway-data");
    d.put("bind", "127.0.0.1");
    d.put("port", "2773");
    d.put("region", "us-east-1");
    d.put("account", "123456789012");
    d.put("store", "mapdb");
    d.put("store-url", null);
    d.put("store-credentials-file", null);
    d.put("agent-token", null);
    d.put("agent-token-user", null);
    d.put("log-format", "text");
    d.put("access-log", "true");
    d.put("rotation-lease-seconds", "600");
    d.put("probe-port", null);
    d.put("probe-bind", "0.0.0.0");
    d.put("rotation-targets", Destinations.LOOPBACK);
    d.put("event-target-urls", Destinations.LOOPBACK);
    d.put("mfa-failures", "5");
    d.put("mfa-failure-window-seconds", "300");
    d.put("signature-failures", "10");
    d.put("signature-failure-window-seconds", "60");
    d.put("max-connections", "1024");
    d.put("max-connections-per-address", "256");
    d.put("request-read-timeout-seconds", "5");
    d.put("metrics-on-api-port", "false");
    d.put("audit-digest-interval-seconds", "300");
    return java.util.Collections.unmodifiableMap(d);
  }

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

  /** The token given at start ({@code --agent-token}), as AWS's agent takes one, and the user it acts as. */
  public record AgentToken(String source, String user, String token) {
    @Override
    public String toString() {
      return "AgentToken[" + source + " as " + user + ", token REDACTED]";
    }
  }

  /** How many wrong MFA codes (per device and per key) and failed signatures (per key id) a window allows. */
  public record GuessLimits(FailedAttempts.Limit mfa, FailedAttempts.Limit signatures) {}
  /**
   * What one client may hold: open connections in all and from one address (SSE streams included),
   * and how long a request may take to arrive (its headers, then its body, each within the timeout).
   * {@code /metrics} is served on the probe port, and on the API port only when asked.
   */
  public record Http(int maxConnections, int maxConnectionsPerAddress, Duration requestReadTimeout,
      boolean metricsOnApiPort) {

    public Http {
      if (maxConnections < 1) {
        throw new ConfigException("--max-connections must be at least 1, got " + maxConnections);
      }
      if (maxConnectionsPerAddress < 1 || maxConnectionsPerAddress > maxConnections) {
        throw new ConfigException("--max-connections-per-address must be between 1 and --max-connections ("
            + maxConnections + "), got " + maxConnectionsPerAddress);
      }
      if (requestReadTimeout.compareTo(Duration.ofSeconds(1)) < 0 || requestReadTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new ConfigException("--request-read-timeout-seconds must be between 1 and 300, got "
            + requestReadTimeout.toSeconds());
      }
    }
  }

  /** How the sidecar writes its log lines. */
  public enum LogFormat { TEXT, JSON }

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
    if (probePort != null && (probePort < 0 || probePort > 65535)) {
      throw new ConfigException("--probe-port must be between 0 and 65535, got " + probePort);
    }
  }

  /** The local-agent tokens: those in the data directory, and the one given at start. */
  public AgentTokens agentTokens() {
    AgentTokens tokens = AgentTokens.in(dataDir);
    return agentToken == null ? tokens : tokens.withConfigured(agentToken.token(), agentToken.user());
  }

  /** Parses {@code server} arguments over the environment and the config file they name. */
  public static ServerConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> flags = flags(args);
    String configFile = flags.containsKey("config") ? flags.remove("config") : env.get("STOWAWAY_CONFIG");
    Map<String, String> s = new LinkedHashMap<>(SETTINGS);
    if (configFile != null) {
      s.putAll(ConfigFile.read(Path.of(configFile), SETTINGS.keySet()));
    }
    for (String name : SETTINGS.keySet()) {
      String fromEnv = env.get(envName(name));
      if (fromEnv != null) {
        s.put(name, fromEnv);
      }
    }
    s.putAll(flags);
    try {
      return build(s, env);
    } catch (ConfigException e) {
      throw configFile == null ? e : new ConfigException(e.getMessage() + " (settings from " + configFile
          + ", STOWAWAY_* and flags)");
    }
  }

  /** {@code data-dir} is {@code STOWAWAY_DATA_DIR}. */
  public static String envName(String setting) {
    return "STOWAWAY_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
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
      if (flag.equals("--store-password") || flag.equals("--store-user")) {
        throw new ConfigException(flag + " is not taken on the command line, where other users can read it: use "
            + "STOWAWAY_STORE_USER/STOWAWAY_STORE_PASSWORD or --store-credentials-file");
      }
      String name = flag.startsWith("--") ? flag.substring(2) : flag;
      if (!name.equals("config") && !SETTINGS.containsKey(name)) {
        throw new ConfigException("unknown option '" + flag + "' (see 'stowaway help')");
      }
      flags.put(name, value);
    }
    return flags;
  }

  private static ServerConfig build(Map<String, String> s, Map<String, String> env) {
    return new ServerConfig(Path.of(s.get("data-dir")).toAbsolutePath().normalize(), s.get("bind"),
        number("port", s.get("port")), s.get("region"), s.get("account"),
        store(s.get("store"), s.get("store-url"), s.get("store-credentials-file"), env),
        agentToken(s.get("agent-token"), s.get("agent-token-user"), env), logFormat(s.get("log-format")),
        bool("access-log", s.get("access-log")), rotationLease(s.get("rotation-lease-seconds")),
        s.get("probe-port") == null || s.get("probe-port").isEmpty() ? null : number("probe-port", s.get("probe-port")),
        s.get("probe-bind"), Destinations.parse("rotation-targets", s.get("rotation-targets")),
        Destinations.parse("event-target-urls", s.get("event-target-urls")),
        new GuessLimits(limit("mfa-failures", s), limit("signature-failures", s)),
        new Http(number("max-connections", s.get("max-connections")),
            number("max-connections-per-address", s.get("max-connections-per-address")),
            Duration.ofSeconds(number("request-read-timeout-seconds", s.get("request-read-timeout-seconds"))),
            bool("metrics-on-api-port", s.get("metrics-on-api-port"))),
        seconds("audit-digest-interval-seconds", s.get("audit-digest-interval-seconds")));
  }

  /** {@code NAME} failures per {@code NAME-window-seconds}, both positive. */
  private static FailedAttempts.Limit limit(String name, Map<String, String> s) {
    String windowName = name.replace("failures", "failure-window-seconds");
    int failures = number(name, s.get(name));
    int seconds = number(windowName, s.get(windowName));
    if (failures < 1) {
      throw new ConfigException("--" + name + " must be at least 1, got " + failures);
    }
    if (seconds < 1) {
      throw new ConfigException("--" + windowName + " must be a positive number of seconds, got " + seconds);
    }
    return new FailedAttempts.Limit(failures, Duration.ofSeconds(seconds));
  }

  private static int number(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new ConfigException("--" + name + " must be a number, got '" + value + "'");
    }
  }

  private static boolean bool(String name, String value) {
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException("--" + name + " must be true or false, got '" + value + "'");
    };
  }

  private static LogFormat logFormat(String value) {
    return switch (value) {
      case "text" -> LogFormat.TEXT;
      case "json" -> LogFormat.JSON;
      default -> throw new ConfigException("--log-format must be text or json, got '" + value + "'");
    };
  }

  private static Duration rotationLease(String value) {
    return seconds("rotation-lease-seconds", value);
  }

  private static Duration seconds(String name, String value) {
    try {
      long seconds = Long.parseLong(value);
      if (seconds >= 1) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new ConfigException("--" + name + " must be a positive number of seconds, got '" + value + "'");
  }

  /**
   * AWS's agent reads its token from an environment variable ({@code AWS_TOKEN}) whose value may
   * be {@code file://PATH}; Stowaway takes the variable's name or a {@code file://} URL directly.
   */
  private static AgentToken agentToken(String source, String user, Map<String, String> env) {
    if (source == null || source.isEmpty()) {
      if (user != null) {
        throw new ConfigException("--agent-token-user is set but --agent-token is not");
      }
      return null;
    }
    if (user == null || user.isEmpty()) {
      throw new ConfigException("--agent-token needs --agent-token-user NAME: the IAM user whose policies and "
          + "audit identity the token carries");
    }
    String value = source;
    if (!source.startsWith("file://")) {
      value = env.get(source);
      if (value == null || value.isEmpty()) {
        throw new ConfigException("--agent-token " + source + ": the environment variable " + source
            + " is not set (give a variable's name or file:///path)");
      }
    }
    if (value.startsWith("file://")) {
      Path file = Path.of(value.substring("file://".length()));
      try {
        value = Files.readString(file, StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        throw new ConfigException("--agent-token " + source + ": cannot read " + file + " ("
            + e.getClass().getSimpleName() + ")");
      }
    }
    if (value.isEmpty()) {
      throw new ConfigException("--agent-token " + source + " gives an empty token");
    }
    return new AgentToken(source, user, value);
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
      Properties p = new Properties();
      try (var in = Files.newInputStream(Path.of(credentialsFile))) {
        p.load(in);
      } catch (IOException e) {
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
