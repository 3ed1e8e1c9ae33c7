package dev.stowaway.sidecar.rotation;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.audit.AuditTrail;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.secrets.RetrievedSecret;
import dev.stowaway.vault.secrets.SecretRotations;
import dev.stowaway.vault.secrets.SecretValue;
import dev.stowaway.vault.secrets.SecretsService;
import dev.stowaway.vault.secrets.Tag;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Runs one rotation's four steps with the rotation's token as the new version id: createSecret
 * (the new value as AWSPENDING), setSecret, testSecret, finishSecret (AWSCURRENT moves, AWSPREVIOUS
 * follows). A failed step leaves AWSCURRENT where it was; a built-in rotator first puts back what
 * setSecret changed. Each rotation is recorded as service events: RotationStarted, then
 * RotationSucceeded or RotationFailed.
 */
final class RotationRun {

  static final String SOURCE = "secretsmanager.amazonaws.com";
  static final String TYPE = "AWS::SecretsManager::Secret";
  private static final Logger LOG = System.getLogger(RotationRun.class.getName());
  private static final String CURRENT = "AWSCURRENT";
  private static final String PREVIOUS = "AWSPREVIOUS";

  private final SecretsService secrets;
  private final SecretRotations rotations;
  private final Rotators rotators;
  private final AuditTrail audit;

  RotationRun(SecretsService secrets, Rotators rotators, AuditTrail audit) {
    this.secrets = secrets.as(Caller.SYSTEM);
    this.rotations = this.secrets.rotations();
    this.rotators = rotators;
    this.audit = audit;
  }

  void run(SecretRotations.Due due) {
    audit.serviceEvent(SOURCE, "RotationStarted", due.arn(), TYPE, details(due, null));
    try {
      steps(due);
    } catch (RotationException | RuntimeException e) {
      if (e instanceof dev.stowaway.vault.audit.AuditUnavailableException unavailable) {
        throw unavailable;
      }
      // A driver's own failure may quote what it was given: its message stays out of the record.
      String reason = e instanceof RuntimeException && !(e instanceof VaultException)
          ? "the rotator failed unexpectedly (" + e.getClass().getName() + ")" : e.getMessage();
      LOG.log(Level.WARNING, "rotation of " + due.name() + " failed: " + reason + "; AWSCURRENT is unchanged");
      rotations.fail(due.arn(), due.token());
      audit.serviceEvent(SOURCE, "RotationFailed", due.arn(), TYPE, details(due, reason));
      return;
    }
    if (rotations.finish(due.arn(), due.token()) == SecretRotations.Finish.SUCCEEDED) {
      LOG.log(Level.INFO, "rotated " + due.name() + ": version " + due.token() + " is AWSCURRENT");
      audit.serviceEvent(SOURCE, "RotationSucceeded", due.arn(), TYPE, details(due, null));
    } else {
      LOG.log(Level.INFO, "rotation of " + due.name() + " was abandoned: a new value was put while it ran");
    }
  }

  private void steps(SecretRotations.Due due) throws RotationException {
    Rotator rotator = rotators.named(due.rotatorArn());
    if (rotator instanceof Rotator.External external) {
      String rotationToken = UUID.randomUUID().toString();
      if (!due.resumed()) {
        external.step("createSecret", due.arn(), due.token(), rotationToken);
      }
      if (!stillPending(due)) {
        throw new RotationException("createSecret: the rotator did not put version " + due.token() + " as AWSPENDING");
      }
      for (String step : new String[] {"setSecret", "testSecret", "finishSecret"}) {
        if (!stillPending(due)) {
          return; // abandoned by a value put in the meantime: finish sees it and moves nothing
        }
        external.step(step, due.arn(), due.token(), rotationToken);
      }
      return;
    }
    Rotator.BuiltIn builtIn = (Rotator.BuiltIn) rotator;
    RotationContext context = new RotationContext(due.arn(), due.name(), due.token(), value(due.arn(), null, CURRENT),
        null, previous(due.arn()), arn -> value(arn, null, CURRENT), tags(due.arn()), this::tags);
    String pending;
    if (due.resumed()) {
      pending = value(due.arn(), due.token(), null);
    } else {
      pending = builtIn.create(context);
      rotations.putPending(due.arn(), due.token(), SecretValue.ofString(pending));
    }
    context = context.withPending(pending);
    builtIn.set(context);
    try {
      builtIn.test(context);
    } catch (RotationException e) {
      try {
        builtIn.undo(context);
      } catch (RotationException undo) {
        LOG.log(Level.ERROR, "rotation of " + due.name() + ": " + undo.getMessage());
      }
      throw e;
    }
  }

  /** As AWS's rotation functions check before each step: the token still holds AWSPENDING. */
  private boolean stillPending(SecretRotations.Due due) {
    return rotations.pendingVersion(due.arn()).map(due.token()::equals).orElse(false);
  }

  private String value(String arn, String versionId, String stage) {
    RetrievedSecret found = secrets.getValue(arn, versionId, stage);
    if (found.value().isBinary()) {
      throw VaultException.invalidRequest("Rotation needs a SecretString; " + arn + " holds SecretBinary.");
    }
    return found.value().asString();
  }

  private String previous(String arn) {
    try {
      return value(arn, null, PREVIOUS);
    } catch (VaultException e) {
      return null;
    }
  }

  private Map<String, String> tags(String arn) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (Tag tag : secrets.describe(arn).tags()) {
      tags.put(tag.key(), tag.value());
    }
    return tags;
  }

  private static ObjectNode details(SecretRotations.Due due, String reason) {
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("SecretId", due.arn());
    details.put("ClientRequestToken", due.token());
    details.put("RotationLambdaARN", due.rotatorArn());
    if (due.resumed()) {
      details.put("Resumed", true);
    }
    if (reason != null) {
      details.put("Reason", reason);
    }
    return details;
  }
}
