package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.backup.BackupMaker;
import dev.stowaway.vault.policy.Authorizer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stowaway's own operations, which no AWS service has ({@code X-Amz-Target: Stowaway.<Op>},
 * signed for service {@code stowaway}, authorized as {@code stowaway:<Op>}):
 * {@code CreateBackup} answers a sealed backup of the whole vault, base64-encoded.
 */
final class StowawayApi implements JsonApi {

  private final Map<String, Operation> operations = new LinkedHashMap<>();

  StowawayApi(BackupMaker backups, Authorizer authorizer) {
    operations.put("CreateBackup", (in, caller) -> {
      authorizer.authorize(caller, "stowaway:CreateBackup", "*", Map.of(), null);
      BackupMaker.Made made = backups.make();
      ObjectNode out = JsonOutput.object();
      out.put("Created", made.manifest().created().toEpochMilli() / 1000.0);
      ObjectNode counts = out.putObject("Counts");
      made.manifest().counts().forEach(counts::put);
      out.put("Backup", Base64.getEncoder().encodeToString(made.bytes()));
      return out;
    });
  }

  @Override
  public String targetPrefix() {
    return "Stowaway";
  }

  @Override
  public String signingName() {
    return "stowaway";
  }

  @Override
  public Map<String, Operation> operations() {
    return operations;
  }
}
