package dev.stowaway.sidecar.logging;

/**
 * The request a thread is serving, so that every log line written while serving it carries the
 * id that its response header ({@code x-amzn-RequestId}) and its audit record ({@code requestID})
 * carry too. JUL formats on the logging thread, so a thread-local is enough.
 */
public final class RequestContext {

  private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();

  private RequestContext() {}

  /** Marks the current thread as serving {@code requestId} until the returned scope closes. */
  public static Scope serving(String requestId) {
    String previous = REQUEST_ID.get();
    REQUEST_ID.set(requestId);
    return () -> {
      if (previous == null) {
        REQUEST_ID.remove();
      } else {
        REQUEST_ID.set(previous);
      }
    };
  }

  /** The request being served on this thread, or null. */
  public static String requestId() {
    return REQUEST_ID.get();
  }

  /** Ends what {@link #serving} began. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
