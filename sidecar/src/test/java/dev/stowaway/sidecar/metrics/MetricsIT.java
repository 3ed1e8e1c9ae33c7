package dev.stowaway.sidecar.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import dev.stowaway.vault.testing.Unwritable;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/** {@code GET /metrics} in Prometheus text format, counting what actually happened. */
class MetricsIT {

  @TempDir Path dataDir;
  private RunningSidecar sidecar;
  private SecretsManagerClient client;

  @BeforeEach
  void start() {
    // Prometheus scrapes the probe port: the API port serves no metrics unless asked to.
    sidecar = RunningSidecar.on(dataDir, Map.of("STOWAWAY_PROBE_PORT", "0", "STOWAWAY_PROBE_BIND", "127.0.0.1"));
    client = sidecar.client();
  }

  @AfterEach
  void stop() {
    client.close();
    sidecar.close();
  }

  private String scrape() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + sidecar.sidecar().probePort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
    return response.body();
  }

  private static long value(String metrics, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    assertTrue(m.find(), series + " is missing from\n" + metrics);
    return (long) Double.parseDouble(m.group(1));
  }

  @Test
  void requestsAreCountedByOperationAndOutcome() throws Exception {
    client.createSecret(r -> r.name("prod/db").secretString("v1"));
    client.putSecretValue(r -> r.secretId("prod/db").secretString("v2"));
    client.getSecretValue(r -> r.secretId("prod/db"));
    client.getSecretValue(r -> r.secretId("prod/db"));
    assertThrows(SecretsManagerException.class, () -> client.getSecretValue(r -> r.secretId("nope")));
    String metrics = scrape();
    assertEquals(2, value(metrics,
        "stowaway_requests_total{api=\"secretsmanager\",operation=\"GetSecretValue\",outcome=\"success\"}"));
    assertEquals(1, value(metrics, "stowaway_requests_total{api=\"secretsmanager\",operation=\"GetSecretValue\","
        + "outcome=\"ResourceNotFoundException\"}"));
    assertEquals(3, value(metrics,
        "stowaway_request_duration_seconds_count{api=\"secretsmanager\",operation=\"GetSecretValue\"}"));
    assertEquals(3, value(metrics, "stowaway_request_duration_seconds_bucket{api=\"secretsmanager\","
        + "operation=\"GetSecretValue\",le=\"+Inf\"}"));
    assertEquals(1, value(metrics, "stowaway_secrets"));
    assertEquals(2, value(metrics, "stowaway_secret_versions"));
    assertEquals(AuditRecords.in(dataDir).size(), value(metrics, "stowaway_audit_records_total"));
    assertTrue(value(metrics, "stowaway_audit_write_seconds_count") >= 1);
    assertEquals(0, value(metrics, "stowaway_audit_write_failures_total"));
    assertEquals(0, value(metrics, "stowaway_rotations_total{outcome=\"failed\"}"));
  }

  @Test
  void unknownOperationsShareOneSeries() throws Exception {
    String[] key = sidecar.adminKey();
    var uri = sidecar.endpoint().resolve("/");
    for (String op : new String[] {"Teleport", "Levitate"}) {
      byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
      var headers = SignedHttp.sign("POST", uri, Map.of("X-Amz-Target", "secretsmanager." + op,
          "Content-Type", "application/x-amz-json-1.1"), body, key[0], key[1], "us-east-1", "secretsmanager",
          Clock.systemUTC());
      SignedHttp.send("POST", uri, headers, body);
    }
    String metrics = scrape();
    assertEquals(2, value(metrics, "stowaway_requests_total{api=\"secretsmanager\",operation=\"unknown\","
        + "outcome=\"UnknownOperationException\"}"));
    try (var forger = sidecar.client(key[0], "not-the-secret-key")) {
      assertThrows(SecretsManagerException.class, () -> forger.listSecrets());
    }
    metrics = scrape();
    assertEquals(1, value(metrics, "stowaway_requests_total{api=\"secretsmanager\",operation=\"ListSecrets\","
        + "outcome=\"InvalidSignatureException\"}"));
    assertTrue(!metrics.contains("Teleport") && !metrics.contains("Levitate"), metrics);
  }

  @Test
  void auditFailuresShowWhileTheLogCannotBeWritten() throws Exception {
    client.createSecret(r -> r.name("prod/db").secretString("v1"));
    try (Unwritable locked = Unwritable.make(dataDir.resolve("audit"))) {
      assertThrows(SecretsManagerException.class, () -> client.getSecretValue(r -> r.secretId("prod/db")));
      String metrics = scrape();
      assertEquals(1, value(metrics, "stowaway_audit_write_failures_total"));
      assertEquals(1, value(metrics, "stowaway_audit_log_failing"));
      assertEquals(1, value(metrics,
          "stowaway_requests_total{api=\"any\",operation=\"any\",outcome=\"ServiceUnavailableException\"}"));
    }
    client.getSecretValue(r -> r.secretId("prod/db"));
    assertEquals(0, value(scrape(), "stowaway_audit_log_failing"));
  }
}
