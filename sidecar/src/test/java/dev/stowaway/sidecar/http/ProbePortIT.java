package dev.stowaway.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --probe-port}: health, readiness and metrics on a port of their own, and nothing else there. */
class ProbePortIT {

  @TempDir Path dataDir;

  @Test
  void theProbePortServesProbesAndMetricsButNoApi() throws Exception {
    try (RunningSidecar sidecar = RunningSidecar.on(dataDir, Map.of("STOWAWAY_PROBE_PORT", "0",
        "STOWAWAY_PROBE_BIND", "127.0.0.1"))) {
      int probePort = sidecar.sidecar().probePort();
      assertTrue(probePort > 0);
      assertNotEquals(sidecar.sidecar().port(), probePort);
      HttpClient http = HttpClient.newHttpClient();
      URI probes = URI.create("http://127.0.0.1:" + probePort);
      assertEquals("ready\n", get(http, probes.resolve("/readyz")).body());
      assertEquals("ok\n", get(http, probes.resolve("/healthz")).body());
      HttpResponse<String> metrics = get(http, probes.resolve("/metrics"));
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("stowaway_audit_log_failing"), metrics.body());
      for (String path : new String[] {"/", "/secretsmanager/get?secretId=x", "/v1/events", "/ping"}) {
        HttpResponse<String> refused = get(http, probes.resolve(path));
        assertEquals(404, refused.statusCode(), path);
        assertEquals("this port serves only GET /healthz, /readyz and /metrics\n", refused.body());
      }
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(probes.resolve("/"))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).header("X-Amz-Target", "secretsmanager.ListSecrets").build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, post.statusCode());
      assertEquals("ready\n", get(http, sidecar.endpoint().resolve("/readyz")).body(), "the API port keeps its probes");
    }
  }

  @Test
  void theApiPortServesNoMetricsByDefault() throws Exception {
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir)) {
      HttpResponse<String> metrics = get(HttpClient.newHttpClient(), sidecar.endpoint().resolve("/metrics"));
      assertEquals(404, metrics.statusCode());
      assertEquals("Metrics are served on the probe port (--probe-port), or here with --metrics-on-api-port true.\n",
          metrics.body());
    }
  }

  @Test
  void metricsOnApiPortServesThemThereWithoutCredentials() throws Exception {
    try (RunningSidecar sidecar = RunningSidecar.on(dataDir, Map.of("STOWAWAY_METRICS_ON_API_PORT", "true"))) {
      HttpResponse<String> metrics = get(HttpClient.newHttpClient(), sidecar.endpoint().resolve("/metrics"));
      assertEquals(200, metrics.statusCode());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type").orElseThrow());
      assertTrue(metrics.body().contains("\nstowaway_http_connections{listener=\"api\"} "), metrics.body());
    }
  }

  private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }
}
