package dev.stowaway.sidecar.http;

/**
 * An error as it goes on the wire: HTTP status, AWS error type and a message that is safe to
 * show. Thrown by protocol code and rendered by the protocol's own error writer.
 */
public final class AwsError extends RuntimeException {

  private final int status;
  private final String type;

  public AwsError(int status, String type, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
  }

  public static AwsError badRequest(String type, String message) {
    return new AwsError(400, type, message);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }
}
