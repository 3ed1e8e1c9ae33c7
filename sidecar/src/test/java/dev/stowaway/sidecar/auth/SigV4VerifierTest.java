package dev.stowaway.sidecar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.sidecar.testing.SignedHttp;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.identity.NewAccessKey;
import dev.stowaway.vault.identity.Principal;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our verifier against signatures made by the AWS SDK's own signer. */
class SigV4VerifierTest {

  private static final byte[] BODY = "{\"SecretId\":\"prod/db\"}".getBytes(StandardCharsets.UTF_8);
  private static final Map<String, String> JSON_HEADERS = Map.of(
      "Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", "secretsmanager.GetSecretValue");

  private final MutableClock clock = MutableClock.at("2026-05-01T12:00:00Z");
  private final Vault vault = TestVaults.inMemory(clock);
  private final NewAccessKey key = adminKey(vault);
  private final SigV4Verifier verifier = new SigV4Verifier(vault.accessKeys(), clock, "us-east-1");

  /** Keys belong to a user that exists (by its unique id): the administrator, as a fresh data directory has. */
  private static NewAccessKey adminKey(Vault vault) {
    vault.identity().ensureAdministrator("admin");
    return vault.accessKeys().create("admin");
  }

  @AfterEach
  void close() {
    vault.close();
  }

  private SignedRequest signed(String method, String uri, Map<String, String> headers, byte[] body, String secret,
      String region, String service, Clock signingClock) {
    URI target = URI.create(uri);
    Map<String, List<String>> sent = SignedHttp.sign(method, target, headers, body, key.accessKeyId(), secret, region,
        service, signingClock);
    Map<String, List<String>> lower = new LinkedHashMap<>();
    sent.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    return new SignedRequest(method, target.getRawPath(), target.getRawQuery(), lower, body);
  }

  private SignedRequest post(byte[] body) {
    return signed("POST", "http://127.0.0.1:2773/", JSON_HEADERS, body, key.secretAccessKey(), "us-east-1",
        "secretsmanager", clock);
  }

  private AwsError refused(SignedRequest request) {
    return assertThrows(AwsError.class, () -> verifier.verify(request, "secretsmanager"));
  }

  @Test
  void sdkSignedPostIsTheAdministrator() {
    Principal p = verifier.verify(post(BODY), "secretsmanager");
    assertEquals(new Principal("admin", "arn:aws:iam::123456789012:user/admin", key.accessKeyId()), p);
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "  padded  ", "runs   of    spaces", " a  b c  "})
  void sdkSignedHeaderValuesAreTrimmedAndTheirSpaceRunsSqueezedAsTheSdkDoes(String value) {
    Map<String, String> headers = new LinkedHashMap<>(JSON_HEADERS);
    headers.put("X-Amz-Meta-Note", value);
    SignedRequest request = signed("POST", "http://127.0.0.1:2773/", headers, BODY, key.secretAccessKey(), "us-east-1",
        "secretsmanager", clock);
    assertTrue(request.headers().get("authorization").get(0).contains("x-amz-meta-note"), "the header is signed");
    assertEquals("admin", verifier.verify(request, "secretsmanager").userName());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/secretsmanager/get?secretId=prod%2Fdb",
      "/secretsmanager/get?secretId=a%20b&versionStage=AWSCURRENT",
      "/v1/prod%2Fdb?z=1&a=2&a=1",
      "/secretsmanager/get?secretId=%C3%BCml%C3%A4ut%2B%3D",
      "/path/with-%7Etilde_and.dots?empty=&flag"})
  void sdkSignedGetWithEncodedPathAndQueryVerifies(String pathAndQuery) {
    SignedRequest request = signed("GET", "http://127.0.0.1:2773" + pathAndQuery, Map.of(), new byte[0],
        key.secretAccessKey(), "us-east-1", "secretsmanager", clock);
    assertEquals("admin", verifier.verify(request, "secretsmanager").userName());
  }

  @Test
  void changedBodyIsInvalidSignature() {
    SignedRequest good = post(BODY);
    SignedRequest tampered = new SignedRequest(good.method(), good.rawPath(), good.rawQuery(), good.headers(),
        "{\"SecretId\":\"prod/dc\"}".getBytes(StandardCharsets.UTF_8));
    AwsError e = refused(tampered);
    assertEquals("InvalidSignatureException", e.type());
    assertEquals("The request signature we calculated does not match the signature you provided. Check your AWS "
        + "Secret Access Key and signing method. Consult the service documentation for details.", e.getMessage());
  }

  private SignedRequest withWrongSecret() {
    return signed("POST", "http://127.0.0.1:2773/", JSON_HEADERS, BODY, "not-the-secret", "us-east-1",
        "secretsmanager", clock);
  }

  @Test
  void afterTenFailedSignaturesAKeyIdsFailuresAreThrottled() {
    for (int i = 0; i < SigV4Verifier.SIGNATURE_FAILURES.failures(); i++) {
      assertEquals("InvalidSignatureException", refused(withWrongSecret()).type(), "failure " + (i + 1));
    }
    AwsError throttled = refused(withWrongSecret());
    assertEquals("ThrottlingException", throttled.type());
    assertEquals(400, throttled.status());
    assertEquals("Rate exceeded", throttled.getMessage());
  }

  @Test
  void aCorrectSignatureIsServedWhileItsKeyIdIsThrottled() {
    for (int i = 0; i <= SigV4Verifier.SIGNATURE_FAILURES.failures(); i++) {
      refused(withWrongSecret());
    }
    assertEquals("admin", verifier.verify(post(BODY), "secretsmanager").userName());
  }

  @Test
  void theSignatureThrottleLiftsAfterItsWindow() {
    for (int i = 0; i <= SigV4Verifier.SIGNATURE_FAILURES.failures(); i++) {
      refused(withWrongSecret());
    }
    clock.advance(SigV4Verifier.SIGNATURE_FAILURES.window());
    assertEquals("InvalidSignatureException", refused(withWrongSecret()).type());
  }

  @Test
  void unknownKeyIdsAreCountedToo() {
    Map<String, List<String>> sent = SignedHttp.sign("POST", URI.create("http://127.0.0.1:2773/"), JSON_HEADERS, BODY,
        "AKIAUNKNOWNUNKNOWN00", "x", "us-east-1", "secretsmanager", clock);
    Map<String, List<String>> lower = new LinkedHashMap<>();
    sent.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    SignedRequest unknown = new SignedRequest("POST", "/", null, lower, BODY);
    for (int i = 0; i < SigV4Verifier.SIGNATURE_FAILURES.failures(); i++) {
      assertEquals("UnrecognizedClientException", refused(unknown).type());
    }
    assertEquals("ThrottlingException", refused(unknown).type());
  }

  @Test
  void wrongSecretKeyIsInvalidSignature() {
    AwsError e = refused(signed("POST", "http://127.0.0.1:2773/", JSON_HEADERS, BODY, "not-the-secret", "us-east-1",
        "secretsmanager", clock));
    assertEquals("InvalidSignatureException", e.type());
  }

  @Test
  void aKeyMadeInactiveIsRefusedThoughItsSigningKeyWasKept() {
    SignedRequest request = post(BODY);
    assertEquals("admin", verifier.verify(request, "secretsmanager").userName());
    vault.identity().updateAccessKey("admin", key.accessKeyId(), "Inactive");
    assertEquals("UnrecognizedClientException", refused(request).type());
    vault.identity().updateAccessKey("admin", key.accessKeyId(), "Active");
    assertEquals("admin", verifier.verify(request, "secretsmanager").userName());
  }

  @Test
  void aDeletedKeyIsRefusedThoughItsSigningKeyWasKept() {
    SignedRequest request = post(BODY);
    assertEquals("admin", verifier.verify(request, "secretsmanager").userName());
    vault.identity().deleteAccessKey("admin", key.accessKeyId());
    assertEquals("UnrecognizedClientException", refused(request).type());
  }

  @Test
  void theKeptSigningKeyStillRefusesAChangedBody() {
    SignedRequest good = post(BODY);
    verifier.verify(good, "secretsmanager");
    SignedRequest tampered = new SignedRequest(good.method(), good.rawPath(), good.rawQuery(), good.headers(),
        "{\"SecretId\":\"prod/dc\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals("InvalidSignatureException", refused(tampered).type());
    assertEquals("admin", verifier.verify(good, "secretsmanager").userName());
  }

  @Test
  void unknownAccessKeyIsUnrecognizedClient() {
    SignedRequest good = post(BODY);
    Map<String, List<String>> headers = new LinkedHashMap<>(good.headers());
    headers.put("authorization", List.of(good.header("authorization").replace(key.accessKeyId(), "AKIAUNKNOWNUNKNOWN00")));
    AwsError e = refused(new SignedRequest("POST", "/", null, headers, BODY));
    assertEquals("UnrecognizedClientException", e.type());
    assertEquals("The security token included in the request is invalid.", e.getMessage());
  }

  @Test
  void signatureOlderThanFifteenMinutesHasExpired() {
    MutableClock past = MutableClock.at("2026-05-01T11:44:59Z");
    AwsError e = refused(signed("POST", "http://127.0.0.1:2773/", JSON_HEADERS, BODY, key.secretAccessKey(),
        "us-east-1", "secretsmanager", past));
    assertEquals("InvalidSignatureException", e.type());
    assertEquals("Signature expired: 20260501T114459Z is now earlier than 20260501T114500Z "
        + "(20260501T120000Z - 15 min.)", e.getMessage());
  }

  @Test
  void signatureFromFourteenMinutesAgoIsAccepted() {
    MutableClock past = MutableClock.at("2026-05-01T12:00:00Z");
    past.advance(Duration.ofMinutes(-14));
    assertEquals("admin", verifier.verify(signed("POST", "http://127.0.0.1:2773/", JSON_HEADERS, BODY,
        key.secretAccessKey(), "us-east-1", "secretsmanager", past), "secretsmanager").userName());
  }

  @Test
  void signatureFromTheFutureIsNotYetCurrent() {
    MutableClock future = MutableClock.at("2026-05-01T12:15:01Z");
    AwsError e = refused(signed("POST", "http://127.0.0.1:2773/", JSON_HEADERS, BODY, key.secretAccessKey(),
        "us-east-1", "secretsmanager", future));
    assertEquals("Signature not yet current: 20260501T121501Z is still later than 20260501T121500Z "
        + "(20260501T120000Z + 15 min.)", e.getMessage());
  }

  @Test
  void credentialForAnotherRegionIsRefused() {
    AwsError e = refused(signed("POST", "http://127.0.0.1:2773/", JSON_HEADERS, BODY, key.secretAccessKey(),
        "eu-west-1", "secretsmanager", clock));
    assertEquals("InvalidSignatureException", e.type());
    assertEquals("Credential should be scoped to a valid region. This sidecar serves region 'us-east-1', not "
        + "'eu-west-1'.", e.getMessage());
  }

  @Test
  void credentialForAnotherServiceIsRefused() {
    AwsError e = refused(signed("POST", "http://127.0.0.1:2773/", JSON_HEADERS, BODY, key.secretAccessKey(),
        "us-east-1", "kms", clock));
    assertEquals("Credential should be scoped to correct service: 'secretsmanager'. ", e.getMessage());
  }

  @Test
  void unsignedRequestIsMissingAuthenticationToken() {
    AwsError e = refused(new SignedRequest("POST", "/", null, Map.of("host", List.of("127.0.0.1")), BODY));
    assertEquals("MissingAuthenticationTokenException", e.type());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "AWS4-HMAC-SHA256 Credential=AKIA/20260501/us-east-1/secretsmanager/aws4_request",
      "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc",
      "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=abc"})
  void incompleteAuthorizationHeaderIsIncompleteSignature(String authorization) {
    Map<String, List<String>> headers = Map.of("authorization", List.of(authorization),
        "x-amz-date", List.of("20260501T120000Z"), "host", List.of("127.0.0.1"));
    AwsError e = refused(new SignedRequest("POST", "/", null, headers, BODY));
    assertEquals("IncompleteSignatureException", e.type());
  }

  @Test
  void otherAlgorithmIsRefusedByName() {
    Map<String, List<String>> headers = Map.of("authorization", List.of("AWS3 Credential=x"),
        "x-amz-date", List.of("20260501T120000Z"), "host", List.of("127.0.0.1"));
    AwsError e = refused(new SignedRequest("POST", "/", null, headers, BODY));
    assertEquals("Unsupported AWS 'algorithm': 'AWS3'. Only AWS4-HMAC-SHA256 is supported.", e.getMessage());
  }
}
