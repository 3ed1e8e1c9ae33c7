package dev.stowaway.agent.config;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one place agent settings are read: {@code -javaagent:…=key=value,…} first, then the
 * {@code STOWAWAY_*} environment variable for each setting, then defaults. An unknown key or a bad
 * value is refused with a message naming it.
 */
public final class AgentConfigParser {

  private static final Map<String, String> ENV_NAMES = Map.ofEntries(
      Map.entry("endpoint", "STOWAWAY_ENDPOINT"),
      Map.entry("ttl", "STOWAWAY_TTL"),
      Map.entry("onError", "STOWAWAY_ON_ERROR"),
      Map.entry("maxStale", "STOWAWAY_MAX_STALE"),
      Map.entry("region", "STOWAWAY_REGION"),
      Map.entry("role", "STOWAWAY_ROLE"),
      Map.entry("roleSessionName", "STOWAWAY_ROLE_SESSION_NAME"),
      Map.entry("roleDuration", "STOWAWAY_ROLE_DURATION"),
      Map.entry("roleRefreshAhead", "STOWAWAY_ROLE_REFRESH_AHEAD"),
      Map.entry("token", "STOWAWAY_TOKEN"),
      Map.entry("retryWindow", "STOWAWAY_RETRY_WINDOW"));

  private AgentConfigParser() {}

  public static AgentConfig parse(String agentArgs, Map<String, String> env) {
    Map<String, String> given = new LinkedHashMap<>();
    if (agentArgs != null && !agentArgs.isBlank()) {
      for (String pair : agentArgs.split(",")) {
        int eq = pair.indexOf('=');
        String key = (eq < 0 ? pair : pair.substring(0, eq)).trim();
        if (!ENV_NAMES.containsKey(key)) {
          throw new AgentConfigException("unknown setting '" + key + "' (known: endpoint, ttl, onError, maxStale, region, role, "
              + "roleSessionName, roleDuration, roleRefreshAhead, token, retryWindow)");
        }
        if (eq < 0) {
          throw new AgentConfigException("setting '" + key + "' needs a value, as " + key + "=VALUE");
        }
        given.put(key, pair.substring(eq + 1).trim());
      }
    }
    // Plain calls, no lambdas: this runs in premain, where every bootstrap costs the application.
    Builder b = new Builder();
    b.endpoint(source(given, env, "endpoint"), value(given, env, "endpoint", "http://127.0.0.1:2773"));
    b.ttl(source(given, env, "ttl"), value(given, env, "ttl", "300s"));
    b.onError(source(given, env, "onError"), value(given, env, "onError", "fail"));
    b.maxStale(source(given, env, "maxStale"), value(given, env, "maxStale", "15m"));
    String defaultRegion = env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
    b.region(source(given, env, "region"), value(given, env, "region", defaultRegion));
    b.role(source(given, env, "role"), value(given, env, "role", null));
    b.roleSession(source(given, env, "roleSessionName"), value(given, env, "roleSessionName", "stowaway-agent"),
        source(given, env, "roleDuration"), value(given, env, "roleDuration", "1h"),
        source(given, env, "roleRefreshAhead"), value(given, env, "roleRefreshAhead", "5m"));
    b.token(source(given, env, "token"), value(given, env, "token", null));
    b.retryWindow(source(given, env, "retryWindow"), value(given, env, "retryWindow", "10s"));
    return b.build();
  }

  /** The name to blame for a bad value: the agent argument, or the environment variable it came from. */
  private static String source(Map<String, String> given, Map<String, String> env, String key) {
    return given.get(key) == null && env.get(ENV_NAMES.get(key)) != null ? ENV_NAMES.get(key) : key;
  }

  private static String value(Map<String, String> given, Map<String, String> env, String key, String otherwise) {
    String value = given.get(key);
    if (value == null) {
      value = env.get(ENV_NAMES.get(key));
    }
    return value == null ? otherwise : value;
  }

  /** Validates each setting as it is set. */
  static final class Builder {
    private URI endpoint;
    private Duration ttl;
    private boolean failOnError;
    private Duration maxStale;
    private String region;
    private String role;
    private String roleSessionName;
    private Duration roleDuration;
    private Duration roleRefreshAhead;
    private String token;
    private Duration retryWindow;

    void endpoint(String name, String value) {
      try {
        URI uri = URI.create(value);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
          throw new IllegalArgumentException();
        }
        endpoint = uri;
      } catch (IllegalArgumentException e) {
        throw new AgentConfigException(name + " must be an http(s) URL such as http://127.0.0.1:2773, got '" + value + "'");
      }
    }

    void ttl(String name, String value) {
      ttl = duration(name, value);
    }

    void maxStale(String name, String value) {
      maxStale = duration(name, value);
    }

    void onError(String name, String value) {
      switch (value.toLowerCase(Locale.ROOT)) {
        case "fail":
          failOnError = true;
          break;
        case "warn":
          failOnError = false;
          break;
        default:
          throw new AgentConfigException(name + " must be 'fail' or 'warn', got '" + value + "'");
      }
    }

    void region(String name, String value) {
      if (!value.matches("[a-z]{2}(-[a-z]+)+-\\d")) {
        throw new AgentConfigException(name + " must look like us-east-1, got '" + value + "'");
      }
      region = value;
    }

    void role(String name, String arn) {
      if (arn != null && !arn.matches("arn:aws:iam::\\d{12}:role/.+")) {
        throw new AgentConfigException(name + " must be a role ARN such as arn:aws:iam::123456789012:role/app, got '"
            + arn + "'");
      }
      role = arn;
    }

    void roleSession(String sessionNameSource, String sessionName, String durationSource, String duration,
        String refreshSource, String refreshAhead) {
      if (!sessionName.matches("[\\w+=,.@-]{2,64}")) {
        throw new AgentConfigException(sessionNameSource + " must be 2 to 64 of A-Z a-z 0-9 + = , . @ _ -, got '"
            + sessionName + "'");
      }
      roleSessionName = sessionName;
      roleDuration = duration(durationSource, duration);
      roleRefreshAhead = duration(refreshSource, refreshAhead);
      if (roleDuration.toSeconds() < 900 || roleDuration.toSeconds() > 43_200) {
        throw new AgentConfigException(durationSource + " must be between 15m and 12h, got '" + duration + "'");
      }
      if (roleRefreshAhead.compareTo(roleDuration) >= 0) {
        throw new AgentConfigException(refreshSource + " must be shorter than roleDuration, got '" + refreshAhead
            + "'");
      }
    }

    /**
     * The token the sidecar gave this pod or host ({@code stowaway token create}, or a seeded file):
     * the value itself, or {@code file://PATH} to read it from, as AWS's agent takes its token.
     */
    void token(String name, String value) {
      if (value == null || value.isEmpty()) {
        return;
      }
      String t = value;
      if (value.startsWith("file://")) {
        java.nio.file.Path file = java.nio.file.Path.of(value.substring("file://".length()));
        try {
          t = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8).trim();
        } catch (java.io.IOException | RuntimeException e) {
          throw new AgentConfigException(name + ": cannot read the token from " + file + " ("
              + e.getClass().getSimpleName() + ")");
        }
      }
      if (t.isEmpty()) {
        throw new AgentConfigException(name + " gives an empty token");
      }
      token = t;
    }

    /** At most a few minutes: a connecting thread is held for up to this long. */
    void retryWindow(String name, String value) {
      Duration d = duration(name, value);
      if (d.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new AgentConfigException(name + " must be at most 5m (a connecting thread waits that long), got '"
            + value + "'");
      }
      retryWindow = d;
    }

    AgentConfig build() {
      if (token != null && role != null) {
        throw new AgentConfigException("role needs AWS credentials to assume it with; with a token the sidecar "
            + "already knows who the application is: set one of token and role");
      }
      return new AgentConfig(endpoint, ttl, failOnError, maxStale, region, role, roleSessionName, roleDuration,
          roleRefreshAhead, token, retryWindow);
    }

    /** {@code 300}, {@code 300s}, {@code 250ms}, {@code 5m}, {@code 1h} or ISO-8601 {@code PT5M}. */
    static Duration duration(String name, String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        Duration d;
        if (v.startsWith("pt")) {
          d = Duration.parse(v);
        } else if (v.endsWith("ms")) {
          d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        } else if (v.endsWith("s")) {
          d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        } else if (v.endsWith("m")) {
          d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        } else if (v.endsWith("h")) {
          d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
        } else {
          d = Duration.ofSeconds(Long.parseLong(v));
        }
        if (d.isNegative()) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException | DateTimeParseException e) {
        throw new AgentConfigException(name + " must be a duration such as 300s, 5m or 1h, got '" + value + "'");
      }
    }
  }
}
