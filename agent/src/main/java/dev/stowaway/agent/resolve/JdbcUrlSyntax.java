package dev.stowaway.agent.resolve;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * How a value is written where a placeholder sits in a JDBC URL, so that the driver reads back that
 * exact value. Each driver parses its own URLs (read from their sources):
 * <ul>
 *   <li>pgjdbc and MySQL Connector/J split the query string on {@code &} and percent-decode each
 *       value ({@code URLDecoder}; MySQL keeps a {@code +}): a value there is percent-encoded.</li>
 *   <li>MariaDB Connector/J splits its query string on {@code &} and decodes nothing: a value goes in
 *       as it is, and one holding {@code &} cannot be written there at all.</li>
 *   <li>H2 splits its {@code ;KEY=VALUE} settings on {@code ;} and takes a backslash as an escape for
 *       the next character: {@code \} and {@code ;} in a value are escaped.</li>
 * </ul>
 * Before the query string (or H2's settings) a placeholder stands for a host, a database, or the whole
 * URL, and its value goes in as it is; so it does for drivers not named here.
 */
enum JdbcUrlSyntax {
  VERBATIM('\0'),
  PERCENT_ENCODED_QUERY('?'),
  MARIADB_QUERY('?'),
  H2_SETTINGS(';');

  private final char settingsStart;

  JdbcUrlSyntax(char settingsStart) {
    this.settingsStart = settingsStart;
  }

  /** The syntax of the driver class (binary or internal name) that parses the URL. */
  static JdbcUrlSyntax ofDriver(String driverClass) {
    String name = driverClass == null ? "" : driverClass.replace('/', '.');
    if (name.startsWith("org.postgresql.") || name.startsWith("com.mysql.")) {
      return PERCENT_ENCODED_QUERY;
    }
    if (name.startsWith("org.mariadb.")) {
      return MARIADB_QUERY;
    }
    if (name.startsWith("org.h2.")) {
      return H2_SETTINGS;
    }
    return VERBATIM;
  }

  /** A value this syntax cannot carry where its placeholder sits; the message names the reference only. */
  static final class UnwritableValueException extends RuntimeException {
    UnwritableValueException(String message) {
      super(message, null, false, false);
    }
  }

  /** {@code url} with each placeholder replaced by its value, written for where it sits. */
  String write(String url, List<Placeholder> placeholders, Function<Placeholder, String> values) {
    if (this == MARIADB_QUERY && !url.startsWith("jdbc:mariadb:") && !url.contains("permitMysqlScheme")) {
      return VERBATIM.write(url, placeholders, values); // a URL MariaDB Connector/J declines: nothing to refuse
    }
    int settings = settingsStart(url, placeholders);
    StringBuilder out = new StringBuilder(url.length());
    int at = 0;
    for (Placeholder p : placeholders) {
      out.append(url, at, p.start());
      String value = values.apply(p);
      out.append(p.start() > settings ? inSettings(value, p) : value);
      at = p.end();
    }
    return out.append(url, at, url.length()).toString();
  }

  /** Where the settings begin: the first settingsStart character outside a placeholder; MAX_VALUE if none. */
  private int settingsStart(String url, List<Placeholder> placeholders) {
    if (this == VERBATIM) {
      return Integer.MAX_VALUE;
    }
    int from = 0;
    for (Placeholder p : placeholders) {
      int i = url.indexOf(settingsStart, from);
      if (i >= 0 && i < p.start()) {
        return i;
      }
      from = p.end();
    }
    int i = url.indexOf(settingsStart, from);
    return i < 0 ? Integer.MAX_VALUE : i;
  }

  private String inSettings(String value, Placeholder p) {
    switch (this) {
      case PERCENT_ENCODED_QUERY:
        return percentEncoded(value);
      case MARIADB_QUERY:
        if (value.indexOf('&') >= 0) {
          throw new UnwritableValueException("{{resolve:" + p.reference() + "}}: its value holds '&', which a "
              + "MariaDB Connector/J URL's query string cannot carry (the driver splits it on '&' and decodes "
              + "nothing); give it as a connection property (user, password) or through the DataSource's setter");
        }
        return value;
      case H2_SETTINGS:
        return value.replace("\\", "\\\\").replace(";", "\\;");
      default:
        return value;
    }
  }

  /** Every byte of the UTF-8 form but RFC 3986's unreserved characters as %XX. */
  static String percentEncoded(String value) {
    StringBuilder out = new StringBuilder(value.length() * 3);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return out.toString();
  }
}
