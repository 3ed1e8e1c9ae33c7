package dev.stowaway.agent.config;

import java.net.URI;
import java.time.Duration;

/**
 * The agent's settings, frozen at start-up. (A class rather than a record: the agent is built for Java 11.)
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
 * @param retryWindow how long a login the database refused is retried with newer (or pending, or
 *     previous) values before its error is let through, default 10 s; zero turns retries off
 */
public final class AgentConfig {
  private final URI endpoint;
  private final Duration ttl;
  private final boolean failOnError;
  private final Duration maxStale;
  private final String region;
  private final String role;
  private final String roleSessionName;
  private final Duration roleDuration;
  private final Duration roleRefreshAhead;
  private final String token;
  private final Duration retryWindow;

  public AgentConfig(URI endpoint, Duration ttl, boolean failOnError, Duration maxStale, String region,
      String role, String roleSessionName, Duration roleDuration, Duration roleRefreshAhead, String token,
      Duration retryWindow) {
    this.endpoint = endpoint;
    this.ttl = ttl;
    this.failOnError = failOnError;
    this.maxStale = maxStale;
    this.region = region;
    this.role = role;
    this.roleSessionName = roleSessionName;
    this.roleDuration = roleDuration;
    this.roleRefreshAhead = roleRefreshAhead;
    this.token = token;
    this.retryWindow = retryWindow;
  }

  public URI endpoint() {
    return endpoint;
  }

  public Duration ttl() {
    return ttl;
  }

  public boolean failOnError() {
    return failOnError;
  }

  public Duration maxStale() {
    return maxStale;
  }

  public String region() {
    return region;
  }

  public String role() {
    return role;
  }

  public String roleSessionName() {
    return roleSessionName;
  }

  public Duration roleDuration() {
    return roleDuration;
  }

  public Duration roleRefreshAhead() {
    return roleRefreshAhead;
  }

  public String token() {
    return token;
  }

  public Duration retryWindow() {
    return retryWindow;
  }

  @Override
  public String toString() {
    return "AgentConfig[" + endpoint + ", ttl " + ttl + ", " + (token == null ? "AWS credentials" : "token REDACTED")
        + (role == null ? "" : ", role " + role) + "]";
  }
}
