package dev.stowaway.sidecar.config;

import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An operator's allow-list of the places the sidecar may reach out to because an API call asked
 * it to (a rotator's database, a webhook, an event target). Request data never chooses a
 * destination on its own: it names one, and the sidecar goes there only if a pattern here allows
 * it. Patterns are {@code SCHEME://HOST:PORT[/PATH]} with {@code *} for any scheme (network ones
 * only), any host (a whole {@code *}) or any run of characters within one label of a host name or
 * address ({@code *.db.internal}, {@code 10.0.0.*}), any port or any path rest, and {@code h2:GLOB} for H2 database
 * files ({@code /srv/h2/*} one directory, {@code /srv/h2/**} below it).
 */
public record Destinations(String setting, List<String> patterns) {

  /** Loopback, whatever the engine or protocol: the default of both allow-lists. */
  public static final String LOOPBACK = "*://127.0.0.1:*,*://localhost:*,*://[::1]:*";

  private static final Pattern NETWORK =
      Pattern.compile("(\\*|[a-z][a-z0-9+.-]*)://(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9*._-]+)(?::(\\*|\\d{1,5}))?(/.*)?");

  public Destinations {
    patterns = List.copyOf(patterns);
    for (String pattern : patterns) {
      if (pattern.startsWith("h2:")) {
        if (!pattern.startsWith("h2:/")) {
          throw new ConfigException("--" + setting + ": '" + pattern + "' must name an absolute path pattern, as in "
              + "h2:/srv/h2/**");
        }
      } else if (!NETWORK.matcher(pattern).matches()) {
        throw new ConfigException("--" + setting + ": '" + pattern + "' is not a destination pattern (use "
            + "SCHEME://HOST:PORT such as postgresql://10.0.0.5:5432 or *://127.0.0.1:*, or h2:/PATH-GLOB)");
      }
    }
  }

  /** A comma-separated list as the settings carry it; blank means nothing is allowed. */
  public static Destinations parse(String setting, String list) {
    List<String> patterns = new ArrayList<>();
    for (String part : (list == null ? "" : list).split(",")) {
      if (!part.isBlank()) {
        patterns.add(part.strip());
      }
    }
    return new Destinations(setting, patterns);
  }

  /** Whether a network destination may be reached: {@code scheme} such as postgresql or https. */
  public boolean allows(String scheme, String host, int port, String path) {
    String h = unbracketed(host).toLowerCase(Locale.ROOT);
    for (String pattern : patterns) {
      Matcher m = NETWORK.matcher(pattern);
      if (!m.matches()) {
        continue;
      }
      int patternPort = m.group(3) == null ? defaultPort(m.group(1).equals("*") ? scheme : m.group(1))
          : m.group(3).equals("*") ? -1 : Integer.parseInt(m.group(3));
      if ((m.group(1).equals("*") || m.group(1).equals(scheme))
          && (m.group(2).equals("*") || glob(unbracketed(m.group(2)).toLowerCase(Locale.ROOT), h, "[^.]*"))
          && (patternPort == -1 || patternPort == port)
          && (m.group(4) == null || glob(m.group(4), path == null || path.isEmpty() ? "/" : path, ".*"))) {
        return true;
      }
    }
    return false;
  }

  /** Whether an http(s) URL may be called; anything that is not a plain http(s) URL is not. */
  public boolean allowsUrl(URI given) {
    URI url = given.normalize();
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.getRawUserInfo() != null) {
      return false;
    }
    String raw = url.getRawPath() == null ? "" : url.getRawPath().toLowerCase(Locale.ROOT);
    if (raw.contains("%2e") || raw.contains("%2f") || raw.contains("%5c") || raw.contains(";") || raw.contains("\\")) {
      return false; // dots, slashes or path parameters a server may resolve out of the allowed path
    }
    int port = url.getPort() == -1 ? defaultPort(scheme) : url.getPort();
    return allows(scheme, url.getHost(), port, url.getRawPath());
  }

  /** Whether an H2 database file (absolute, normalized) may be opened. */
  public boolean allowsH2(Path file) {
    for (String pattern : patterns) {
      if (pattern.startsWith("h2:/")) {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern.substring(3));
        if (matcher.matches(file)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A URL as a refusal may show it, in an answer, a log line or an audit record: without user info
   * or query, which may hold a credential (a webhook's token).
   */
  public static String shown(URI url) {
    return (url.getScheme() == null ? "" : url.getScheme() + "://") + (url.getHost() == null ? "?" : url.getHost())
        + (url.getPort() == -1 ? "" : ":" + url.getPort()) + (url.getRawPath() == null ? "" : url.getRawPath());
  }

  /** The refusal for a destination not listed: names the setting, so an operator knows what to change. */
  public String refusal(String destination) {
    return destination + " is not in " + setting + " (" + (patterns.isEmpty() ? "empty" : String.join(",", patterns))
        + "); an operator allows it with --" + setting + " or STOWAWAY_" + setting.toUpperCase(Locale.ROOT)
        .replace('-', '_');
  }

  static int defaultPort(String scheme) {
    return switch (scheme) {
      case "postgresql" -> 5432;
      case "mariadb", "mysql" -> 3306;
      case "http" -> 80;
      case "https" -> 443;
      default -> -1;
    };
  }

  private static String unbracketed(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /**
   * {@code *} matches what {@code star} does (in a host, one label: {@code 10.0.0.*} must not match
   * {@code 10.0.0.5.attacker.example}); everything else matches itself.
   */
  private static boolean glob(String pattern, String value, String star) {
    String[] parts = pattern.split("\\*", -1);
    StringBuilder regex = new StringBuilder(Pattern.quote(parts[0]));
    for (int i = 1; i < parts.length; i++) {
      regex.append(star).append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(value).matches();
  }
}
