package dev.stowaway.sidecar.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.ScratchPostgres;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /readyz} follows the shared store: not ready while PostgreSQL refuses connections, ready again after. */
class ReadinessIT {

  @TempDir Path dataDir;

  @Test
  void aSidecarIsNotReadyWhileItsDatabaseRefusesConnectionsButStaysAlive() throws Exception {
    try (ScratchPostgres db = ScratchPostgres.create();
         RunningSidecar sidecar = RunningSidecar.on(dataDir, Map.of("STOWAWAY_STORE", "postgresql",
             "STOWAWAY_STORE_URL", db.url(), "STOWAWAY_STORE_USER", db.user()))) {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest ready = HttpRequest.newBuilder(sidecar.endpoint().resolve("/readyz")).build();
      HttpRequest alive = HttpRequest.newBuilder(sidecar.endpoint().resolve("/healthz")).build();
      assertEquals("ready\n", http.send(ready, HttpResponse.BodyHandlers.ofString()).body());
      String name = db.url().substring(db.url().lastIndexOf('/') + 1);
      try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
           var s = c.createStatement()) {
        s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
        s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
      }
      HttpResponse<String> notReady = http.send(ready, HttpResponse.BodyHandlers.ofString());
      assertEquals(503, notReady.statusCode());
      assertTrue(notReady.body().startsWith("not ready: PostgreSQL at " + db.url() + " cannot be reached"),
          notReady.body());
      assertEquals(200, http.send(alive, HttpResponse.BodyHandlers.ofString()).statusCode());
      try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
           var s = c.createStatement()) {
        s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
      }
      assertEquals("ready\n", http.send(ready, HttpResponse.BodyHandlers.ofString()).body());
    }
  }
}
