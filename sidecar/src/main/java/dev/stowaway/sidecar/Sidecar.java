package dev.stowaway.sidecar;

import dev.stowaway.sidecar.audit.AuditTrail;
import dev.stowaway.sidecar.audit.MfaFailureEvents;
import dev.stowaway.sidecar.auth.SigV4Verifier;
import dev.stowaway.vault.audit.AuditLog;
import dev.stowaway.vault.audit.AuditLookup;
import dev.stowaway.sidecar.awsjson.AwsJsonProtocol;
import dev.stowaway.sidecar.backup.BackupMaker;
import dev.stowaway.sidecar.config.DataDirectory;
import dev.stowaway.sidecar.events.ChangeStream;
import dev.stowaway.sidecar.events.EventDispatcher;
import dev.stowaway.sidecar.config.ServerConfig;
import dev.stowaway.sidecar.http.UndertowServer;
import dev.stowaway.sidecar.localagent.TokenOwners;
import dev.stowaway.sidecar.localagent.LocalAgentApi;
import dev.stowaway.sidecar.localagent.TokenAuthentication;
import dev.stowaway.sidecar.logging.AccessLog;
import dev.stowaway.sidecar.metrics.Metrics;
import dev.stowaway.sidecar.rotation.RotationScheduler;
import dev.stowaway.sidecar.rotation.Rotators;
import dev.stowaway.sidecar.iamquery.QueryProtocol;
import dev.stowaway.sidecar.schedule.DeletionSweeper;
import dev.stowaway.sidecar.store.PostgresLeases;
import dev.stowaway.sidecar.store.PostgresSecretStore;
import dev.stowaway.sidecar.store.RemoteChanges;
import dev.stowaway.sidecar.store.SharedAuditIndex;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running sidecar: the vault in its data directory, served on one port, with its background
 * sweeper. {@link #close()} drains requests in flight, then closes the store.
 */
public final class Sidecar implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Sidecar.class.getName());

  private final ServerConfig config;
  private final Vault vault;
  private final AuditLog audit;
  private final EventDispatcher events;
  private final RotationScheduler rotations;
  private final RemoteChanges remote;
  private final SharedAuditIndex auditIndex;
  private final UndertowServer server;
  private final DeletionSweeper sweeper;
  private final List<String> created;
  private final ChangeStream changeStream;

  private Sidecar(ServerConfig config, Vault vault, AuditLog audit, EventDispatcher events, RotationScheduler rotations,
      RemoteChanges remote, SharedAuditIndex auditIndex, UndertowServer server, DeletionSweeper sweeper,
      List<String> created, ChangeStream changeStream) {
    this.remote = remote;
    this.auditIndex = auditIndex;
    this.events = events;
    this.rotations = rotations;
    this.config = config;
    this.vault = vault;
    this.audit = audit;
    this.server = server;
    this.sweeper = sweeper;
    this.created = created;
    this.changeStream = changeStream;
  }

  /** What the command line does not set: how often to sweep, audit file sizes, delivery retries. */
  public record Tuning(Duration sweepInterval, AuditLog.Settings audit, EventDispatcher.Settings events,
      Duration rotationTick, Duration rotationLease) {

    public static Tuning defaults() {
      return new Tuning(Duration.ofMinutes(1), AuditLog.Settings.defaults(), EventDispatcher.Settings.defaults(),
          Duration.ofMinutes(1), Duration.ofMinutes(10));
    }

    public Tuning withSweepInterval(Duration interval) {
      return new Tuning(interval, audit, events, rotationTick, rotationLease);
    }

    public Tuning withAudit(AuditLog.Settings settings) {
      return new Tuning(sweepInterval, settings, events, rotationTick, rotationLease);
    }

    public Tuning withEvents(EventDispatcher.Settings settings) {
      return new Tuning(sweepInterval, audit, settings, rotationTick, rotationLease);
    }

    /** How often the scheduler looks for due rotations. */
    public Tuning withRotationTick(Duration tick) {
      return new Tuning(sweepInterval, audit, events, tick, rotationLease);
    }

    /** How long a sidecar holds a rotation's lease (with a shared store) before another may take over. */
    public Tuning withRotationLease(Duration lease) {
      return new Tuning(sweepInterval, audit, events, rotationTick, lease);
    }
  }

  public static Sidecar start(ServerConfig config, char[] passphrase, Clock clock, SecureRandom random,
      Duration sweepInterval) {
    return start(config, passphrase, clock, random, Tuning.defaults().withSweepInterval(sweepInterval));
  }

  public static Sidecar start(ServerConfig config, char[] passphrase, Clock clock, SecureRandom random,
      Tuning tuning) {
    List<String> created = new ArrayList<>();
    DataDirectory.Opened opened = new DataDirectory(config.dataDir())
        .open(passphrase, config, clock, random, created, tuning.audit());
    Vault vault = opened.vault();
    AuditLog auditLog = opened.audit();
    RemoteChanges remote = opened.store() instanceof PostgresSecretStore shared
        ? new RemoteChanges(shared, vault).start() : null;
    SharedAuditIndex auditIndex = opened.store() instanceof PostgresSecretStore shared
        ? new SharedAuditIndex(shared, auditLog.signingKeyFingerprint()) : null;
    if (auditIndex != null) {
      auditLog.subscribeWithSequence(auditIndex::recorded);
    }
    EventDispatcher events = new EventDispatcher(vault.eventRules(), config.dataDir(), tuning.events(),
        config.eventTargetUrls());
    auditLog.subscribe(events::recorded);
    RotationScheduler rotations = null;
    try {
      AuditTrail audit = new AuditTrail(auditLog, clock, config.region(), config.account());
      SigV4Verifier verifier = new SigV4Verifier(vault.accessKeys(), clock, config.region(),
          config.guessLimits().signatures());
      vault.mfaDevices().onFailure(failure -> MfaFailureEvents.record(audit, failure));
      TokenOwners tokenOwners = new TokenOwners(config.agentTokens(), vault.identity());
      bindOldAgentTokens(tokenOwners);
      TokenAuthentication tokenAuthentication = new TokenAuthentication(tokenOwners);
      ChangeStream changes = new ChangeStream(verifier, tokenAuthentication, vault, random, audit, clock);
      Rotators rotators = new Rotators(config.dataDir(), vault.passwords(), config.rotationTargets());
      rotations = opened.store() instanceof PostgresSecretStore shared
          ? new RotationScheduler(vault.secrets(), rotators, audit, clock, new PostgresLeases(shared), tuning.rotationLease())
          : new RotationScheduler(vault.secrets(), rotators, audit, clock);
      AwsJsonProtocol awsJson = new AwsJsonProtocol(vault, verifier,
          auditIndex != null ? new AuditLookup(auditIndex, vault.authorizer())
              : new AuditLookup(auditLog.directory(), vault.authorizer()), config.account(), rotators, rotations,
          new BackupMaker(opened.store(), vault.rootKey(), random, clock, config.dataDir()), tokenAuthentication,
          config.eventTargetUrls());
      Metrics metrics = new Metrics(vault.secrets(), auditLog, events::outcomes);
      AccessLog accessLog = new AccessLog(config.accessLog());
      LocalAgentApi localAgent = new LocalAgentApi(tokenOwners, awsJson, audit, metrics, accessLog, clock);
      UndertowServer server = new UndertowServer(config.bind(), config.port(), awsJson,
          new QueryProtocol(vault, verifier, config.account()), changes, localAgent, audit, metrics,
          () -> readiness(opened.store(), auditLog), accessLog,
          config.probePort() == null ? null : new UndertowServer.Probes(config.probeBind(), config.probePort()),
          config.http(), clock);
      server.start();
      DeletionSweeper sweeper = new DeletionSweeper(vault.secrets(), vault.keys(), audit);
      sweeper.start(tuning.sweepInterval());
      rotations.start(tuning.rotationTick(), vault.changes());
      return new Sidecar(config, vault, auditLog, events, rotations, remote, auditIndex, server, sweeper,
          List.copyOf(created), changes);
    } catch (RuntimeException e) {
      if (remote != null) {
        remote.close();
      }
      if (auditIndex != null) {
        auditIndex.close();
      }
      if (rotations != null) {
        rotations.close();
      }
      events.close();
      auditLog.close();
      vault.close();
      throw e;
    }
  }

  /** Old agent tokens bound by name are bound by unique id now; a damaged file is the agent API's to report. */
  private static void bindOldAgentTokens(TokenOwners owners) {
    try {
      owners.bindOldTokens();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not bind the agent tokens in " + owners.tokens().file()
          + " to their users at start (" + e.getMessage() + "); each is bound when it is first used");
    }
  }

  private static String readiness(SecretStore store, AuditLog auditLog) {
    if (auditLog.isFailing()) {
      return "the audit log cannot be written";
    }
    try {
      store.probe();
      return null;
    } catch (StoreException e) {
      return e.getMessage();
    }
  }

  /** Purges the secrets whose recovery window has ended, now rather than on the next sweep. */
  public void sweepDeletions() {
    sweeper.sweep();
  }

  /** The rotation scheduler: tests run due rotations with it and wait for them. */
  public RotationScheduler rotations() {
    return rotations;
  }

  /** The change feed's streams: tests recheck their credentials without waiting for the timer. */
  public ChangeStream changeStream() {
    return changeStream;
  }

  /** Event rule deliveries, for metrics. */
  public EventDispatcher events() {
    return events;
  }

  /** The audit log, for its signing key's fingerprint and its directory. */
  public AuditLog audit() {
    return audit;
  }

  public int port() {
    return server.port();
  }

  /** The port serving only /healthz, /readyz and /metrics, or -1 without {@code --probe-port}. */
  public int probePort() {
    return server.probePort();
  }

  /** What {@code GET /metrics} serves (on the probe port, or the API port with metrics-on-api-port). */
  public Metrics metrics() {
    return server.metrics();
  }

  public String endpoint() {
    String host = config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
    return "http://" + host + ":" + port();
  }

  public ServerConfig config() {
    return config;
  }

  /** Files the start created in the data directory (empty if it existed already). */
  public List<String> created() {
    return created;
  }

  public Vault vault() {
    return vault;
  }

  @Override
  public void close() {
    try {
      server.stop(10, TimeUnit.SECONDS);
    } finally {
      sweeper.close();
      rotations.close();
      if (remote != null) {
        remote.close();
      }
      try {
        audit.close();
      } finally {
        if (auditIndex != null) {
          auditIndex.close();
        }
        events.close();
        vault.close();
      }
    }
  }
}
