package dev.stowaway.sidecar.iamquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.vault.identity.Totp;
import dev.stowaway.vault.testing.MutableClock;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The online guessing attacks: a caller holding a user's key but not its MFA device tries codes as
 * fast as it can, and a caller without the secret tries signatures, over the real wire.
 */
class OnlineGuessingIT {

  @TempDir
  Path dataDir;

  // near now, so that SDK signatures stay valid; moved by hand across the throttle's window
  private final MutableClock clock = new MutableClock(Instant.now());
  private final ObjectMapper json = new ObjectMapper();
  private RunningSidecar sidecar;
  private IamClient iam;
  private StsClient aliceSts;
  private String serial;
  private byte[] seed;

  @BeforeEach
  void aliceWithAnMfaDevice() {
    sidecar = RunningSidecar.in(dataDir, clock);
    iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
    iam.createUser(r -> r.userName("alice"));
    AccessKey key = iam.createAccessKey(r -> r.userName("alice")).accessKey();
    var device = iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("alice-phone")).virtualMFADevice();
    serial = device.serialNumber();
    seed = Base32.decode(device.base32StringSeed().asUtf8String());
    iam.enableMFADevice(r -> r.userName("alice").serialNumber(serial).authenticationCode1(code(-1))
        .authenticationCode2(code(0)));
    clock.advance(Duration.ofSeconds(30)); // the enabling codes are spent
    aliceSts = StsClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(),
            key.secretAccessKey())))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  @AfterEach
  void stop() {
    aliceSts.close();
    iam.close();
    sidecar.close();
  }

  private String code(long stepsFromNow) {
    return Totp.code(seed, Totp.step(clock.millis()) + stepsFromNow);
  }

  private String wrongCode(int n) {
    List<String> valid = List.of(code(-1), code(0), code(1));
    String guess = String.format("%06d", n);
    return valid.contains(guess) ? String.format("%06d", 999_999 - n) : guess;
  }

  private AwsServiceException refused(String code) {
    return assertThrows(AwsServiceException.class,
        () -> aliceSts.getSessionToken(r -> r.durationSeconds(900).serialNumber(serial).tokenCode(code)));
  }

  @Test
  void guessingCodesIsThrottledAfterFiveAndTheRightCodeIsRefusedWhileItIs() {
    for (int i = 0; i < 5; i++) {
      assertEquals("AccessDenied", refused(wrongCode(i)).awsErrorDetails().errorCode(), "guess " + (i + 1));
    }
    for (int i = 5; i < 100; i++) {
      AwsServiceException throttled = refused(wrongCode(i));
      assertEquals("Throttling", throttled.awsErrorDetails().errorCode(), "guess " + (i + 1));
      assertEquals(400, throttled.statusCode());
      assertEquals("Rate exceeded", throttled.awsErrorDetails().errorMessage());
    }
    assertEquals("Throttling", refused(code(0)).awsErrorDetails().errorCode(), "the right code while throttled");
  }

  @Test
  void theThrottleLiftsAfterFiveMinutes() {
    for (int i = 0; i < 6; i++) {
      refused(wrongCode(i));
    }
    clock.advance(Duration.ofMinutes(5));
    String code = code(0);
    assertNotNull(aliceSts.getSessionToken(r -> r.durationSeconds(900).serialNumber(serial).tokenCode(code))
        .credentials().accessKeyId());
  }

  @Test
  void eachWrongCodeIsAuditedAndThrottledCallsSayWhy() {
    for (int i = 0; i < 7; i++) {
      refused(wrongCode(i));
    }
    List<JsonNode> records = AuditRecords.in(dataDir);
    List<JsonNode> failures = records.stream()
        .filter(r -> r.path("eventName").asText().equals("MFAAuthenticationFailed")).toList();
    assertEquals(5, failures.size(), "one per code checked; refusals while throttled check none");
    JsonNode last = failures.get(4);
    assertEquals("AwsServiceEvent", last.path("eventType").asText());
    assertEquals("sts.amazonaws.com", last.path("eventSource").asText());
    assertEquals(serial, last.path("resources").path(0).path("ARN").asText());
    assertEquals("GetSessionToken", last.path("serviceEventDetails").path("operation").asText());
    assertEquals("arn:aws:iam::123456789012:user/alice",
        last.path("serviceEventDetails").path("principalArn").asText());
    assertTrue(last.path("serviceEventDetails").path("throttled").asBoolean());
    assertFalse(failures.get(3).path("serviceEventDetails").path("throttled").asBoolean());
    for (int i = 0; i < 7; i++) {
      assertFalse(last.toString().contains(wrongCode(i)), "a guessed code is in the audit record");
    }
    List<String> calls = records.stream().filter(r -> r.path("eventName").asText().equals("GetSessionToken"))
        .map(r -> r.path("errorCode").asText()).toList();
    assertEquals(List.of("AccessDenied", "AccessDenied", "AccessDenied", "AccessDenied", "AccessDenied",
        "Throttling", "Throttling"), calls);
  }

  @Test
  void aRuleCanAlertOnWrongCodes() throws Exception {
    BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      received.add(json.readTree(exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    try (EventBridgeClient events = EventBridgeClient.builder().endpointOverride(sidecar.endpoint())
        .region(Region.US_EAST_1).credentialsProvider(sidecar.adminCredentials())
        .httpClient(UrlConnectionHttpClient.create()).build()) {
      events.putRule(r -> r.name("mfa-guessing").eventPattern("{\"detail-type\":[\"AWS Service Event via CloudTrail\"],"
          + "\"detail\":{\"eventName\":[\"MFAAuthenticationFailed\"]}}"));
      events.putTargets(r -> r.rule("mfa-guessing").targets(Target.builder().id("page")
          .arn("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook").build()));
      refused(wrongCode(0));
      JsonNode event = received.poll(30, TimeUnit.SECONDS);
      assertNotNull(event, "no alert arrived");
      assertEquals("aws.sts", event.path("source").asText());
      assertEquals("MFAAuthenticationFailed", event.path("detail").path("eventName").asText());
      assertEquals(List.of(serial), List.of(event.path("resources").path(0).asText()));
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void guessingSignaturesIsThrottledButTheRightSecretStillWorks() {
    String adminKey = sidecar.adminKey()[0];
    try (SecretsManagerClient guesser = SecretsManagerClient.builder().endpointOverride(sidecar.endpoint())
        .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(adminKey, "not-the-secret-not-the-secret-not-the-se")))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
         SecretsManagerClient admin = sidecar.client()) {
      for (int i = 0; i < 10; i++) {
        AwsServiceException e = assertThrows(AwsServiceException.class, () -> guesser.listSecrets(r -> { }));
        assertEquals("InvalidSignatureException", e.awsErrorDetails().errorCode(), "try " + (i + 1));
      }
      AwsServiceException throttled = assertThrows(AwsServiceException.class, () -> guesser.listSecrets(r -> { }));
      assertEquals("ThrottlingException", throttled.awsErrorDetails().errorCode());
      assertEquals(400, throttled.statusCode());
      assertEquals("Rate exceeded", throttled.awsErrorDetails().errorMessage());
      admin.listSecrets(r -> { }); // the key's owner is not locked out
      try (IamClient guessingIam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
          .credentialsProvider(StaticCredentialsProvider.create(
              AwsBasicCredentials.create(adminKey, "not-the-secret-not-the-secret-not-the-se")))
          .httpClient(UrlConnectionHttpClient.create())
          .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
        AwsServiceException query = assertThrows(AwsServiceException.class, () -> guessingIam.listUsers());
        assertEquals("Throttling", query.awsErrorDetails().errorCode());
      }
      clock.advance(Duration.ofMinutes(1));
      AwsServiceException after = assertThrows(AwsServiceException.class, () -> guesser.listSecrets(r -> { }));
      assertEquals("InvalidSignatureException", after.awsErrorDetails().errorCode());
    }
  }
}
