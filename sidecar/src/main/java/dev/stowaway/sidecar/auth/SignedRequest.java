package dev.stowaway.sidecar.auth;

import java.util.List;
import java.util.Map;

/**
 * The parts of an HTTP request that SigV4 covers, as received.
 *
 * @param rawPath the path exactly as sent (still percent-encoded), without the query
 * @param rawQuery the query string exactly as sent, or empty
 * @param headers header values by lower-case name
 */
public record SignedRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {

  public String header(String lowerCaseName) {
    List<String> values = headers.get(lowerCaseName);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
