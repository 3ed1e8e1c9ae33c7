package dev.stowaway.sidecar.http;

import java.nio.charset.StandardCharsets;

/** A complete HTTP answer, built by a protocol and written by the server. */
public record Reply(int status, String contentType, byte[] body) {

  public static Reply text(int status, String text) {
    return new Reply(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }
}
