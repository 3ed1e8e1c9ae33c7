package dev.stowaway.vault.secrets;

import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.store.SecretRecord;
import dev.stowaway.vault.store.StoreView;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds secrets the ways AWS lets callers name them, and describes them without their values. */
final class SecretLookup {

  static final String MARKED_FOR_DELETION =
      "You can't perform this operation on the secret because it was marked for deletion.";
  private static final String NOT_FOUND = "Secrets Manager can't find the specified secret.";

  private final SecretArn arns;

  SecretLookup(SecretArn arns) {
    this.arns = arns;
  }

  /** The secret, unless it is scheduled for deletion. */
  SecretRecord live(StoreView view, String secretId) {
    SecretRecord secret = find(view, secretId);
    if (secret.deletedDate() != null) {
      throw VaultException.invalidRequest(MARKED_FOR_DELETION);
    }
    return secret;
  }

  /** The secret, if there is one by this name, full ARN or partial ARN. */
  Optional<SecretRecord> findOptional(StoreView view, String secretId) {
    try {
      return Optional.of(find(view, secretId));
    } catch (VaultException e) {
      return Optional.empty();
    }
  }

  /** The resource a request names: the secret's ARN when it exists, else what the caller wrote, as an ARN. */
  String resourceFor(SecretRecord secret, String secretId) {
    if (secret != null) {
      return secret.arn();
    }
    return arns.isArn(secretId) ? secretId : arns.prefix() + secretId;
  }

  /** Finds a secret by name, full ARN or partial ARN (the ARN without its random suffix). */
  SecretRecord find(StoreView view, String secretId) {
    if (arns.isArn(secretId)) {
      Optional<SecretRecord> exact = view.secret(secretId);
      if (exact.isPresent()) {
        return exact.get();
      }
      String resource = arns.resourceOf(secretId);
      if (resource == null) {
        throw VaultException.notFound(NOT_FOUND);
      }
      return view.arnForName(resource).flatMap(view::secret).orElseThrow(() -> VaultException.notFound(NOT_FOUND));
    }
    return view.arnForName(secretId).flatMap(view::secret).orElseThrow(() -> VaultException.notFound(NOT_FOUND));
  }

  static SecretDescription describe(SecretRecord s) {
    Map<String, List<String>> stages = new LinkedHashMap<>();
    for (SecretRecord.VersionRecord v : s.versions()) {
      if (!v.stages().isEmpty()) {
        stages.put(v.versionId(), v.stages());
      }
    }
    return new SecretDescription(s.arn(), s.name(), s.description(), s.kmsKeyId(),
        s.tags().stream().map(t -> new Tag(t.key(), t.value())).toList(),
        Instant.ofEpochMilli(s.createdDate()), Instant.ofEpochMilli(s.lastChangedDate()),
        instant(s.lastAccessedDate()), instant(s.deletedDate()), stages, s.rotation() == null ? null
            : new SecretDescription.Rotation(s.rotation().enabled(), s.rotation().rotatorArn(),
                s.rotation().automaticallyAfterDays(), s.rotation().scheduleExpression(), s.rotation().duration(),
                instant(s.rotation().nextRotationDate()), instant(s.rotation().lastRotatedDate())));
  }


  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
