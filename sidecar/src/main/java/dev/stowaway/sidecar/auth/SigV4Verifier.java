package dev.stowaway.sidecar.auth;

import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.vault.identity.AccessKeys;
import dev.stowaway.vault.identity.ExpiredCredentialsException;
import dev.stowaway.vault.identity.FailedAttempts;
import dev.stowaway.vault.identity.Principal;
import dev.stowaway.vault.identity.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 on a request: the header's shape, the credential scope
 * (date, region, service), AWS's 15-minute window on the request time, and the signature itself,
 * compared in constant time. Answers with AWS's error types and messages.
 *
 * <p>Failed checks (a wrong signature, an unknown key) are counted per access key id. Once a key id
 * has had too many lately, a request with it that fails again is answered {@code ThrottlingException}
 * instead, so the verifier stops answering guesses; a request whose signature verifies is always
 * served. Refusing those too would let anyone who has seen an access key id (it is in every request
 * and log line, and is no secret) lock its owner out, and guessing a 40-character secret is hopeless
 * anyway: the throttle limits what failures tell and cost, and says that someone is trying.
 */
public final class SigV4Verifier {

  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final Duration MAX_SKEW = Duration.ofMinutes(15);
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String SIGNATURE_MISMATCH = "The request signature we calculated does not match "
      + "the signature you provided. Check your AWS Secret Access Key and signing method. Consult the "
      + "service documentation for details.";

  private final AccessKeys accessKeys;
  private final Clock clock;
  private final String region;
  /** Ten failed checks per access key id a minute: plenty for a misconfigured client to be seen. */
  public static final FailedAttempts.Limit SIGNATURE_FAILURES = new FailedAttempts.Limit(10, Duration.ofMinutes(1));
  /** Access key ids are 20 characters; a longer claimed one is counted by its first 128. */
  private static final int MAX_COUNTED_KEY_ID = 128;

  private final DerivedKeys derivedKeys = new DerivedKeys();
  private final FailedAttempts failures;

  public SigV4Verifier(AccessKeys accessKeys, Clock clock, String region) {
    this(accessKeys, clock, region, SIGNATURE_FAILURES);
  }

  public SigV4Verifier(AccessKeys accessKeys, Clock clock, String region, FailedAttempts.Limit signatureFailures) {
    this.accessKeys = accessKeys;
    this.clock = clock;
    this.region = region;
    this.failures = new FailedAttempts(signatureFailures, clock);
  }

  /** Returns who signed the request, or throws the AWS error that explains why not. */
  public Principal verify(SignedRequest request, String service) {
    return verify(request, service, null);
  }

  /**
   * As {@link #verify(SignedRequest, String)}, for a service signed for a region of its own
   * ({@code iam} is global: clients sign it for us-east-1); null means the sidecar's region.
   */
  public Principal verify(SignedRequest request, String service, String signingRegion) {
    String region = signingRegion != null ? signingRegion : this.region;
    String authorization = request.header("authorization");
    if (authorization == null) {
      throw AwsError.badRequest("MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    AuthorizationHeader header = AuthorizationHeader.parse(authorization);
    String amzDate = request.header("x-amz-date");
    Instant requestTime = requestTime(amzDate, request.header("date"));
    String[] scope = header.credential().split("/", -1);
    if (scope.length != 5) {
      throw AwsError.badRequest("IncompleteSignatureException", "Credential should be scoped to a valid "
          + "region, service and date, as ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request. ");
    }
    String accessKeyId = scope[0];
    String scopeDate = scope[1];
    String requestDate = AMZ_DATE.format(requestTime).substring(0, 8);
    if (!scopeDate.equals(requestDate)) {
      throw invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
          + "date from HTTP: '" + scopeDate + "' != '" + requestDate + "', from '" + AMZ_DATE.format(requestTime) + "'.");
    }
    // IAM is global: SDKs sign it for us-east-1, or for "aws-global" when given an endpoint override.
    boolean globalIam = service.equals("iam") && scope[2].equals("aws-global");
    if (!scope[2].equals(region) && !globalIam) {
      throw invalidSignature("Credential should be scoped to a valid region. This sidecar serves region '"
          + region + "', not '" + scope[2] + "'.");
    }
    if (!scope[3].equals(service)) {
      throw invalidSignature("Credential should be scoped to correct service: '" + service + "'. ");
    }
    if (!scope[4].equals("aws4_request")) {
      throw invalidSignature("Credential should be scoped with a valid terminator: 'aws4_request', not '"
          + scope[4] + "'. ");
    }
    checkWindow(requestTime);
    if (!header.signedHeaders().contains("host")) {
      throw invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    if (!header.signedHeaders().contains(amzDate != null ? "x-amz-date" : "date")) {
      throw invalidSignature("'X-Amz-Date' or 'Date' must be a 'SignedHeader' in the AWS Authorization.");
    }
    for (String name : header.signedHeaders()) {
      if (!request.headers().containsKey(name)) {
        throw invalidSignature("The signed header '" + name + "' is missing from the request.");
      }
    }
    String sessionToken = request.header("x-amz-security-token");
    Optional<Principal> principal;
    try {
      principal = accessKeys.principal(accessKeyId, sessionToken);
    } catch (ExpiredCredentialsException e) {
      throw AwsError.badRequest("ExpiredTokenException", e.getMessage());
    }
    byte[] signingKey = principal.isEmpty() ? null : derivedKeys.copy(
        new DerivedKeys.Scope(accessKeyId, scopeDate, scope[2], scope[3]),
        () -> derive(accessKeyId, sessionToken, scopeDate, scope[2], scope[3]));
    if (signingKey == null) {
      throw failed(accessKeyId, AwsError.badRequest("UnrecognizedClientException",
          "The security token included in the request is invalid."));
    }
    try {
      String canonical = SigV4Canonicalizer.canonicalRequest(request, header.signedHeaders());
      String stringToSign = ALGORITHM + '\n' + (amzDate != null ? amzDate : AMZ_DATE.format(requestTime)) + '\n'
          + scopeDate + '/' + scope[2] + '/' + scope[3] + "/aws4_request\n"
          + SigV4Canonicalizer.hex(SigV4Canonicalizer.sha256(canonical.getBytes(StandardCharsets.UTF_8)));
      byte[] expected = hmac(signingKey, stringToSign);
      byte[] provided = header.signature().getBytes(StandardCharsets.US_ASCII);
      byte[] expectedHex = SigV4Canonicalizer.hex(expected).getBytes(StandardCharsets.US_ASCII);
      if (!MessageDigest.isEqual(expectedHex, provided)) {
        throw failed(accessKeyId, invalidSignature(SIGNATURE_MISMATCH));
      }
      return principal.get();
    } finally {
      Arrays.fill(signingKey, (byte) 0);
    }
  }

  /** The error for a failed check: {@code error}, or throttling once the key id has failed too often. */
  private AwsError failed(String accessKeyId, AwsError error) {
    String key = accessKeyId.length() <= MAX_COUNTED_KEY_ID ? accessKeyId : accessKeyId.substring(0, MAX_COUNTED_KEY_ID);
    if (failures.isThrottled(key)) {
      return AwsError.badRequest("ThrottlingException", "Rate exceeded");
    }
    failures.fail(key);
    return error;
  }

  /** Unseals the key's secret and derives kSigning for the scope; null if the key is gone meanwhile. */
  private byte[] derive(String accessKeyId, String sessionToken, String date, String region, String service) {
    Optional<SigningKey> key;
    try {
      key = accessKeys.signingKey(accessKeyId, sessionToken);
    } catch (ExpiredCredentialsException e) {
      return null;
    }
    if (key.isEmpty()) {
      return null;
    }
    try (SigningKey secret = key.get()) {
      return signingKey(secret.secret(), date, region, service);
    }
  }

  private Instant requestTime(String amzDate, String date) {
    try {
      if (amzDate != null) {
        return AMZ_DATE.parse(amzDate, Instant::from);
      }
      if (date != null) {
        return ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      }
    } catch (DateTimeParseException e) {
      throw AwsError.badRequest("IncompleteSignatureException",
          "Date must be in ISO-8601 'basic format'. Got '" + (amzDate != null ? amzDate : date) + "'. See "
              + "http://en.wikipedia.org/wiki/ISO_8601");
    }
    throw AwsError.badRequest("IncompleteSignatureException",
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }

  private void checkWindow(Instant requestTime) {
    Instant now = clock.instant();
    if (requestTime.isBefore(now.minus(MAX_SKEW))) {
      throw invalidSignature("Signature expired: " + AMZ_DATE.format(requestTime) + " is now earlier than "
          + AMZ_DATE.format(now.minus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " - 15 min.)");
    }
    if (requestTime.isAfter(now.plus(MAX_SKEW))) {
      throw invalidSignature("Signature not yet current: " + AMZ_DATE.format(requestTime)
          + " is still later than " + AMZ_DATE.format(now.plus(MAX_SKEW)) + " (" + AMZ_DATE.format(now)
          + " + 15 min.)");
    }
  }

  /** The HMAC chain kSecret → date → region → service → aws4_request, giving kSigning. */
  static byte[] signingKey(byte[] secret, String date, String region, String service) {
    byte[] seed = new byte[4 + secret.length];
    seed[0] = 'A';
    seed[1] = 'W';
    seed[2] = 'S';
    seed[3] = '4';
    System.arraycopy(secret, 0, seed, 4, secret.length);
    byte[] kDate = hmac(seed, date);
    byte[] kRegion = hmac(kDate, region);
    byte[] kService = hmac(kRegion, service);
    try {
      return hmac(kService, "aws4_request");
    } finally {
      for (byte[] k : List.of(seed, kDate, kRegion, kService)) {
        Arrays.fill(k, (byte) 0);
      }
    }
  }

  /** The request signature: kSigning's HMAC of the string to sign. */
  static byte[] signature(byte[] secret, String date, String region, String service, String stringToSign) {
    byte[] signingKey = signingKey(secret, date, region, service);
    try {
      return hmac(signingKey, stringToSign);
    } finally {
      Arrays.fill(signingKey, (byte) 0);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static AwsError invalidSignature(String message) {
    return AwsError.badRequest("InvalidSignatureException", message);
  }

  /** {@code AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…}. */
  record AuthorizationHeader(String credential, List<String> signedHeaders, String signature) {

    static AuthorizationHeader parse(String value) {
      if (!value.startsWith(ALGORITHM + " ")) {
        String algorithm = value.split(" ", 2)[0];
        throw AwsError.badRequest("IncompleteSignatureException",
            "Unsupported AWS 'algorithm': '" + algorithm + "'. Only " + ALGORITHM + " is supported.");
      }
      Map<String, String> parts = new HashMap<>();
      for (String part : value.substring(ALGORITHM.length() + 1).split(",")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
      }
      for (String required : List.of("Credential", "SignedHeaders", "Signature")) {
        if (!parts.containsKey(required) || parts.get(required).isEmpty()) {
          throw AwsError.badRequest("IncompleteSignatureException", "Authorization header requires '"
              + required + "' parameter. Authorization header requires 'Credential', 'SignedHeaders' and "
              + "'Signature' parameters.");
        }
      }
      List<String> signed = Arrays.stream(parts.get("SignedHeaders").split(";"))
          .map(h -> h.toLowerCase(Locale.ROOT)).sorted().toList();
      return new AuthorizationHeader(parts.get("Credential"), signed, parts.get("Signature"));
    }
  }
}
