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
 */
public record AgentConfig(URI endpoint, Duration ttl, boolean failOnError, Duration maxStale, String region) {}
