package dev.stowaway.agent.config;

import java.net.URI;
import java.time.Duration;

/**
 * The agent's settings, frozen at start-up.
 *
 * @param endpoint the sidecar, default {@code http://127.0.0.1:2773}
 * @param ttl how long a resolved value is cached, default 300 s
 * @param failOnError {@code onError=fail} (default): an unresolvable placeholder at start-up stops the JVM
 * @param maxStale how long cached values are still served while the sidecar is unreachable, default 15 min
 * @param region the region requests are signed for
 * @param role a role ARN to assume with the base credentials, or null to sign with them directly
 * @param roleSessionName the session name for {@code role}, default {@code stowaway-agent}
 * @param roleDuration how long each assumed session lasts, default 1 h
 * @param roleRefreshAhead how long before expiry the role is assumed again, default 5 min
 * @param token the sidecar's agent token to authenticate with instead of AWS credentials, or null
 */
public record AgentConfig(URI endpoint, Duration ttl, boolean failOnError, Duration maxStale, String region,
    String role, String roleSessionName, Duration roleDuration, Duration roleRefreshAhead, String token) {

  @Override
  public String toString() {
    return "AgentConfig[" + endpoint + ", ttl " + ttl + ", " + (token == null ? "AWS credentials" : "token REDACTED")
        + (role == null ? "" : ", role " + role) + "]";
  }
}
