package dev.stowaway.sidecar.logging;

import dev.stowaway.sidecar.audit.ApiCall;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * One line per API request: operation, status, who and how long, under the request id that its
 * response and audit record carry. Never parameters or values: those are the audit log's, redacted.
 */
public final class AccessLog {

  private static final Logger LOG = System.getLogger("dev.stowaway.access");
  private final boolean enabled;

  public AccessLog(boolean enabled) {
    this.enabled = enabled;
  }

  public void served(ApiCall call, int status, long nanos) {
    if (!enabled || !LOG.isLoggable(Level.INFO)) {
      return;
    }
    String who = call.caller() != null && call.caller().arn() != null ? call.caller().arn()
        : call.claimedAccessKeyId() != null ? "unverified key " + call.claimedAccessKeyId() : "anonymous";
    LOG.log(Level.INFO, (call.eventName() == null ? "-" : call.eventName()) + " " + status
        + (call.errorCode() == null ? "" : " " + call.errorCode()) + " by " + who + " from " + call.sourceIp()
        + " in " + String.format(Locale.ROOT, "%.1f", nanos / 1e6) + " ms");
  }
}
