package dev.stowaway.sidecar.rotation;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.stowaway.sidecar.audit.AuditTrail;
import dev.stowaway.vault.audit.AuditUnavailableException;
import dev.stowaway.vault.events.ChangeFeed;
import dev.stowaway.vault.events.SecretChange;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.secrets.SecretRotations;
import dev.stowaway.vault.secrets.SecretsService;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs rotations when they are due, at most one at a time per secret: on start (which resumes any
 * rotation a crash left unfinished), every tick after, and at once for RotateSecret. The dates
 * live in the store, so the schedule survives restarts. Nothing starts while the audit log
 * cannot be written.
 */
public final class RotationScheduler implements AutoCloseable {

  private static final Logger LOG = System.getLogger(RotationScheduler.class.getName());

  private final SecretRotations rotations;
  private final RotationRun run;
  private final AuditTrail audit;
  private final Clock clock;
  private final RotationLeases leases;
  private final Duration leaseTime;
  private final Map<String, CompletableFuture<Void>> running = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r,
      "stowaway-rotation-scheduler"));
  private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> daemon(r, "stowaway-rotation"));

  public RotationScheduler(SecretsService secrets, Rotators rotators, AuditTrail audit, Clock clock) {
    this(secrets, rotators, audit, clock, RotationLeases.ALONE, Duration.ofMinutes(10));
  }

  /**
   * With leases: a rotation runs only where its lease was taken, and one whose sidecar died is
   * taken over once the lease has run out ({@code leaseTime} should outlast a rotation).
   */
  public RotationScheduler(SecretsService secrets, Rotators rotators, AuditTrail audit, Clock clock,
      RotationLeases leases, Duration leaseTime) {
    this.leases = leases;
    this.leaseTime = leaseTime;
    this.rotations = secrets.as(Caller.SYSTEM).rotations();
    this.run = new RotationRun(secrets, rotators, audit);
    this.audit = audit;
    this.clock = clock;
  }

  /** Starts ticking; the first tick is now, so an interrupted rotation resumes at start. */
  public void start(Duration tick, ChangeFeed changes) {
    changes.subscribe(this::abandoned);
    ticker.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** RotateSecret with RotateImmediately: rotate now, off the request's thread. */
  public void rotateNow(SecretRotations.Started started) {
    submit(new SecretRotations.Due(started.arn(), started.name(), started.rotatorArn(), started.token(), false));
  }

  /** Starts what is due now and waits for every rotation under way to end. */
  public void runDue() {
    tick();
    awaitIdle();
  }

  /** Waits until no rotation is running. */
  public void awaitIdle() {
    while (!running.isEmpty()) {
      for (CompletableFuture<Void> f : new ArrayList<>(running.values())) {
        f.join();
      }
    }
  }

  private void tick() {
    if (audit.log().isFailing()) {
      return;
    }
    try {
      List<SecretRotations.Due> due = rotations.due(clock.instant());
      due.forEach(this::submit);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot look for due rotations: " + e);
    }
  }

  private void submit(SecretRotations.Due due) {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    if (running.putIfAbsent(due.arn(), mine) != null) {
      return; // one at a time per secret
    }
    workers.execute(() -> {
      String lease = "rotation:" + due.arn();
      boolean held = false;
      try {
        held = leases.acquire(lease, leaseTime);
        if (!held) {
          return; // another sidecar is rotating this secret
        }
        run.run(due);
      } catch (AuditUnavailableException e) {
        LOG.log(Level.WARNING, "rotation of " + due.name() + " not started: the audit log cannot be written");
      } catch (RuntimeException e) {
        LOG.log(Level.ERROR, "rotation of " + due.name() + " failed unexpectedly: " + e.getClass().getName(), e);
      } finally {
        if (held) {
          leases.release(lease);
        }
        running.remove(due.arn(), mine);
        mine.complete(null);
      }
    });
  }

  /** A value put by hand took AWSPENDING away: record the abandonment as AWS does. */
  private void abandoned(SecretChange change) {
    if (!"RotationAbandoned".equals(change.operation())) {
      return;
    }
    try {
      workers.execute(() -> audit.serviceEvent(RotationRun.SOURCE, "RotationAbandoned", change.arn(), RotationRun.TYPE,
          JsonNodeFactory.instance.objectNode().put("SecretId", change.arn())));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.log(Level.WARNING, "shutting down: the abandonment of a rotation of " + change.name() + " is not recorded");
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
