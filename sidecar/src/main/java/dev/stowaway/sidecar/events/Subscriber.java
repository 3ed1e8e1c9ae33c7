package dev.stowaway.sidecar.events;

import dev.stowaway.vault.identity.Caller;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One open change-feed stream: who it acts for, the credential it opened with (an access key id
 * or an agent token's id, never the secret), and how to tell whether that credential still holds.
 * A stream lives no longer than its credential.
 */
final class Subscriber {

  private static final Logger LOG = System.getLogger(Subscriber.class.getName());

  private final Caller caller;
  private final String credentialId;
  private final Supplier<Optional<String>> whyUnusable;
  private final AtomicBoolean closed = new AtomicBoolean();

  Subscriber(Caller caller, String credentialId, Supplier<Optional<String>> whyUnusable) {
    this.caller = caller;
    this.credentialId = credentialId;
    this.whyUnusable = whyUnusable;
  }

  Caller caller() {
    return caller;
  }

  String credentialId() {
    return credentialId;
  }

  /** Why the stream must end now, or empty while its credential holds. A check that fails ends it too. */
  Optional<String> endedBecause() {
    try {
      return whyUnusable.get();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot check the credential " + credentialId + " of a change-feed stream: " + e);
      return Optional.of("The stream's credential cannot be checked.");
    }
  }

  /** Marks the stream closed; true only for the first caller, who then says why and ends it. */
  boolean close() {
    return closed.compareAndSet(false, true);
  }

  boolean isClosed() {
    return closed.get();
  }
}
