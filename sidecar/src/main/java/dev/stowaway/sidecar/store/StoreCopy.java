package dev.stowaway.sidecar.store;

import dev.stowaway.vault.store.SecretRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreView;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Copies every record of one store into another, empty one, as stored: ciphertext stays
 * ciphertext, so the copy needs no key and decrypts nothing. Counts what it copied, by kind.
 */
public final class StoreCopy {

  private StoreCopy() {}

  /** Copies {@code from} into {@code to} in one transaction; refuses a target that holds a vault already. */
  public static Map<String, Integer> copy(SecretStore from, SecretStore to, PrintStream progress) {
    if (!to.read(view -> view.kmsKeys().isEmpty() && view.secrets().isEmpty())) {
      throw new IllegalStateException("the target store holds a vault already; copy only into an empty one");
    }
    return from.read(source -> to.write(target -> {
      Map<String, Integer> counts = new LinkedHashMap<>();
      int versions = 0;
      for (SecretRecord secret : source.secrets()) {
        target.putSecret(secret);
        for (SecretRecord.VersionRecord version : secret.versions()) {
          byte[] envelope = source.versionData(secret.arn(), version.versionId()).orElseThrow(() ->
              new IllegalStateException("version " + version.versionId() + " of " + secret.arn() + " has no value"));
          target.putVersionData(secret.arn(), version.versionId(), envelope);
          versions++;
        }
      }
      counts.put("secrets", source.secrets().size());
      counts.put("secret versions", versions);
      source.kmsKeys().forEach(target::putKmsKey);
      counts.put("KMS keys", source.kmsKeys().size());
      source.aliases().forEach(target::putAlias);
      counts.put("KMS aliases", source.aliases().size());
      source.accessKeys().forEach(target::putAccessKey);
      counts.put("access keys", source.accessKeys().size());
      source.users().forEach(target::putUser);
      counts.put("users", source.users().size());
      source.groups().forEach(target::putGroup);
      counts.put("groups", source.groups().size());
      source.managedPolicies().forEach(target::putManagedPolicy);
      counts.put("managed policies", source.managedPolicies().size());
      source.mfaDevices().forEach(target::putMfaDevice);
      counts.put("MFA devices", source.mfaDevices().size());
      source.sessions().forEach(target::putSession);
      counts.put("sessions", source.sessions().size());
      source.roles().forEach(target::putRole);
      counts.put("roles", source.roles().size());
      source.parameters().forEach(target::putParameter);
      counts.put("parameters", source.parameters().size());
      source.eventRules().forEach(target::putEventRule);
      counts.put("event rules", source.eventRules().size());
      counts.forEach((kind, n) -> progress.println("stowaway: copied " + n + " " + kind));
      return counts;
    }));
  }

  /** The same counts, read from a store, to compare after the copy. */
  public static Map<String, Integer> count(StoreView view) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("secrets", view.secrets().size());
    counts.put("secret versions", view.secrets().stream().mapToInt(s -> s.versions().size()).sum());
    counts.put("KMS keys", view.kmsKeys().size());
    counts.put("KMS aliases", view.aliases().size());
    counts.put("access keys", view.accessKeys().size());
    counts.put("users", view.users().size());
    counts.put("groups", view.groups().size());
    counts.put("managed policies", view.managedPolicies().size());
    counts.put("MFA devices", view.mfaDevices().size());
    counts.put("sessions", view.sessions().size());
    counts.put("roles", view.roles().size());
    counts.put("parameters", view.parameters().size());
    counts.put("event rules", view.eventRules().size());
    return counts;
  }
}
