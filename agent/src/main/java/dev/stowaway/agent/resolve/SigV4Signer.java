package dev.stowaway.agent.resolve;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * AWS Signature Version 4 for the agent's own requests: JDK only, so no logging framework comes
 * into the application's JVM. Signs every header it is given; tested against the AWS SDK's signer.
 */
public final class SigV4Signer {

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

  private final String region;
  private final String service;

  public SigV4Signer(String region, String service) {
    this.region = region;
    this.service = service;
  }

  /**
   * Returns the headers to send: {@code headers} plus X-Amz-Date, X-Amz-Content-Sha256,
   * X-Amz-Security-Token (with session credentials) and Authorization. {@code headers} must include
   * Host; {@code path} must already be canonical (the agent only ever posts to "/").
   */
  public Map<String, String> sign(String method, String path, Map<String, String> headers, byte[] body,
      AwsCredentials credentials, Instant now) {
    String amzDate = AMZ_DATE.format(now);
    String date = amzDate.substring(0, 8);
    String payloadHash = hex(sha256(body));
    TreeMap<String, String> signed = new TreeMap<>();
    headers.forEach((k, v) -> signed.put(k.toLowerCase(Locale.ROOT), v.strip().replaceAll(" +", " ")));
    signed.put("x-amz-date", amzDate);
    signed.put("x-amz-content-sha256", payloadHash); // as the AWS SDK sends it
    if (credentials.sessionToken() != null) {
      signed.put("x-amz-security-token", credentials.sessionToken());
    }
    StringBuilder canonical = new StringBuilder(method).append('\n').append(path).append("\n\n");
    signed.forEach((k, v) -> canonical.append(k).append(':').append(v).append('\n'));
    String signedHeaders = String.join(";", signed.keySet());
    canonical.append('\n').append(signedHeaders).append('\n').append(payloadHash);
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    String signature = hex(signature(credentials.secretAccessKey(), date, stringToSign));
    Map<String, String> out = new TreeMap<>(headers);
    out.put("X-Amz-Date", amzDate);
    out.put("X-Amz-Content-Sha256", payloadHash);
    if (credentials.sessionToken() != null) {
      out.put("X-Amz-Security-Token", credentials.sessionToken());
    }
    out.put("Authorization", "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId() + "/" + scope
        + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
    return out;
  }

  private byte[] signature(String secret, String date, String stringToSign) {
    byte[] key = ("AWS4" + secret).getBytes(StandardCharsets.UTF_8);
    byte[] kDate = HmacSha256.of(key, date);
    byte[] kRegion = HmacSha256.of(kDate, region);
    byte[] kService = HmacSha256.of(kRegion, service);
    byte[] kSigning = HmacSha256.of(kService, "aws4_request");
    try {
      return HmacSha256.of(kSigning, stringToSign);
    } finally {
      for (byte[] k : new byte[][] {key, kDate, kRegion, kService, kSigning}) {
        Arrays.fill(k, (byte) 0);
      }
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] data) {
    return digest().digest(data);
  }

  /** Lower-case hex (java.util.HexFormat is Java 17; the agent runs on 11). */
  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX_DIGITS[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX_DIGITS[bytes[i] & 0xf];
    }
    return new String(out);
  }
}
