package dev.stowaway.sidecar.http;

/**
 * Whether the sidecar can serve requests now: its store answers and its audit log can be
 * written. Behind {@code GET /readyz}, so an orchestrator sends traffic only to a sidecar that can
 * take it; {@code GET /healthz} says only that the process is alive.
 */
@FunctionalInterface
public interface Readiness {

  /** Null when ready; otherwise why not, for the probe's answer and the operator. */
  String notReadyBecause();
}
