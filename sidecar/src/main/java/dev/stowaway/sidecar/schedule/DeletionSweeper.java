package dev.stowaway.sidecar.schedule;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.audit.AuditTrail;
import dev.stowaway.vault.audit.AuditUnavailableException;
import dev.stowaway.vault.kms.KeyService;
import dev.stowaway.vault.secrets.SecretRef;
import dev.stowaway.vault.secrets.SecretsService;
import java.util.ArrayList;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Purges secrets whose recovery window has ended, deletes KMS keys whose waiting period has ended
 * and rotates the keys whose automatic rotation is due, at start and then every interval. Each purge is
 * the vault acting by itself, so it is audited as service events: StartSecretVersionDelete
 * before, EndSecretVersionDelete after. Nothing is purged while the audit log cannot be written.
 */
public final class DeletionSweeper implements AutoCloseable {

  private static final Logger LOG = System.getLogger(DeletionSweeper.class.getName());
  private static final String SOURCE = "secretsmanager.amazonaws.com";
  private static final String TYPE = "AWS::SecretsManager::Secret";

  private final SecretsService secrets;
  private final KeyService keys;
  private final AuditTrail audit;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "stowaway-deletion-sweeper");
    t.setDaemon(true);
    return t;
  });

  public DeletionSweeper(SecretsService secrets, KeyService keys, AuditTrail audit) {
    this.secrets = secrets;
    this.keys = keys;
    this.audit = audit;
  }

  public void start(Duration interval) {
    executor.scheduleWithFixedDelay(this::sweep, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One sweep now, on the caller's thread; the schedule runs the same. */
  public void sweep() {
    try {
      List<String> purged = new ArrayList<>();
      for (SecretRef due : secrets.expired()) {
        audit.serviceEvent(SOURCE, "StartSecretVersionDelete", due.arn(), TYPE, details(due));
        if (secrets.purge(due.arn())) {
          purged.add(due.name());
          audit.serviceEvent(SOURCE, "EndSecretVersionDelete", due.arn(), TYPE, details(due));
        } else {
          audit.serviceEvent(SOURCE, "CancelSecretVersionDelete", due.arn(), TYPE, details(due));
        }
      }
      if (!purged.isEmpty()) {
        LOG.log(Level.INFO, "purged " + purged.size() + " secret(s) whose recovery window ended: " + purged);
      }
      audit.checkWritable();
      for (String keyId : keys.purgeDeletedKeys()) {
        audit.serviceEvent("kms.amazonaws.com", "DeleteKey", keys.keyArn(keyId), "AWS::KMS::Key",
            JsonNodeFactory.instance.objectNode().put("KeyId", keyId));
      }
      for (String keyId : keys.rotateDueKeys()) {
        audit.serviceEvent("kms.amazonaws.com", "RotateKey", keys.keyArn(keyId), "AWS::KMS::Key",
            JsonNodeFactory.instance.objectNode().put("KeyId", keyId));
      }
    } catch (AuditUnavailableException e) {
      LOG.log(Level.WARNING, "deletion sweep stopped: the audit log cannot be written; will retry");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "deletion sweep failed; will retry", e);
    }
  }

  private static ObjectNode details(SecretRef secret) {
    return JsonNodeFactory.instance.objectNode().put("SecretId", secret.arn()).put("Name", secret.name());
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
