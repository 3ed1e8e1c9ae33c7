package dev.stowaway.vault.secrets;

import dev.stowaway.vault.RandomIds;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.events.ChangeFeed;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.kms.EnvelopeCipher;
import dev.stowaway.vault.kms.KeyRing;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.SecretRecord;
import dev.stowaway.vault.store.SecretRecord.TagRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreTransaction;
import dev.stowaway.vault.store.StoreView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Secrets Manager's semantics over the store: each operation validates, encrypts or decrypts,
 * and commits in one unit of work before it answers.
 */
public final class SecretsService {

  static final int DEFAULT_RECOVERY_DAYS = 30;
  static final int MAX_PAGE = 100;
  private static final int MAX_BATCH_IDS = 20;
  private static final int MAX_BATCH_RESULTS = 20;
  private static final int MAX_FILTERS = 10;

  private final SecretStore store;
  private final KeyRing keyRing;
  private final EnvelopeCipher cipher;
  private final Clock clock;
  private final RandomIds ids;
  private final SecretArn arns;
  private final SecretLookup lookup;
  private final VersionCipher versionCipher;
  private final ChangeFeed changes;
  private final Authorizer authorizer;
  private final Caller caller;

  public SecretsService(SecretStore store, KeyRing keyRing, EnvelopeCipher cipher, Clock clock,
      RandomIds ids, SecretArn arns, ChangeFeed changes, Authorizer authorizer) {
    this(store, keyRing, cipher, clock, ids, arns, changes, authorizer, Caller.SYSTEM);
  }

  private SecretsService(SecretStore store, KeyRing keyRing, EnvelopeCipher cipher, Clock clock,
      RandomIds ids, SecretArn arns, ChangeFeed changes, Authorizer authorizer, Caller caller) {
    this.changes = changes;
    this.authorizer = authorizer;
    this.caller = caller;
    this.store = store;
    this.keyRing = keyRing;
    this.cipher = cipher;
    this.clock = clock;
    this.ids = ids;
    this.arns = arns;
    this.lookup = new SecretLookup(arns);
    this.versionCipher = new VersionCipher(cipher);
  }

  /** Rotation settings and the label moves of a rotation, for the same caller. */
  public SecretRotations rotations() {
    return new SecretRotations(this, store, clock, lookup, authorizer, caller, changes);
  }

  /** The same service acting for {@code who}: every call is authorized against its policies first. */
  public SecretsService as(Caller who) {
    return new SecretsService(store, keyRing, cipher, clock, ids, arns, changes, authorizer, who);
  }

  // ---- writes -------------------------------------------------------------------------------

  public SecretRef create(CreateSecret cmd) {
    SecretConstraints.checkName(cmd.name());
    SecretConstraints.checkDescription(cmd.description());
    SecretConstraints.checkValue(cmd.value());
    SecretConstraints.checkClientRequestToken(cmd.clientRequestToken());
    SecretConstraints.checkTags(cmd.tags());
    Map<String, List<String>> keys = new LinkedHashMap<>();
    keys.put("secretsmanager:Name", List.of(cmd.name()));
    requestTags(keys, cmd.tags());
    authorizer.authorize(caller, "secretsmanager:CreateSecret", arns.prefix() + cmd.name(), keys, null);
    return announced("CreateSecret", store.write(tx -> {
      Optional<SecretRecord> existing = tx.arnForName(cmd.name()).flatMap(tx::secret);
      if (existing.isPresent()) {
        return retriedCreate(tx, existing.get(), cmd);
      }
      KmsKeyRecord key = keyFor(tx, cmd.kmsKeyId());
      long now = clock.millis();
      String arn = arns.of(cmd.name(), ids.alphanumeric(SecretArn.SUFFIX_LENGTH));
      VersionSet versions = new VersionSet(List.of());
      String versionId = null;
      if (cmd.value() != null) {
        authorizeKeyUse(tx, "kms:GenerateDataKey", cmd.kmsKeyId());
        versionId = cmd.clientRequestToken() != null ? cmd.clientRequestToken() : ids.uuid();
        versions.add(versionId, now, List.of(VersionSet.CURRENT), cmd.kmsKeyId());
        tx.putVersionData(arn, versionId, versionCipher.seal(key, arn, versionId, cmd.value()));
      }
      tx.putSecret(new SecretRecord(arn, cmd.name(), cmd.description(), cmd.kmsKeyId(), tagRecords(cmd.tags()),
          now, now, null, null, null, versions.toRecords(), null, null));
      return new SecretRef(arn, cmd.name(), versionId, versionId == null ? List.of() : List.of(VersionSet.CURRENT));
    }));
  }

  /** A CreateSecret retried with the same token and value succeeds; anything else is a clash. */
  private SecretRef retriedCreate(StoreTransaction tx, SecretRecord secret, CreateSecret cmd) {
    if (secret.deletedDate() != null) {
      throw VaultException.invalidRequest(
          "You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    String token = cmd.clientRequestToken();
    VersionSet versions = new VersionSet(secret.versions());
    if (token != null && cmd.value() != null && versions.contains(token)
        && sameValue(tx, secret, token, cmd.value())) {
      return new SecretRef(secret.arn(), secret.name(), token, versions.stagesOf(token));
    }
    throw VaultException.exists("The operation failed because the secret " + cmd.name() + " already exists.");
  }

  public SecretRef putValue(PutSecretValue cmd) {
    SecretConstraints.checkSecretId(cmd.secretId());
    if (cmd.value() == null) {
      throw VaultException.invalidParameter("You must provide either SecretString or SecretBinary.");
    }
    SecretConstraints.checkValue(cmd.value());
    SecretConstraints.checkClientRequestToken(cmd.clientRequestToken());
    List<String> stages = cmd.versionStages() == null ? List.of(VersionSet.CURRENT) : List.copyOf(cmd.versionStages());
    SecretConstraints.checkStages(stages);
    authorize("secretsmanager:PutSecretValue", cmd.secretId(), Map.of());
    // Set inside the write (which may run on another thread: the store commits writes in groups).
    AtomicReference<String> abandoned = new AtomicReference<>();
    return announced("PutSecretValue", abandoned, store.write(tx -> {
      SecretRecord secret = lookup.live(tx, cmd.secretId());
      // As AWS does: the first version a secret ever gets is AWSCURRENT, whatever else it is labelled.
      List<String> labels = stages;
      if (secret.versions().isEmpty() && !stages.contains(VersionSet.CURRENT)) {
        labels = new ArrayList<>(stages);
        labels.add(VersionSet.CURRENT);
      }
      return addVersion(tx, secret, secret.description(), secret.kmsKeyId(), cmd.value(), cmd.clientRequestToken(), labels,
          abandoned);
    }));
  }

  public SecretRef update(UpdateSecret cmd) {
    SecretConstraints.checkSecretId(cmd.secretId());
    SecretConstraints.checkDescription(cmd.description());
    SecretConstraints.checkValue(cmd.value());
    SecretConstraints.checkClientRequestToken(cmd.clientRequestToken());
    authorize("secretsmanager:UpdateSecret", cmd.secretId(), Map.of());
    AtomicReference<String> abandoned = new AtomicReference<>();
    return announced("UpdateSecret", abandoned, store.write(tx -> {
      SecretRecord secret = lookup.live(tx, cmd.secretId());
      String description = cmd.description() != null ? cmd.description() : secret.description();
      String kmsKeyId = secret.kmsKeyId();
      if (cmd.kmsKeyId() != null) {
        keyFor(tx, cmd.kmsKeyId());
        kmsKeyId = cmd.kmsKeyId();
      }
      if (cmd.value() != null) {
        SecretRef ref = addVersion(tx, secret, description, kmsKeyId, cmd.value(), cmd.clientRequestToken(),
            List.of(VersionSet.CURRENT), abandoned);
        return new SecretRef(ref.arn(), ref.name(), ref.versionId(), List.of());
      }
      tx.putSecret(secret.withContent(description, kmsKeyId, secret.versions(), clock.millis()));
      return new SecretRef(secret.arn(), secret.name(), null, List.of());
    }));
  }

  private SecretRef addVersion(StoreTransaction tx, SecretRecord secret, String description, String kmsKeyId,
      SecretValue value, String token, List<String> stages, AtomicReference<String> abandoned) {
    VersionSet versions = new VersionSet(secret.versions());
    if (token != null && versions.contains(token)) {
      if (!sameValue(tx, secret, token, value)) {
        throw VaultException.exists("You can't modify an existing version, you can only create a new version.");
      }
      return new SecretRef(secret.arn(), secret.name(), token, versions.stagesOf(token));
    }
    authorizeKeyUse(tx, "kms:GenerateDataKey", kmsKeyId);
    long now = clock.millis();
    String versionId = token != null ? token : ids.uuid();
    // A new current value put by hand abandons a rotation under way, as AWS does.
    boolean abandons = stages.contains(VersionSet.CURRENT) && !stages.contains(VersionSet.PENDING)
        && SecretRotations.inProgress(versions);
    if (abandons) {
      versions.moveStage(VersionSet.PENDING, versions.holderOf(VersionSet.PENDING).orElseThrow(), null);
      abandoned.set(secret.arn());
    }
    versions.add(versionId, now, stages, kmsKeyId);
    for (String dropped : versions.prune(now)) {
      tx.removeVersionData(secret.arn(), dropped);
    }
    tx.putVersionData(secret.arn(), versionId, versionCipher.seal(keyFor(tx, kmsKeyId), secret.arn(), versionId, value));
    tx.putSecret(secret.withContent(description, kmsKeyId, versions.toRecords(), now));
    return new SecretRef(secret.arn(), secret.name(), versionId, versions.stagesOf(versionId));
  }

  public SecretRef updateVersionStage(String secretId, String stage, String removeFrom, String moveTo) {
    SecretConstraints.checkSecretId(secretId);
    SecretConstraints.checkStage("versionStage", stage);
    SecretConstraints.checkVersionId("removeFromVersionId", removeFrom);
    SecretConstraints.checkVersionId("moveToVersionId", moveTo);
    authorize("secretsmanager:UpdateSecretVersionStage", secretId, Map.of());
    return announced("UpdateSecretVersionStage", store.write(tx -> {
      SecretRecord secret = lookup.live(tx, secretId);
      VersionSet versions = new VersionSet(secret.versions());
      versions.moveStage(stage, removeFrom, moveTo);
      long now = clock.millis();
      for (String dropped : versions.prune(now)) {
        tx.removeVersionData(secret.arn(), dropped);
      }
      tx.putSecret(secret.withContent(secret.description(), secret.kmsKeyId(), versions.toRecords(), now));
      return new SecretRef(secret.arn(), secret.name(), null, List.of());
    }));
  }

  public DeletionResult delete(String secretId, Integer recoveryWindowInDays, boolean forceDeleteWithoutRecovery) {
    SecretConstraints.checkSecretId(secretId);
    if (forceDeleteWithoutRecovery && recoveryWindowInDays != null) {
      throw VaultException.invalidParameter(
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    int days = recoveryWindowInDays == null ? DEFAULT_RECOVERY_DAYS : recoveryWindowInDays;
    if (!forceDeleteWithoutRecovery && (days < 7 || days > 30)) {
      throw VaultException.invalidParameter(
          "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    authorize("secretsmanager:DeleteSecret", secretId, Map.of());
    DeletionResult result = store.write(tx -> {
      SecretRecord secret = lookup.find(tx, secretId);
      Instant now = clock.instant();
      if (forceDeleteWithoutRecovery) {
        tx.removeSecret(secret.arn());
        return new DeletionResult(secret.arn(), secret.name(), now);
      }
      if (secret.deletedDate() != null) {
        throw VaultException.invalidRequest(SecretLookup.MARKED_FOR_DELETION);
      }
      Instant deletion = now.plus(Duration.ofDays(days));
      tx.putSecret(secret.withDeletion(now.toEpochMilli(), deletion.toEpochMilli(), now.toEpochMilli()));
      return new DeletionResult(secret.arn(), secret.name(), deletion);
    });
    // Scheduled or not, the secret can no longer be read: subscribers drop what they cached.
    changes.publish(result.arn(), result.name(), "DeleteSecret", Map.of());
    return result;
  }

  public SecretRef restore(String secretId) {
    SecretConstraints.checkSecretId(secretId);
    authorize("secretsmanager:RestoreSecret", secretId, Map.of());
    return announced("RestoreSecret", store.write(tx -> {
      SecretRecord secret = lookup.find(tx, secretId);
      if (secret.deletedDate() != null) {
        tx.putSecret(secret.withDeletion(null, null, clock.millis()));
      }
      return new SecretRef(secret.arn(), secret.name(), null, List.of());
    }));
  }

  public void tag(String secretId, List<Tag> tags) {
    SecretConstraints.checkSecretId(secretId);
    SecretConstraints.checkTags(tags);
    Map<String, List<String>> tagKeys = new LinkedHashMap<>();
    requestTags(tagKeys, tags);
    authorize("secretsmanager:TagResource", secretId, tagKeys);
    store.write(tx -> {
      SecretRecord secret = lookup.find(tx, secretId);
      Map<String, String> merged = new LinkedHashMap<>();
      secret.tags().forEach(t -> merged.put(t.key(), t.value()));
      tags.forEach(t -> merged.put(t.key(), t.value()));
      List<Tag> all = merged.entrySet().stream().map(e -> new Tag(e.getKey(), e.getValue())).toList();
      SecretConstraints.checkTags(all);
      tx.putSecret(secret.withTags(tagRecords(all), clock.millis()));
      return null;
    });
  }

  public void untag(String secretId, List<String> tagKeys) {
    SecretConstraints.checkSecretId(secretId);
    tagKeys.forEach(SecretConstraints::checkTagKey);
    authorize("secretsmanager:UntagResource", secretId, Map.of("aws:TagKeys", List.copyOf(tagKeys)));
    store.write(tx -> {
      SecretRecord secret = lookup.find(tx, secretId);
      tx.putSecret(secret.withTags(secret.tags().stream().filter(t -> !tagKeys.contains(t.key())).toList(),
          clock.millis()));
      return null;
    });
  }

  /** Secrets whose recovery window has ended, oldest deadline first: what the sweeper purges next. */
  public List<SecretRef> expired() {
    long now = clock.millis();
    return store.read(view -> view.secrets().stream()
        .filter(s -> s.deletionDate() != null && s.deletionDate() <= now)
        .sorted(java.util.Comparator.comparing(SecretRecord::deletionDate))
        .map(s -> new SecretRef(s.arn(), s.name(), null, List.of()))
        .toList());
  }

  /**
   * Deletes one secret for good, if its recovery window has ended (a restore in the meantime
   * wins). Returns whether it was deleted.
   */
  public boolean purge(String arn) {
    long now = clock.millis();
    SecretRecord purged = store.write(tx -> {
      SecretRecord secret = tx.secret(arn).orElse(null);
      if (secret == null || secret.deletionDate() == null || secret.deletionDate() > now) {
        return null;
      }
      tx.removeSecret(arn);
      return secret;
    });
    if (purged == null) {
      return false;
    }
    changes.publish(purged.arn(), purged.name(), "EndSecretVersionDelete", Map.of());
    return true;
  }

  /** Purges every secret whose recovery window has ended. Returns the names purged. */
  public List<String> purgeExpired() {
    return expired().stream().filter(s -> purge(s.arn())).map(SecretRef::name).toList();
  }

  /**
   * Authorizes {@code action} on the secret the caller named. Policies see the secret's ARN when it
   * exists and what the caller wrote otherwise; a denial always names what the caller wrote, so a
   * caller who may not act on a secret learns nothing of whether it exists.
   */
  private void authorize(String action, String secretId, Map<String, List<String>> extraKeys) {
    if (caller.isSystem()) {
      return;
    }
    SecretRecord secret = store.read(view -> lookup.findOptional(view, secretId)).orElse(null);
    Map<String, List<String>> keys = new LinkedHashMap<>(extraKeys);
    keys.put("secretsmanager:SecretId", List.of(secretId));
    if (secret != null) {
      keys.put("secretsmanager:Name", List.of(secret.name()));
      for (TagRecord t : secret.tags()) {
        keys.put("secretsmanager:ResourceTag/" + t.key(), List.of(t.value()));
        keys.put("aws:ResourceTag/" + t.key(), List.of(t.value()));
      }
    }
    authorizer.authorize(caller, action, lookup.resourceFor(secret, secretId), lookup.resourceFor(null, secretId),
        keys, secret == null ? null : secret.resourcePolicy());
  }

  private static void requestTags(Map<String, List<String>> keys, List<Tag> tags) {
    if (tags.isEmpty()) {
      return;
    }
    for (Tag t : tags) {
      keys.put("aws:RequestTag/" + t.key(), List.of(t.value() == null ? "" : t.value()));
    }
    keys.put("aws:TagKeys", tags.stream().map(Tag::key).toList());
  }

  // ---- resource policies ----------------------------------------------------------------------

  public SecretRef putResourcePolicy(String secretId, String policy, boolean blockPublicPolicy) {
    SecretConstraints.checkSecretId(secretId);
    authorize("secretsmanager:PutResourcePolicy", secretId, Map.of());
    ResourcePolicies.check(policy, blockPublicPolicy);
    return store.write(tx -> {
      SecretRecord secret = lookup.find(tx, secretId);
      tx.putSecret(secret.withResourcePolicy(policy, clock.millis()));
      return new SecretRef(secret.arn(), secret.name(), null, List.of());
    });
  }

  /** The secret's ARN and name, and its policy ({@code versionStages} unused; policy may be null). */
  public ResourcePolicy getResourcePolicy(String secretId) {
    SecretConstraints.checkSecretId(secretId);
    authorize("secretsmanager:GetResourcePolicy", secretId, Map.of());
    return store.read(view -> {
      SecretRecord secret = lookup.find(view, secretId);
      return new ResourcePolicy(secret.arn(), secret.name(), secret.resourcePolicy());
    });
  }

  public SecretRef deleteResourcePolicy(String secretId) {
    SecretConstraints.checkSecretId(secretId);
    authorize("secretsmanager:DeleteResourcePolicy", secretId, Map.of());
    return store.write(tx -> {
      SecretRecord secret = lookup.find(tx, secretId);
      tx.putSecret(secret.withResourcePolicy(null, clock.millis()));
      return new SecretRef(secret.arn(), secret.name(), null, List.of());
    });
  }

  /** ValidateResourcePolicy: the problems found, empty when the policy passes. */
  public List<String> validateResourcePolicy(String secretId, String policy) {
    if (secretId != null) {
      authorize("secretsmanager:ValidateResourcePolicy", secretId, Map.of());
    } else {
      authorizer.authorize(caller, "secretsmanager:ValidateResourcePolicy", "*", Map.of(), null);
    }
    return ResourcePolicies.problems(policy);
  }

  /**
   * The ARN a secret id names, for the audit trail's resources: looked up whoever asks, and never
   * shown to the caller. Empty if no secret has that id.
   */
  public Optional<String> arnOf(String secretId) {
    if (secretId == null || secretId.isEmpty()) {
      return Optional.empty();
    }
    return store.read(view -> lookup.findOptional(view, secretId)).map(SecretRecord::arn);
  }

  /** How many secrets and versions the store holds, for metrics. */
  public record Inventory(long secrets, long versions) {}

  /** Counts what is stored, whoever asks: numbers only, for the metrics endpoint. */
  public Inventory inventory() {
    return store.read(view -> {
      List<SecretRecord> all = view.secrets();
      return new Inventory(all.size(), all.stream().mapToLong(s -> s.versions().size()).sum());
    });
  }

  /** Authorizes an action that names no secret (GetRandomPassword), on "*". */
  public void authorizeUnscoped(String action) {
    authorizer.authorize(caller, action, "*", Map.of(), null);
  }

  /** Tells the change feed what a committed write left behind. */
  private SecretRef announced(String operation, SecretRef ref) {
    return announced(operation, new AtomicReference<>(), ref);
  }

  /** {@code abandoned} holds the ARN whose rotation the write abandoned, if it did. */
  private SecretRef announced(String operation, AtomicReference<String> abandoned, SecretRef ref) {
    String abandonedRotation = abandoned.get();
    store.read(view -> view.secret(ref.arn())).ifPresent(secret -> {
      changes.publish(secret.arn(), secret.name(), operation, SecretLookup.describe(secret).versionIdsToStages());
      if (secret.arn().equals(abandonedRotation)) {
        changes.publish(secret.arn(), secret.name(), "RotationAbandoned",
            SecretLookup.describe(secret).versionIdsToStages());
      }
    });
    return ref;
  }

  // ---- reads --------------------------------------------------------------------------------

  public RetrievedSecret getValue(String secretId, String versionId, String versionStage) {
    SecretConstraints.checkSecretId(secretId);
    SecretConstraints.checkVersionId("versionId", versionId);
    if (versionStage != null) {
      SecretConstraints.checkStage("versionStage", versionStage);
    }
    authorize("secretsmanager:GetSecretValue", secretId, versionKeys(versionId, versionStage));
    RetrievedSecret found = store.read(view -> retrieve(view, lookup.live(view, secretId), versionId, versionStage));
    recordAccess(found.arn(), found.versionId());
    return found;
  }

  private static Map<String, List<String>> versionKeys(String versionId, String versionStage) {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    keys.put("secretsmanager:VersionStage", List.of(versionStage != null ? versionStage : VersionSet.CURRENT));
    if (versionId != null) {
      keys.put("secretsmanager:VersionId", List.of(versionId));
    }
    return keys;
  }

  /**
   * Whether the caller may read the secret with this ARN: a GetSecretValue of its current version,
   * authorized exactly as {@link #getValue} authorizes one (tags, resource policy and all). The
   * change feed asks this before it tells a subscriber of a change.
   */
  public boolean mayRead(String arn) {
    try {
      authorize("secretsmanager:GetSecretValue", arn, versionKeys(null, null));
      return true;
    } catch (VaultException e) {
      if (e.error() == VaultError.ACCESS_DENIED) {
        return false;
      }
      throw e;
    }
  }

  public BatchResult batchGet(List<String> secretIds, List<SecretFilter> filters, Integer maxResults, String nextToken) {
    authorizer.authorize(caller, "secretsmanager:BatchGetSecretValue", "*", Map.of(), null);
    boolean byIds = secretIds != null && !secretIds.isEmpty();
    boolean byFilters = filters != null && !filters.isEmpty();
    if (byIds == byFilters) {
      throw VaultException.invalidParameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.");
    }
    if (maxResults != null && !byFilters) {
      throw VaultException.invalidParameter(
          "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.");
    }
    if (maxResults != null && (maxResults < 1 || maxResults > MAX_BATCH_RESULTS)) {
      throw VaultException.validation("1 validation error detected: Value '" + maxResults + "' at 'maxResults' "
          + "failed to satisfy constraint: Member must have value " + (maxResults < 1
              ? "greater than or equal to 1" : "less than or equal to " + MAX_BATCH_RESULTS));
    }
    if (byIds) {
      if (secretIds.size() > MAX_BATCH_IDS) {
        throw SecretConstraints.tooLong("secretIdList", MAX_BATCH_IDS);
      }
      List<RetrievedSecret> values = new ArrayList<>();
      List<BatchResult.Failure> errors = new ArrayList<>();
      for (String id : secretIds) {
        try {
          values.add(getValue(id, null, null));
        } catch (VaultException e) {
          errors.add(new BatchResult.Failure(id, e.error(), e.getMessage()));
        }
      }
      return new BatchResult(values, errors, null);
    }
    Page<SecretDescription> page = list(new ListQuery(filters, maxResults == null ? MAX_BATCH_RESULTS : maxResults,
        nextToken, true, false));
    List<RetrievedSecret> values = new ArrayList<>();
    List<BatchResult.Failure> errors = new ArrayList<>();
    for (SecretDescription d : page.items()) {
      try {
        values.add(getValue(d.arn(), null, null));
      } catch (VaultException e) {
        errors.add(new BatchResult.Failure(d.arn(), e.error(), e.getMessage()));
      }
    }
    return new BatchResult(values, errors, page.nextToken());
  }

  public SecretDescription describe(String secretId) {
    SecretConstraints.checkSecretId(secretId);
    authorize("secretsmanager:DescribeSecret", secretId, Map.of());
    return store.read(view -> SecretLookup.describe(lookup.find(view, secretId)));
  }

  public Page<SecretDescription> list(ListQuery query) {
    authorizer.authorize(caller, "secretsmanager:ListSecrets", "*", Map.of(), null);
    int max = pageSize(query.maxResults());
    if (query.filters().size() > MAX_FILTERS) {
      throw VaultException.validation("1 validation error detected: Value at 'filters' failed to satisfy "
          + "constraint: Member must have length less than or equal to " + MAX_FILTERS);
    }
    for (int i = 0; i < query.filters().size(); i++) {
      query.filters().get(i).validate(i + 1);
    }
    PageToken after = PageToken.parse(query.nextToken(), query.sortBy());
    Comparator<SecretRecord> order = query.sortBy().comparator();
    Comparator<SecretRecord> finalOrder = query.ascending() ? order : order.reversed();
    return store.read(view -> {
      List<SecretRecord> matching = view.secrets().stream()
          .filter(s -> query.includePlannedDeletion() || s.deletedDate() == null)
          .filter(s -> query.filters().stream().allMatch(f -> f.matches(s)))
          .sorted(finalOrder)
          .filter(s -> after == null || after.precedes(s, query.ascending()))
          .toList();
      List<SecretRecord> page = matching.subList(0, Math.min(max, matching.size()));
      String next = matching.size() > max ? PageToken.after(query.sortBy(), page.get(page.size() - 1)) : null;
      return new Page<>(page.stream().map(SecretLookup::describe).toList(), next);
    });
  }

  public VersionPage listVersionIds(String secretId, boolean includeDeprecated, Integer maxResults, String nextToken) {
    SecretConstraints.checkSecretId(secretId);
    authorize("secretsmanager:ListSecretVersionIds", secretId, Map.of());
    int max = pageSize(maxResults);
    int offset = PageToken.offset(nextToken);
    return store.read(view -> {
      SecretRecord secret = lookup.find(view, secretId);
      List<VersionSummary> all = secret.versions().stream()
          .filter(v -> includeDeprecated || !v.stages().isEmpty())
          .sorted(Comparator.comparingLong(SecretRecord.VersionRecord::createdDate).reversed())
          .map(v -> new VersionSummary(v.versionId(), v.stages(), Instant.ofEpochMilli(v.createdDate()),
              instant(v.lastAccessedDate()), v.kmsKeyId()))
          .toList();
      int from = Math.min(offset, all.size());
      int to = Math.min(from + max, all.size());
      String next = to < all.size() ? PageToken.offsetToken(to) : null;
      return new VersionPage(secret.arn(), secret.name(), all.subList(from, to), next);
    });
  }

  // ---- helpers ------------------------------------------------------------------------------

  private RetrievedSecret retrieve(StoreView view, SecretRecord secret, String versionId, String versionStage) {
    VersionSet versions = new VersionSet(secret.versions());
    String chosen;
    if (versionId != null) {
      if (!versions.contains(versionId)) {
        throw VaultException.notFound("Secrets Manager can't find the specified secret value for VersionId: " + versionId);
      }
      if (versionStage != null && !versions.stagesOf(versionId).contains(versionStage)) {
        throw VaultException.invalidRequest("You provided a VersionStage that is not associated to the provided VersionId.");
      }
      chosen = versionId;
    } else {
      String stage = versionStage != null ? versionStage : VersionSet.CURRENT;
      chosen = versions.holderOf(stage).orElseThrow(() ->
          VaultException.notFound("Secrets Manager can't find the specified secret value for staging label: " + stage));
    }
    String versionKey = secret.versions().stream().filter(v -> v.versionId().equals(chosen)).findFirst()
        .map(SecretRecord.VersionRecord::kmsKeyId).orElse(secret.kmsKeyId());
    authorizeKeyUse(view, "kms:Decrypt", versionKey);
    SecretValue value = versionCipher.open(view, secret.arn(), chosen);
    long created = secret.versions().stream().filter(v -> v.versionId().equals(chosen)).findFirst()
        .map(SecretRecord.VersionRecord::createdDate).orElse(secret.createdDate());
    return new RetrievedSecret(secret.arn(), secret.name(), chosen, value, versions.stagesOf(chosen),
        Instant.ofEpochMilli(created));
  }

  /**
   * A secret on a customer managed key is read or written with the caller's own permission to use
   * that key, as Secrets Manager calls KMS on the caller's behalf; the AWS managed key needs none.
   */
  private void authorizeKeyUse(StoreView view, String action, String kmsKeyId) {
    if (kmsKeyId == null || caller.isSystem()) {
      return;
    }
    KmsKeyRecord key = keyRing.resolve(view, kmsKeyId);
    if (key.awsManaged()) {
      return;
    }
    var decision = authorizer.decide(caller, action, key.arn(), Map.of(), null);
    if (!decision.allowed()) {
      throw new VaultException(VaultError.ACCESS_DENIED, "Access to KMS is not allowed. "
          + decision.deniedMessage(caller.arn(), action, key.arn()));
    }
  }

  /** AWS keeps LastAccessedDate to the day, so this writes at most once a day per version. */
  private void recordAccess(String arn, String versionId) {
    long today = clock.instant().truncatedTo(ChronoUnit.DAYS).toEpochMilli();
    boolean stale = store.read(view -> view.secret(arn).map(s -> s.lastAccessedDate() == null
        || s.lastAccessedDate() != today
        || s.versions().stream().anyMatch(v -> v.versionId().equals(versionId)
            && (v.lastAccessedDate() == null || v.lastAccessedDate() != today))).orElse(false));
    if (!stale) {
      return;
    }
    store.write(tx -> {
      tx.secret(arn).ifPresent(secret -> {
        VersionSet versions = new VersionSet(secret.versions());
        if (versions.contains(versionId)) {
          versions.touch(versionId, today);
        }
        tx.putSecret(secret.withAccess(today, versions.toRecords()));
      });
      return null;
    });
  }

  private boolean sameValue(StoreView view, SecretRecord secret, String versionId, SecretValue candidate) {
    RetrievedSecret existing = retrieve(view, secret, versionId, null);
    try {
      return existing.value().sameAs(candidate);
    } finally {
      existing.value().destroy();
    }
  }

  private KmsKeyRecord keyFor(StoreView view, String kmsKeyId) {
    return keyRing.resolve(view, kmsKeyId == null ? KeyRing.SECRETS_MANAGER_ALIAS : kmsKeyId);
  }

  private static List<TagRecord> tagRecords(List<Tag> tags) {
    return tags.stream().map(t -> new TagRecord(t.key(), t.value())).toList();
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private static int pageSize(Integer maxResults) {
    if (maxResults == null) {
      return MAX_PAGE;
    }
    if (maxResults < 1 || maxResults > MAX_PAGE) {
      throw VaultException.validation("1 validation error detected: Value '" + maxResults
          + "' at 'maxResults' failed to satisfy constraint: Member must have value "
          + (maxResults < 1 ? "greater than or equal to 1" : "less than or equal to " + MAX_PAGE));
    }
    return maxResults;
  }
}
