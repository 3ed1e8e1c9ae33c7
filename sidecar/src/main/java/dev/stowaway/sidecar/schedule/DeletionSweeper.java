package dev.stowaway.sidecar.schedule;

import dev.stowaway.vault.secrets.SecretsService;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Purges secrets whose recovery window has ended, at start and then every interval. */
public final class DeletionSweeper implements AutoCloseable {

  private static final Logger LOG = System.getLogger(DeletionSweeper.class.getName());

  private final SecretsService secrets;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "stowaway-deletion-sweeper");
    t.setDaemon(true);
    return t;
  });

  public DeletionSweeper(SecretsService secrets) {
    this.secrets = secrets;
  }

  public void start(Duration interval) {
    executor.scheduleWithFixedDelay(this::sweep, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  void sweep() {
    try {
      List<String> purged = secrets.purgeExpired();
      if (!purged.isEmpty()) {
        LOG.log(Level.INFO, "purged " + purged.size() + " secret(s) whose recovery window ended: " + purged);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "deletion sweep failed; will retry", e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
