package dev.stowaway.sidecar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * HTTP/1.1 on a bare socket, for requests no well-behaved client would send: duplicated or garbled
 * headers, invalid bytes, a body shorter than its Content-Length. One request per connection.
 */
public final class RawHttp {

  /** What came back: the status (-1 if the server closed without one), the body, or a timeout. */
  public record Answer(int status, String body, boolean timedOut) {}

  private RawHttp() {}

  /** The request line and headers as given (each a {@code Name: value} line), then the body. */
  public static Answer send(URI endpoint, String requestLine, List<String> headers, byte[] body, int timeoutMillis)
      throws IOException {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.write((requestLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    for (String h : headers) {
      request.write((h + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }
    request.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    request.write(body);
    return exchange(endpoint, request.toByteArray(), timeoutMillis);
  }

  /** Headers from a signed map, in wire form. */
  public static List<String> lines(Map<String, List<String>> headers) {
    return headers.entrySet().stream().flatMap(e -> e.getValue().stream().map(v -> e.getKey() + ": " + v)).toList();
  }

  public static Answer exchange(URI endpoint, byte[] request, int timeoutMillis) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
        socket.shutdownOutput();
      } catch (IOException answeredEarly) {
        // the server answered (a 413, say) and closed before taking the whole body: read what it said
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      try {
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          response.write(buffer, 0, n);
          if (complete(response.toByteArray())) {
            break;
          }
        }
      } catch (SocketTimeoutException e) {
        return new Answer(-1, response.toString(StandardCharsets.UTF_8), true);
      } catch (IOException reset) {
        // the server closed on us: whatever arrived is the answer
      }
      return parse(response.toByteArray());
    }
  }

  private static boolean complete(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    String head = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
    int at = head.indexOf("content-length:");
    if (at < 0) {
      return false;
    }
    int eol = head.indexOf("\r\n", at);
    long length = Long.parseLong(head.substring(at + 15, eol < 0 ? head.length() : eol).trim());
    return bytes.length >= end + 4 + length;
  }

  private static Answer parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
      return new Answer(-1, text, false);
    }
    int status = Integer.parseInt(text.substring(9, 12));
    int end = text.indexOf("\r\n\r\n");
    return new Answer(status, end < 0 ? "" : text.substring(end + 4), false);
  }
}
