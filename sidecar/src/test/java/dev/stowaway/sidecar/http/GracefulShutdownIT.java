package dev.stowaway.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import dev.stowaway.vault.store.StoreException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shutdown lets a request that is already being served finish, then closes the store. */
class GracefulShutdownIT {

  @TempDir
  Path dataDir;

  @Test
  void requestInFlightFinishesBeforeTheStoreCloses() throws Exception {
    RunningSidecar sidecar = RunningSidecar.in(dataDir);
    String[] admin = sidecar.adminKey();
    URI endpoint = URI.create(sidecar.endpoint() + "/");
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    Map<String, List<String>> headers = SignedHttp.sign("POST", endpoint,
        Map.of("Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", "secretsmanager.ListSecrets",
            "Content-Length", "2"), body, admin[0], admin[1], "us-east-1", "secretsmanager", Clock.systemUTC());

    try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
      OutputStream out = socket.getOutputStream();
      StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
      headers.forEach((name, values) -> values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n")));
      head.append("\r\n");
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, 1); // the request is now in flight, waiting for the rest of its body
      out.flush();
      awaitBodyBeingRead(sidecar);

      CompletableFuture<Void> closing = CompletableFuture.runAsync(sidecar::close);
      awaitNewRequestsRefused(sidecar);

      out.write(body, 1, 1);
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("HTTP/1.1 200 OK", in.readLine());
      closing.get();
    }
    StoreException closed = assertThrows(StoreException.class,
        () -> sidecar.sidecar().vault().secrets().describe("anything"));
    assertEquals("the vault store is closed", closed.getMessage());
  }

  /** Waits until the sidecar has the request's headers and is reading its body (on an I/O thread). */
  private static void awaitBodyBeingRead(RunningSidecar sidecar) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(deadline)) {
      if (sidecar.sidecar().metrics().render().contains("\nstowaway_http_requests_reading 1\n")) {
        return;
      }
      Thread.sleep(5); // polling a condition with a deadline, not waiting a fixed time
    }
    throw new AssertionError("the request never reached the sidecar");
  }

  /** Waits until shutdown has begun: new requests get 503 while ours is still open. */
  private static void awaitNewRequestsRefused(RunningSidecar sidecar) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(deadline)) {
      HttpResponse<String> r = SignedHttp.send("GET", URI.create(sidecar.endpoint() + "/healthz"), Map.of(), new byte[0]);
      if (r.statusCode() == 503) {
        return;
      }
      assertTrue(r.statusCode() == 200, "unexpected status " + r.statusCode());
      Thread.sleep(5);
    }
    throw new AssertionError("shutdown never started refusing new requests");
  }
}
