package dev.stowaway.sidecar.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Signs a request as the SDKs do, for the sidecar's own command line ({@code stowaway backup})
 * talking to a running sidecar with the administrator's key. The same canonical form the
 * verifier checks, so both sides cannot drift apart.
 */
public final class SigV4Signer {

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private SigV4Signer() {}

  /**
   * The headers to send: those given plus {@code host}, {@code x-amz-date} and
   * {@code Authorization}. {@code secret} is not kept.
   */
  public static Map<String, String> sign(String method, String host, String rawPath, Map<String, String> headers,
      byte[] body, String accessKeyId, byte[] secret, String region, String service, Instant now) {
    String amzDate = AMZ_DATE.format(now);
    String date = amzDate.substring(0, 8);
    Map<String, String> all = new TreeMap<>();
    headers.forEach((k, v) -> all.put(k.toLowerCase(java.util.Locale.ROOT), v));
    all.put("host", host);
    all.put("x-amz-date", amzDate);
    Map<String, List<String>> asReceived = new LinkedHashMap<>();
    all.forEach((k, v) -> asReceived.put(k, List.of(v)));
    List<String> signed = new ArrayList<>(all.keySet());
    String canonical = SigV4Canonicalizer.canonicalRequest(new SignedRequest(method, rawPath, "", asReceived, body),
        signed);
    String scope = date + '/' + region + '/' + service + "/aws4_request";
    String stringToSign = SigV4Verifier.ALGORITHM + '\n' + amzDate + '\n' + scope + '\n'
        + SigV4Canonicalizer.hex(SigV4Canonicalizer.sha256(canonical.getBytes(StandardCharsets.UTF_8)));
    String signature = SigV4Canonicalizer.hex(SigV4Verifier.signature(secret, date, region, service, stringToSign));
    Map<String, String> out = new LinkedHashMap<>(all);
    out.remove("host"); // the HTTP client sets it, to the same value
    out.put("Authorization", SigV4Verifier.ALGORITHM + " Credential=" + accessKeyId + '/' + scope
        + ", SignedHeaders=" + String.join(";", signed) + ", Signature=" + signature);
    return out;
  }
}
