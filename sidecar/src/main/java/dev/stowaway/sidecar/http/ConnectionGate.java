package dev.stowaway.sidecar.http;

import dev.stowaway.sidecar.metrics.Metrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.channels.Channels;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * Takes a new connection only while its source address and the listener hold fewer than their caps,
 * counting every open connection, change-feed streams included, until it closes. A connection past a
 * cap gets a 503 before any request is read, so its body is AWS-shaped JSON whatever the client asked.
 */
final class ConnectionGate implements ChannelListener<StreamConnection> {

  /** Long enough for a client that is writing its request to see the 503 instead of a reset. */
  private static final long LINGER_MILLIS = 1_000;

  private final ChannelListener<StreamConnection> next;
  private final int maxConnections;
  private final int maxPerAddress;
  private final Metrics metrics;
  private final String name;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<InetAddress, Integer> openByAddress = new ConcurrentHashMap<>();

  /** {@code name} tells the listener apart in metrics ({@code api}, {@code probe}). */
  ConnectionGate(String name, ChannelListener<StreamConnection> next, int maxConnections, int maxPerAddress,
      Metrics metrics) {
    this.name = name;
    metrics.listener(name);
    this.next = next;
    this.maxConnections = maxConnections;
    this.maxPerAddress = maxPerAddress;
    this.metrics = metrics;
  }

  @Override
  public void handleEvent(StreamConnection connection) {
    InetAddress address = connection.getPeerAddress(InetSocketAddress.class).getAddress();
    String full = take(address);
    if (full != null) {
      metrics.connectionRefused(name, full);
      refuse(connection, full.equals("total")
          ? "The server holds as many connections as it allows (max-connections " + maxConnections + "); retry later."
          : "This address holds as many connections as one address may (max-connections-per-address "
              + maxPerAddress + "); close some or retry later.");
      return;
    }
    metrics.connections(name, 1);
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        give(address);
        metrics.connections(name, -1);
      }
    };
    next.handleEvent(connection);
    // Undertow has set its own close listener by now: chain ours in front of it. A connection that closed
    // before that (an immediate parse error) is released here.
    ChannelListener<? super StreamConnection> undertows = connection.getCloseListener();
    connection.setCloseListener(closed -> {
      release.run();
      ChannelListeners.invokeChannelListener(closed, undertows);
    });
    if (!connection.isOpen()) {
      release.run();
    }
  }

  /** Null if taken; otherwise which cap is full. */
  private String take(InetAddress address) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      return "total";
    }
    boolean[] taken = {false};
    openByAddress.compute(address, (a, n) -> {
      int count = n == null ? 0 : n;
      if (count >= maxPerAddress) {
        return n;
      }
      taken[0] = true;
      return count + 1;
    });
    if (!taken[0]) {
      open.decrementAndGet();
      return "per-address";
    }
    return null;
  }

  private void give(InetAddress address) {
    openByAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    open.decrementAndGet();
  }

  /**
   * Writes the 503, ends the output and reads (and drops) what the client still sends until it closes
   * or {@link #LINGER_MILLIS} pass: closing with its request unread would reset the connection, and the
   * client would see a reset rather than the answer.
   */
  private static void refuse(StreamConnection connection, String message) {
    byte[] body = ("{\"__type\":\"ServiceUnavailable\",\"Message\":\"" + message + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    byte[] head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/x-amz-json-1.1\r\n"
        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer answer = ByteBuffer.allocate(head.length + body.length).put(head).put(body).flip();
    try {
      connection.getSinkChannel().write(answer); // a fresh socket's send buffer takes these few hundred bytes
      connection.getSinkChannel().shutdownWrites();
      connection.getSinkChannel().flush();
    } catch (IOException e) {
      IoUtils.safeClose(connection);
      return;
    }
    XnioExecutor.Key linger = connection.getIoThread().executeAfter(() -> IoUtils.safeClose(connection),
        LINGER_MILLIS, TimeUnit.MILLISECONDS);
    ConduitStreamSourceChannel in = connection.getSourceChannel();
    in.setReadListener(channel -> {
      try {
        if (Channels.drain(channel, Long.MAX_VALUE) >= 0) {
          return; // more may come
        }
      } catch (IOException e) {
        // closing below
      }
      linger.remove();
      IoUtils.safeClose(connection);
    });
    in.resumeReads();
  }
}
