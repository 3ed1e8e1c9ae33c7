package dev.stowaway.sidecar.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A signed subscription to the sidecar's change feed, its events queued as they arrive. */
public final class SseReader implements AutoCloseable {

  /** One Server-Sent Event. */
  public record Event(String id, String event, String data) {}

  private final HttpURLConnection http;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final int status;
  private final String errorBody;

  public SseReader(URI endpoint, String accessKeyId, String secret, String lastEventId) {
    this(endpoint.resolve("/v1/events"), SignedHttp.sign("GET", endpoint.resolve("/v1/events"), Map.of(), new byte[0],
        accessKeyId, secret, "us-east-1", "secretsmanager", Clock.systemUTC()), lastEventId);
  }

  /** Following the feed with session credentials (GetSessionToken, AssumeRole), signed at {@code clock}'s time. */
  public static SseReader withSession(URI endpoint, String accessKeyId, String secret, String sessionToken,
      Clock clock) {
    URI uri = endpoint.resolve("/v1/events");
    return new SseReader(uri, SignedHttp.sign("GET", uri, Map.of("X-Amz-Security-Token", sessionToken), new byte[0],
        accessKeyId, secret, "us-east-1", "secretsmanager", clock), null);
  }

  /** Following the feed with an agent token instead of a signature, as an agent in a pod does. */
  public static SseReader withToken(URI endpoint, String token) {
    return new SseReader(endpoint.resolve("/v1/events"), Map.of("X-Aws-Parameters-Secrets-Token", List.of(token),
        "Accept", List.of("text/event-stream")), null);
  }

  private SseReader(URI uri, Map<String, List<String>> headers, String lastEventId) {
    try {
      http = (HttpURLConnection) uri.toURL().openConnection();
      headers.forEach((k, v) -> {
        if (!k.equalsIgnoreCase("host")) {
          http.setRequestProperty(k, v.get(0));
        }
      });
      if (lastEventId != null) {
        http.setRequestProperty("Last-Event-ID", lastEventId);
      }
      status = http.getResponseCode();
      if (status != 200) {
        errorBody = new String(http.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return;
      }
      errorBody = null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  public int status() {
    return status;
  }

  public String errorBody() {
    return errorBody;
  }

  public Event next() throws InterruptedException {
    Event e = events.poll(30, TimeUnit.SECONDS);
    if (e == null) {
      throw new AssertionError("no event within 30 s");
    }
    return e;
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(http.getInputStream(), StandardCharsets.UTF_8))) {
      String id = null;
      String event = null;
      StringBuilder data = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          if (event != null || data.length() > 0) {
            events.add(new Event(id, event, data.toString()));
          }
          id = null;
          event = null;
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).strip());
        }
      }
    } catch (IOException e) {
      // closed
    } finally {
      ended.countDown();
    }
  }

  /** Whether the sidecar ended the stream (within 30 s). */
  public boolean endedByServer() throws InterruptedException {
    return ended.await(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    http.disconnect();
  }
}
