package dev.stowaway.sidecar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Slowloris: connections that each send the start of a request, then one more byte every so often and
 * never finish it. One thread drives them all (non-blocking sockets and a selector) and records, per
 * connection, what the server wrote back and when it closed the connection.
 */
public final class SlowClients implements AutoCloseable {

  /** One attacking connection: what it sent first, what came back, and when the server closed it (or 0). */
  public static final class Connection {
    private final SocketChannel channel;
    private final long openedNanos;
    private final ByteArrayOutputStream answer = new ByteArrayOutputStream();
    private volatile long closedNanos;

    Connection(SocketChannel channel, long openedNanos) {
      this.channel = channel;
      this.openedNanos = openedNanos;
    }

    public boolean closed() {
      return closedNanos != 0;
    }

    /** How long the server let it live, from its first byte. */
    public Duration lived() {
      return Duration.ofNanos(closedNanos - openedNanos);
    }

    public synchronized String answer() {
      return answer.toString(StandardCharsets.UTF_8);
    }
  }

  private final List<Connection> connections = new ArrayList<>();
  private final Selector selector;
  private final long everyNanos;
  private final Thread driver;
  private volatile boolean stopped;

  private SlowClients(Selector selector, Duration every) {
    this.selector = selector;
    this.everyNanos = every.toNanos();
    this.driver = new Thread(this::drive, "slow-clients");
    this.driver.setDaemon(true);
  }

  /**
   * {@code count} connections from {@code from} to {@code server}, each sending {@code start} at once and
   * then one byte of {@code trickle} every {@code every}.
   */
  public static SlowClients open(InetSocketAddress server, InetAddress from, int count, String start, Duration every) {
    try {
      SlowClients clients = new SlowClients(Selector.open(), every);
      for (int i = 0; i < count; i++) {
        SocketChannel channel = SocketChannel.open();
        channel.bind(new InetSocketAddress(from, 0));
        channel.connect(server);
        channel.write(ByteBuffer.wrap(start.getBytes(StandardCharsets.US_ASCII)));
        channel.configureBlocking(false);
        Connection c = new Connection(channel, System.nanoTime());
        channel.register(clients.selector, SelectionKey.OP_READ, c);
        clients.connections.add(c);
      }
      clients.driver.start();
      return clients;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Connection> connections() {
    return List.copyOf(connections);
  }

  public long stillOpen() {
    return connections.stream().filter(c -> !c.closed()).count();
  }

  /** Waits (polling what the driver thread records) until every connection is closed or {@code within} passes. */
  public boolean awaitAllClosed(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (stillOpen() == 0) {
        return true;
      }
      Thread.sleep(20);
    }
    return stillOpen() == 0;
  }

  /** Waits until {@code count} connections have had an answer or been closed, or {@code within} passes. */
  public boolean awaitAnswered(int count, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (connections.stream().filter(c -> c.closed() || !c.answer().isEmpty()).count() >= count) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  private void drive() {
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    ByteBuffer one = ByteBuffer.allocate(1);
    long nextTrickle = System.nanoTime() + everyNanos;
    try {
      while (!stopped) {
        long wait = Math.max(1, (nextTrickle - System.nanoTime()) / 1_000_000);
        selector.select(wait);
        for (SelectionKey key : selector.selectedKeys()) {
          Connection c = (Connection) key.attachment();
          try {
            buffer.clear();
            int n = c.channel.read(buffer);
            if (n < 0) {
              closed(c, key);
            } else {
              synchronized (c) {
                c.answer.write(buffer.array(), 0, n);
              }
            }
          } catch (IOException reset) {
            closed(c, key);
          }
        }
        selector.selectedKeys().clear();
        if (System.nanoTime() >= nextTrickle) {
          nextTrickle += everyNanos;
          for (Connection c : connections) {
            if (!c.closed()) {
              try {
                c.channel.write(one.clear().put((byte) 'a').flip());
              } catch (IOException reset) {
                closed(c, c.channel.keyFor(selector));
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closed(Connection c, SelectionKey key) {
    if (c.closedNanos == 0) {
      c.closedNanos = System.nanoTime();
    }
    if (key != null) {
      key.cancel();
    }
  }

  @Override
  public void close() {
    stopped = true;
    selector.wakeup();
    try {
      driver.join(5_000);
      for (Connection c : connections) {
        c.channel.close();
      }
      selector.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
