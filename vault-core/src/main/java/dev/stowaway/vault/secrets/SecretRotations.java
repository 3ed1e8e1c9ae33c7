package dev.stowaway.vault.secrets;

import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.events.ChangeFeed;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.rotation.RotationSchedule;
import dev.stowaway.vault.store.SecretRecord;
import dev.stowaway.vault.store.SecretRecord.RotationRecord;
import dev.stowaway.vault.store.SecretStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A secret's rotation as stored: its configuration (RotateSecret, CancelRotateSecret), which
 * rotations are due, and the label moves that begin, finish or fail one. The steps that touch a
 * database belong to the sidecar's rotators; every move of a label happens here, in one
 * transaction with the dates it implies, so a crash never leaves two versions claiming AWSCURRENT.
 */
public final class SecretRotations {

  static final String IN_PROGRESS = "A previous rotation isn't complete. That rotation will be reattempted.";
  private static final Duration FIRST_RETRY = Duration.ofHours(1);
  private static final Duration LAST_RETRY = Duration.ofHours(24);

  /** What RotateSecret set up: the version the rotation will create, and whether to start now. */
  public record Started(String arn, String name, String token, String rotatorArn, boolean immediately) {}

  /** A rotation to run: a fresh one (new token), or one a crash left half done (its pending version). */
  public record Due(String arn, String name, String rotatorArn, String token, boolean resumed) {}

  /** How a rotation ended once its steps were done. */
  public enum Finish {
    SUCCEEDED, ABANDONED
  }

  private final SecretsService secrets;
  private final SecretStore store;
  private final Clock clock;
  private final SecretLookup lookup;
  private final Authorizer authorizer;
  private final Caller caller;
  private final ChangeFeed changes;

  SecretRotations(SecretsService secrets, SecretStore store, Clock clock, SecretLookup lookup, Authorizer authorizer,
      Caller caller, ChangeFeed changes) {
    this.secrets = secrets;
    this.store = store;
    this.clock = clock;
    this.lookup = lookup;
    this.authorizer = authorizer;
    this.caller = caller;
    this.changes = changes;
  }

  /**
   * RotateSecret: stores the rotator and rules, and says whether to rotate now. Refused while a
   * previous rotation is unfinished (AWSPENDING on a version other than AWSCURRENT).
   */
  public Started rotate(String secretId, String token, String rotatorArn, Integer automaticallyAfterDays,
      String scheduleExpression, String duration, Boolean rotateImmediately) {
    SecretConstraints.checkSecretId(secretId);
    SecretConstraints.checkClientRequestToken(token);
    authorize("secretsmanager:RotateSecret", secretId);
    boolean rulesGiven = automaticallyAfterDays != null || scheduleExpression != null || duration != null;
    RotationSchedule given = RotationSchedule.of(automaticallyAfterDays, scheduleExpression, duration);
    String versionId = token != null ? token : UUID.randomUUID().toString();
    boolean immediately = rotateImmediately == null || rotateImmediately;
    return store.write(tx -> {
      SecretRecord secret = lookup.live(tx, secretId);
      RotationRecord old = secret.rotation();
      String rotator = rotatorArn != null ? rotatorArn : old == null ? null : old.rotatorArn();
      if (rotator == null) {
        throw VaultException.invalidRequest("No Lambda rotation function ARN is associated with this secret.");
      }
      VersionSet versions = new VersionSet(secret.versions());
      if (inProgress(versions)) {
        throw VaultException.invalidRequest(IN_PROGRESS);
      }
      if (versions.contains(versionId)) {
        throw VaultException.exists("You can't use ClientRequestToken " + versionId + " because that value is already "
            + "in use for a version of secret " + secret.arn() + ".");
      }
      RotationSchedule schedule = rulesGiven || old == null ? given
          : RotationSchedule.of(old.automaticallyAfterDays(), old.scheduleExpression(), old.duration());
      Instant next = schedule.next(clock.instant());
      tx.putSecret(secret.withRotation(new RotationRecord(true, rotator, schedule.automaticallyAfterDays(),
          schedule.scheduleExpression(), schedule.duration(), next == null ? null : next.toEpochMilli(),
          old == null ? null : old.lastRotatedDate(), 0)));
      return new Started(secret.arn(), secret.name(), versionId, rotator, immediately);
    });
  }

  /** CancelRotateSecret: no more scheduled rotations; a rotation under way stops at its next step. */
  public SecretRef cancel(String secretId) {
    SecretConstraints.checkSecretId(secretId);
    authorize("secretsmanager:CancelRotateSecret", secretId);
    return store.write(tx -> {
      SecretRecord secret = lookup.live(tx, secretId);
      RotationRecord old = secret.rotation();
      String pending = new VersionSet(secret.versions()).holderOf(VersionSet.PENDING).orElse(null);
      if (old != null) {
        tx.putSecret(secret.withRotation(new RotationRecord(false, old.rotatorArn(), old.automaticallyAfterDays(),
            old.scheduleExpression(), old.duration(), null, old.lastRotatedDate(), old.failures())));
      }
      return new SecretRef(secret.arn(), secret.name(), pending, List.of());
    });
  }

  /** Rotations to run at {@code now}: scheduled ones that are due, and any a crash left unfinished. */
  public List<Due> due(Instant now) {
    List<Due> due = new ArrayList<>();
    for (SecretRecord secret : store.read(view -> view.secrets())) {
      RotationRecord rotation = secret.rotation();
      if (rotation == null || secret.deletedDate() != null) {
        continue;
      }
      VersionSet versions = new VersionSet(secret.versions());
      if (inProgress(versions)) {
        due.add(new Due(secret.arn(), secret.name(), rotation.rotatorArn(),
            versions.holderOf(VersionSet.PENDING).orElseThrow(), true));
      } else if (rotation.enabled() && rotation.nextRotationDate() != null
          && rotation.nextRotationDate() <= now.toEpochMilli()) {
        due.add(new Due(secret.arn(), secret.name(), rotation.rotatorArn(), UUID.randomUUID().toString(), false));
      }
    }
    return due;
  }

  /** The version that holds AWSPENDING, if a rotation has created one. */
  public Optional<String> pendingVersion(String arn) {
    return store.read(view -> view.secret(arn)).flatMap(s -> new VersionSet(s.versions()).holderOf(VersionSet.PENDING));
  }

  /** The rotation settings of a secret, or null if it never had any. */
  public RotationRecord settings(String arn) {
    return store.read(view -> view.secret(arn)).map(SecretRecord::rotation).orElse(null);
  }

  /** createSecret: stores the new value as AWSPENDING under the rotation's token. */
  public void putPending(String arn, String token, SecretValue value) {
    secrets.as(Caller.SYSTEM).putValue(new PutSecretValue(arn, value, token, List.of(VersionSet.PENDING)));
  }

  /**
   * finishSecret: moves AWSCURRENT to the token's version (AWSPREVIOUS follows) and takes AWSPENDING
   * off it, in one transaction with the new dates. If AWSPENDING is no longer there, a user's new
   * value abandoned the rotation in the meantime, and nothing moves.
   */
  public Finish finish(String arn, String token) {
    Finish finish = store.write(tx -> {
      SecretRecord secret = tx.secret(arn).orElseThrow(() -> VaultException.notFound(
          "Secrets Manager can't find the specified secret."));
      VersionSet versions = new VersionSet(secret.versions());
      if (!versions.contains(token) || !versions.stagesOf(token).contains(VersionSet.PENDING)) {
        return Finish.ABANDONED;
      }
      long now = clock.millis();
      String current = versions.holderOf(VersionSet.CURRENT).orElse(null);
      if (!token.equals(current)) {
        versions.moveStage(VersionSet.CURRENT, current, token);
      }
      versions.moveStage(VersionSet.PENDING, token, null);
      RotationRecord old = secret.rotation();
      Instant next = null;
      if (old != null && old.enabled()) {
        next = RotationSchedule.of(old.automaticallyAfterDays(), old.scheduleExpression(), old.duration())
            .next(Instant.ofEpochMilli(now));
      }
      tx.putSecret(secret.withVersions(versions.toRecords(), now).withRotation(old == null ? null
          : new RotationRecord(old.enabled(), old.rotatorArn(), old.automaticallyAfterDays(), old.scheduleExpression(),
              old.duration(), next == null ? null : next.toEpochMilli(), now, 0)));
      return Finish.SUCCEEDED;
    });
    if (finish == Finish.SUCCEEDED) {
      announce(arn, "RotationSucceeded");
    }
    return finish;
  }

  /**
   * A step failed: AWSPENDING comes off the new version (which stays, deprecated, for the record),
   * AWSCURRENT stays where it is, and the next attempt waits: an hour after the first failure,
   * doubling to a day, never later than the next scheduled rotation.
   */
  public Instant fail(String arn, String token) {
    Instant retry = store.write(tx -> {
      SecretRecord secret = tx.secret(arn).orElse(null);
      if (secret == null) {
        return null;
      }
      VersionSet versions = new VersionSet(secret.versions());
      if (versions.contains(token) && versions.stagesOf(token).contains(VersionSet.PENDING)) {
        versions.moveStage(VersionSet.PENDING, token, null);
      }
      RotationRecord old = secret.rotation();
      Instant now = clock.instant();
      Instant next = null;
      int failures = old == null ? 1 : old.failures() + 1;
      if (old != null && old.enabled()) {
        Duration backoff = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 10));
        next = now.plus(backoff.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : backoff);
        Instant scheduled = RotationSchedule.of(old.automaticallyAfterDays(), old.scheduleExpression(), old.duration())
            .next(now);
        if (scheduled != null && scheduled.isBefore(next)) {
          next = scheduled;
        }
      }
      tx.putSecret(secret.withVersions(versions.toRecords(), clock.millis()).withRotation(old == null ? null
          : new RotationRecord(old.enabled(), old.rotatorArn(), old.automaticallyAfterDays(), old.scheduleExpression(),
              old.duration(), next == null ? null : next.toEpochMilli(), old.lastRotatedDate(), failures)));
      return next;
    });
    announce(arn, "RotationFailed");
    return retry;
  }

  static boolean inProgress(VersionSet versions) {
    Optional<String> pending = versions.holderOf(VersionSet.PENDING);
    return pending.isPresent() && !pending.equals(versions.holderOf(VersionSet.CURRENT));
  }

  private void announce(String arn, String operation) {
    store.read(view -> view.secret(arn)).ifPresent(secret -> changes.publish(secret.arn(), secret.name(), operation,
        SecretLookup.describe(secret).versionIdsToStages()));
  }

  private void authorize(String action, String secretId) {
    if (caller.isSystem()) {
      return;
    }
    SecretRecord secret = store.read(view -> lookup.findOptional(view, secretId)).orElse(null);
    Map<String, List<String>> keys = new LinkedHashMap<>();
    keys.put("secretsmanager:SecretId", List.of(secretId));
    if (secret != null) {
      keys.put("secretsmanager:Name", List.of(secret.name()));
    }
    authorizer.authorize(caller, action, lookup.resourceFor(secret, secretId), lookup.resourceFor(null, secretId), keys,
        secret == null ? null : secret.resourcePolicy());
  }
}
