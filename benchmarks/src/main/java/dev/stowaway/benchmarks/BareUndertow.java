package dev.stowaway.benchmarks;

import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The ceiling: Undertow on the same machine, with the sidecar's I/O and worker settings, answering
 * every request with a fixed JSON body of the given size and nothing else. Prints
 * {@code listening PORT}; runs until killed.
 */
public final class BareUndertow {

  private BareUndertow() {}

  public static void main(String[] args) {
    int size = Integer.parseInt(args[0]);
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) 'x');
    body[0] = '{';
    body[1] = '"';
    body[2] = 'x';
    body[3] = '"';
    body[4] = ':';
    body[5] = '"';
    body[size - 2] = '"';
    body[size - 1] = '}';
    Undertow server = Undertow.builder()
        .addHttpListener(0, "127.0.0.1")
        .setIoThreads(2)
        .setWorkerThreads(32)
        .setHandler(exchange -> {
          if (exchange.isInIoThread()) {
            exchange.dispatch(e -> answer(e, body)); // as the sidecar does: requests are served on workers
            return;
          }
          answer(exchange, body);
        })
        .build();
    server.start();
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    System.out.println("listening " + port);
    System.out.flush();
  }

  private static void answer(io.undertow.server.HttpServerExchange exchange, byte[] body) {
    exchange.startBlocking();
    try {
      exchange.getInputStream().readAllBytes();
    } catch (java.io.IOException e) {
      return;
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/x-amz-json-1.1");
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }
}
