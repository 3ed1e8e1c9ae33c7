package dev.stowaway.sidecar.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

/**
 * A request's body as {@link RequestBodyReader} received it before any worker saw the request: its
 * bytes, or why there are none (larger than the limit, or the connection failed mid-body).
 */
record ReceivedBody(byte[] bytes, Refusal refusal) {

  enum Refusal { TOO_LARGE, UNREADABLE }

  private static final AttachmentKey<ReceivedBody> KEY = AttachmentKey.create(ReceivedBody.class);

  static ReceivedBody of(byte[] bytes) {
    return new ReceivedBody(bytes, null);
  }

  static ReceivedBody refused(Refusal why) {
    return new ReceivedBody(new byte[0], why);
  }

  void attachTo(HttpServerExchange exchange) {
    exchange.putAttachment(KEY, this);
  }

  /** The body received for {@code exchange}; empty if none was (a request that never passed the reader). */
  static ReceivedBody from(HttpServerExchange exchange) {
    ReceivedBody body = exchange.getAttachment(KEY);
    return body == null ? of(new byte[0]) : body;
  }
}
