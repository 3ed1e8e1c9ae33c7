package dev.stowaway.sidecar.http;

import dev.stowaway.sidecar.metrics.Metrics;
import io.undertow.io.Receiver;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * Receives each request's whole body on the I/O thread, without a worker thread, and only then hands
 * the request on (still on the I/O thread, the body attached as {@link ReceivedBody}). A body must
 * arrive within the read timeout of its headers (Undertow's parse timeout bounds the headers the
 * same way), so a client trickling a byte now and then holds neither a worker nor, for long, a
 * connection: it gets a 408 and the connection is closed. A body past the limit is not read at all.
 */
final class RequestBodyReader implements HttpHandler {

  private static final Logger LOG = System.getLogger(RequestBodyReader.class.getName());
  private static final AttachmentKey<Boolean> TIMED_OUT = AttachmentKey.create(Boolean.class);

  private final HttpHandler next;
  private final int maxBodyBytes;
  private final long timeoutMillis;
  private final Metrics metrics;

  RequestBodyReader(HttpHandler next, int maxBodyBytes, Duration timeout, Metrics metrics) {
    this.next = next;
    this.maxBodyBytes = maxBodyBytes;
    this.timeoutMillis = timeout.toMillis();
    this.metrics = metrics;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (exchange.isRequestComplete()) {
      proceed(exchange, ReceivedBody.of(new byte[0]));
      return;
    }
    if (exchange.getRequestContentLength() > maxBodyBytes) {
      proceed(exchange, refused(exchange, ReceivedBody.Refusal.TOO_LARGE)); // refused unread, from Content-Length
      return;
    }
    metrics.requestsReading(1);
    XnioExecutor.Key deadline = exchange.getIoThread().executeAfter(() -> timedOut(exchange), timeoutMillis,
        TimeUnit.MILLISECONDS);
    Receiver receiver = exchange.getRequestReceiver();
    receiver.setMaxBufferSize(maxBodyBytes);
    receiver.receiveFullBytes((ex, bytes) -> {
      if (settled(ex, deadline)) {
        proceed(ex, ReceivedBody.of(bytes));
      }
    }, (ex, e) -> {
      if (settled(ex, deadline)) {
        proceed(ex, refused(ex, e instanceof Receiver.RequestToLargeException
            ? ReceivedBody.Refusal.TOO_LARGE : ReceivedBody.Refusal.UNREADABLE));
      }
    });
  }

  /** Ends the wait for the body; false if the deadline has already answered the request. */
  private boolean settled(HttpServerExchange exchange, XnioExecutor.Key deadline) {
    if (exchange.getAttachment(TIMED_OUT) != null) {
      return false;
    }
    deadline.remove();
    metrics.requestsReading(-1);
    return true;
  }

  /** Runs on the connection's I/O thread, as the receiver's callbacks do, so the two never race. */
  private void timedOut(HttpServerExchange exchange) {
    if (exchange.getAttachment(TIMED_OUT) != null || exchange.isRequestComplete()) {
      return;
    }
    exchange.putAttachment(TIMED_OUT, true);
    metrics.requestsReading(-1);
    metrics.requestTimedOut();
    if (exchange.isResponseStarted()) {
      IoUtils.safeClose(exchange.getConnection());
      return;
    }
    exchange.setPersistent(false);
    new Reply(408, "application/x-amz-json-1.1", ("{\"__type\":\"RequestTimeoutException\",\"Message\":\"The "
        + "request body did not arrive within " + timeoutMillis / 1000 + " seconds of its headers.\"}")
        .getBytes(StandardCharsets.UTF_8)).send(exchange);
  }

  /** The rest of this request's body is never read: the connection closes after the answer. */
  private static ReceivedBody refused(HttpServerExchange exchange, ReceivedBody.Refusal why) {
    exchange.setPersistent(false);
    return ReceivedBody.refused(why);
  }

  private void proceed(HttpServerExchange exchange, ReceivedBody body) {
    body.attachTo(exchange);
    try {
      next.handleRequest(exchange);
    } catch (Exception e) {
      LOG.log(Level.ERROR, "a request failed before it reached a handler: " + e.getClass().getName(), e);
      IoUtils.safeClose(exchange.getConnection());
    }
  }
}
