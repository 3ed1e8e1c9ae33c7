package dev.stowaway.vault.parameters;

import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.kms.EncryptionContext;
import dev.stowaway.vault.kms.Envelope;
import dev.stowaway.vault.kms.EnvelopeCipher;
import dev.stowaway.vault.kms.KeyRing;
import dev.stowaway.vault.kms.KeyService;
import dev.stowaway.vault.parameters.ParameterException.Reason;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.secrets.RetrievedSecret;
import dev.stowaway.vault.secrets.SecretsService;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.ParameterRecord;
import dev.stowaway.vault.store.SecretRecord.TagRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreView;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parameter Store: a hierarchy of versioned parameters with labels and tags. SecureString values
 * are envelope-encrypted under a KMS key ({@code alias/aws/ssm} unless KeyId names another) with
 * the encryption context {@code {PARAMETER_ARN}}, as AWS does. Names under
 * {@code /aws/reference/secretsmanager/} read Secrets Manager secrets, with both permissions.
 */
public final class ParameterStore {

  public static final String REFERENCE_PREFIX = "/aws/reference/secretsmanager/";
  public static final int MAX_VERSIONS = 100;
  public static final int MAX_LABELS = 10;
  private static final int MAX_LEVELS = 15;
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.\\-/]+");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z0-9_.\\-]{1,100}");

  /** A parameter as Get* answers it; a SecureString's value is plaintext only when decryption was asked for. */
  public record Value(String name, String type, String value, long version, String selector, String arn,
      Instant lastModifiedDate, String dataType, RetrievedSecret source) {}

  /** GetParameters: what was found, and the names that were not. */
  public record Found(List<Value> parameters, List<String> invalid) {}

  /** A page of anything, and where the next begins. */
  public record Page<T>(List<T> items, String nextToken) {}

  /** DescribeParameters' view of a parameter: no value. */
  public record Metadata(String name, String arn, String type, String keyId, Instant lastModifiedDate,
      String lastModifiedUser, String description, String allowedPattern, long version, String tier, String dataType) {}

  /** One of ParameterFilters: a key (Type, KeyId, Label, Name, Path, Tier, DataType, tag:KEY), an option and values. */
  public record Filter(String key, String option, List<String> values) {}

  private final SecretStore store;
  private final KeyRing keyRing;
  private final EnvelopeCipher cipher;
  private final KeyService keys;
  private final SecretsService secrets;
  private final Authorizer authorizer;
  private final Clock clock;
  private final String arnPrefix;
  private final Caller caller;

  public ParameterStore(SecretStore store, KeyRing keyRing, EnvelopeCipher cipher, KeyService keys,
      SecretsService secrets, Authorizer authorizer, Clock clock, String region, String account) {
    this(store, keyRing, cipher, keys, secrets, authorizer, clock, "arn:aws:ssm:" + region + ":" + account
        + ":parameter", Caller.SYSTEM);
  }

  private ParameterStore(SecretStore store, KeyRing keyRing, EnvelopeCipher cipher, KeyService keys,
      SecretsService secrets, Authorizer authorizer, Clock clock, String arnPrefix, Caller caller) {
    this.store = store;
    this.keyRing = keyRing;
    this.cipher = cipher;
    this.keys = keys;
    this.secrets = secrets;
    this.authorizer = authorizer;
    this.clock = clock;
    this.arnPrefix = arnPrefix;
    this.caller = caller;
  }

  public ParameterStore as(Caller who) {
    return new ParameterStore(store, keyRing, cipher, keys, secrets, authorizer, clock, arnPrefix, who);
  }

  public String arn(String name) {
    return arnPrefix + (name.startsWith("/") ? name : "/" + name);
  }

  // ---- writes ---------------------------------------------------------------------------------------

  /** PutParameter: a new parameter, or (with overwrite) its next version. Returns the version and tier. */
  public Value put(String name, String value, String type, boolean overwrite, String keyId, String description,
      String allowedPattern, List<TagRecord> tags, String tier, String dataType) {
    checkName(name);
    if (name.startsWith(REFERENCE_PREFIX)) {
      throw validation("You can't create a parameter under " + REFERENCE_PREFIX + ": it reads Secrets Manager.");
    }
    if (value == null || value.isEmpty()) {
      throw validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have "
          + "length greater than or equal to 1");
    }
    String chosenTier = tier == null || tier.equals("Intelligent-Tiering") ? "Standard" : tier;
    if (!chosenTier.equals("Standard") && !chosenTier.equals("Advanced")) {
      throw validation("1 validation error detected: Value '" + tier + "' at 'tier' failed to satisfy constraint: "
          + "Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]");
    }
    int limit = chosenTier.equals("Advanced") ? 8192 : 4096;
    if (value.length() > limit) {
      throw validation("Standard tier parameters support a maximum parameter value of 4096 characters. To create a "
          + "larger parameter value, upgrade the parameter to use the advanced-parameter tier.".replace("4096",
              String.valueOf(limit)));
    }
    if (type != null && !List.of("String", "StringList", "SecureString").contains(type)) {
      throw validation("1 validation error detected: Value '" + type + "' at 'type' failed to satisfy constraint: "
          + "Member must satisfy enum value set: [SecureString, StringList, String]");
    }
    if (keyId != null && type != null && !type.equals("SecureString")) {
      throw validation("KeyId is required for SecureString type parameter only.");
    }
    if (overwrite && tags != null && !tags.isEmpty()) {
      throw validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, "
          + "please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or "
          + "RemoveTagsFromResource.");
    }
    if (allowedPattern != null) {
      Pattern pattern;
      try {
        pattern = Pattern.compile(allowedPattern);
      } catch (PatternSyntaxException e) {
        throw new ParameterException(Reason.INVALID_ALLOWED_PATTERN, "The allowed pattern is not a valid regular "
            + "expression.");
      }
      if (!pattern.matcher(value).matches()) {
        throw new ParameterException(Reason.PARAMETER_PATTERN_MISMATCH, "Parameter value, cannot be validated against "
            + "allowedPattern: " + allowedPattern);
      }
    }
    String dataTypeChosen = dataType == null ? "text" : dataType;
    authorize("ssm:PutParameter", name);
    String arn = arn(name);
    return store.write(tx -> {
      ParameterRecord existing = tx.parameter(name).orElse(null);
      if (existing != null && !overwrite) {
        throw new ParameterException(Reason.PARAMETER_ALREADY_EXISTS, "The parameter already exists. To overwrite this "
            + "value, set the overwrite option in the request to true.");
      }
      if (existing == null && type == null) {
        throw validation("A parameter type is required when you create a parameter.");
      }
      ParameterRecord.Version last = existing == null ? null : existing.latest();
      String newType = type != null ? type : last.type();
      String key = newType.equals("SecureString") ? keyIdOrDefault(keyId, last == null ? null : last.keyId()) : null;
      long version = last == null ? 1 : last.version() + 1;
      byte[] sealed = null;
      String text = value;
      if (newType.equals("SecureString")) {
        KmsKeyRecord kmsKey = keyRing.resolve(tx, key);
        keys.as(caller).authorizeUse("kms:Encrypt", key);
        byte[] plaintext = value.getBytes(StandardCharsets.UTF_8);
        try {
          sealed = cipher.seal(kmsKey, plaintext, context(arn)).encode();
        } finally {
          Arrays.fill(plaintext, (byte) 0);
        }
        text = null;
      }
      List<ParameterRecord.Version> versions = new ArrayList<>(existing == null ? List.of() : existing.versions());
      if (versions.size() >= MAX_VERSIONS) {
        if (!versions.get(0).labels().isEmpty()) {
          throw new ParameterException(Reason.PARAMETER_MAX_VERSION_LIMIT_EXCEEDED, "You attempted to create a new "
              + "version of " + name + " by calling the PutParameter API with the overwrite flag. Version "
              + versions.get(0).version() + ", the oldest version, can't be deleted because it has a label associated "
              + "with it. Move the label to another version of the parameter, and try again.");
        }
        versions.remove(0);
      }
      versions.add(new ParameterRecord.Version(version, newType, text, sealed, key,
          description != null ? description : last == null ? null : last.description(),
          allowedPattern != null ? allowedPattern : last == null ? null : last.allowedPattern(), chosenTier,
          dataTypeChosen, List.of(), clock.millis(), caller.arn()));
      List<TagRecord> newTags = existing == null ? (tags == null ? List.of() : tags) : existing.tags();
      tx.putParameter(new ParameterRecord(name, arn, newTags, versions));
      return new Value(name, newType, null, version, null, arn, clock.instant(), dataTypeChosen, null);
    });
  }

  public void delete(String name) {
    checkName(name);
    authorize("ssm:DeleteParameter", name);
    store.write(tx -> {
      if (tx.parameter(name).isEmpty()) {
        throw new ParameterException(Reason.PARAMETER_NOT_FOUND, "Parameter " + name + " not found.");
      }
      tx.removeParameter(name);
      return null;
    });
  }

  /** DeleteParameters: up to 10; returns the names that were not there. */
  public List<String> deleteMany(List<String> names) {
    checkCount(names, "names");
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      authorize("ssm:DeleteParameters", name);
    }
    store.write(tx -> {
      for (String name : names) {
        if (tx.parameter(name).isPresent()) {
          tx.removeParameter(name);
        } else {
          missing.add(name);
        }
      }
      return null;
    });
    return missing;
  }

  // ---- reads ----------------------------------------------------------------------------------------

  /** GetParameter, with the {@code name:version} and {@code name:label} selectors and secret references. */
  public Value get(String nameWithSelector, boolean withDecryption) {
    Selector selector = Selector.parse(nameWithSelector);
    authorize("ssm:GetParameter", selector.name());
    return read(selector, withDecryption);
  }

  /** GetParameters: up to 10; names that are not there (or lack the version asked) come back as invalid. */
  public Found getMany(List<String> namesWithSelectors, boolean withDecryption) {
    checkCount(namesWithSelectors, "names");
    List<Value> found = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    for (String name : namesWithSelectors) {
      Selector selector = Selector.parse(name);
      authorize("ssm:GetParameters", selector.name());
      try {
        found.add(read(selector, withDecryption));
      } catch (ParameterException e) {
        if (e.reason() != Reason.PARAMETER_NOT_FOUND && e.reason() != Reason.PARAMETER_VERSION_NOT_FOUND) {
          throw e;
        }
        invalid.add(name);
      }
    }
    return new Found(found, invalid);
  }

  /**
   * GetParametersByPath: names under {@code path} (direct children, or all descendants when
   * recursive), in name order, filtered, a page of at most {@code maxResults} (1–10) at a time.
   */
  public Page<Value> byPath(String path, boolean recursive, List<Filter> filters, boolean withDecryption,
      Integer maxResults, String nextToken) {
    if (path == null || !path.startsWith("/") || !NAME.matcher(path).matches()) {
      throw validation("The parameter path must start with / and use only letters, numbers and . - _ /");
    }
    if (path.startsWith("/aws/reference")) {
      throw validation("Secrets Manager references can only be read with GetParameter or GetParameters.");
    }
    int max = pageSize(maxResults, 10);
    authorizer.authorize(caller, "ssm:GetParametersByPath", arn(path), Map.of(), null);
    String prefix = path.endsWith("/") ? path : path + "/";
    Predicate<ParameterRecord> matching = filters(filters, true);
    List<ParameterRecord> all = store.read(StoreView::parameters).stream()
        .filter(p -> hierarchical(p.name()).startsWith(prefix))
        .filter(p -> recursive || hierarchical(p.name()).indexOf('/', prefix.length()) < 0)
        .filter(matching)
        .toList();
    return page(all, max, nextToken, p -> value(p, p.latest(), null, withDecryption));
  }

  /** GetParameterHistory: versions oldest first; values come through {@link #valueOf}. */
  public Page<ParameterRecord.Version> history(String name, Integer maxResults, String nextToken) {
    checkName(name);
    authorize("ssm:GetParameterHistory", name);
    int max = pageSize(maxResults, 50);
    ParameterRecord parameter = existing(name);
    List<ParameterRecord.Version> versions = parameter.versions();
    int from = nextToken == null ? 0 : offset(nextToken);
    int to = Math.min(versions.size(), from + max);
    List<ParameterRecord.Version> items = List.copyOf(versions.subList(Math.min(from, versions.size()), to));
    return new Page<>(items, to < versions.size() ? token(to) : null);
  }

  /** The value of one version as history shows it: SecureStrings decrypted only on request. */
  public String valueOf(ParameterRecord.Version version, String name, boolean withDecryption) {
    if (version.sealed() == null) {
      return version.value();
    }
    if (!withDecryption) {
      return Base64.getEncoder().encodeToString(version.sealed());
    }
    return decrypt(name, version);
  }

  public Page<Metadata> describe(List<Filter> filters, Integer maxResults, String nextToken) {
    authorizer.authorize(caller, "ssm:DescribeParameters", "*", Map.of(), null);
    int max = pageSize(maxResults, 50);
    List<ParameterRecord> all = store.read(StoreView::parameters).stream().filter(filters(filters, false)).toList();
    return page(all, max, nextToken, p -> {
      ParameterRecord.Version v = p.latest();
      return new Metadata(p.name(), p.arn(), v.type(), v.keyId(), Instant.ofEpochMilli(v.lastModifiedDate()),
          v.lastModifiedUser(), v.description(), v.allowedPattern(), v.version(), v.tier(), v.dataType());
    });
  }

  // ---- labels and tags --------------------------------------------------------------------------------

  /** LabelParameterVersion: labels move here from other versions; invalid ones are returned, not applied. */
  public Map.Entry<Long, List<String>> label(String name, Long version, List<String> labels) {
    checkName(name);
    authorize("ssm:LabelParameterVersion", name);
    if (labels == null || labels.isEmpty() || labels.size() > MAX_LABELS) {
      throw validation("1 validation error detected: Value at 'labels' failed to satisfy constraint: Member must have "
          + "length less than or equal to 10 and greater than or equal to 1");
    }
    return store.write(tx -> {
      ParameterRecord parameter = tx.parameter(name).orElseThrow(() -> notFound());
      long target = version != null ? version : parameter.latest().version();
      ParameterRecord.Version chosen = parameter.versions().stream().filter(v -> v.version() == target).findFirst()
          .orElseThrow(() -> versionNotFound(name, target));
      List<String> invalid = labels.stream().filter(l -> !validLabel(l)).toList();
      List<String> applied = labels.stream().filter(ParameterStore::validLabel).distinct().toList();
      List<String> onChosen = new ArrayList<>(chosen.labels());
      applied.stream().filter(l -> !onChosen.contains(l)).forEach(onChosen::add);
      if (onChosen.size() > MAX_LABELS) {
        throw new ParameterException(Reason.PARAMETER_VERSION_LABEL_LIMIT_EXCEEDED, "A parameter version can have "
            + "maximum 10 labels.Move one or more labels to another version and try again.");
      }
      List<ParameterRecord.Version> versions = new ArrayList<>();
      for (ParameterRecord.Version v : parameter.versions()) {
        if (v.version() == target) {
          versions.add(v.withLabels(onChosen));
        } else {
          versions.add(v.withLabels(v.labels().stream().filter(l -> !applied.contains(l)).toList()));
        }
      }
      tx.putParameter(parameter.withVersions(versions));
      return Map.entry(target, invalid);
    });
  }

  /** UnlabelParameterVersion: returns the labels removed and those the version did not have. */
  public Map.Entry<List<String>, List<String>> unlabel(String name, long version, List<String> labels) {
    checkName(name);
    authorize("ssm:UnlabelParameterVersion", name);
    return store.write(tx -> {
      ParameterRecord parameter = tx.parameter(name).orElseThrow(() -> notFound());
      ParameterRecord.Version chosen = parameter.versions().stream().filter(v -> v.version() == version).findFirst()
          .orElseThrow(() -> versionNotFound(name, version));
      List<String> removed = labels.stream().filter(chosen.labels()::contains).distinct().toList();
      List<String> invalid = labels.stream().filter(l -> !chosen.labels().contains(l)).distinct().toList();
      List<ParameterRecord.Version> versions = parameter.versions().stream().map(v -> v.version() == version
          ? v.withLabels(v.labels().stream().filter(l -> !removed.contains(l)).toList()) : v).toList();
      tx.putParameter(parameter.withVersions(versions));
      return Map.entry(removed, invalid);
    });
  }

  public void addTags(String resourceType, String name, List<TagRecord> tags) {
    checkResource(resourceType);
    authorize("ssm:AddTagsToResource", name);
    store.write(tx -> {
      ParameterRecord parameter = tx.parameter(name).orElseThrow(() -> new ParameterException(
          Reason.INVALID_RESOURCE_ID, "The resource ID \"" + name + "\" is not valid. Verify the ID and try again."));
      Map<String, String> merged = new LinkedHashMap<>();
      parameter.tags().forEach(t -> merged.put(t.key(), t.value()));
      tags.forEach(t -> merged.put(t.key(), t.value()));
      if (merged.size() > 50) {
        throw new ParameterException(Reason.TOO_MANY_TAGS, "You exceeded the maximum number of tags allowed (50).");
      }
      tx.putParameter(parameter.withTags(merged.entrySet().stream().map(e -> new TagRecord(e.getKey(), e.getValue()))
          .toList()));
      return null;
    });
  }

  public void removeTags(String resourceType, String name, List<String> keys) {
    checkResource(resourceType);
    authorize("ssm:RemoveTagsFromResource", name);
    store.write(tx -> {
      ParameterRecord parameter = tx.parameter(name).orElseThrow(() -> new ParameterException(
          Reason.INVALID_RESOURCE_ID, "The resource ID \"" + name + "\" is not valid. Verify the ID and try again."));
      tx.putParameter(parameter.withTags(parameter.tags().stream().filter(t -> !keys.contains(t.key())).toList()));
      return null;
    });
  }

  public List<TagRecord> tags(String resourceType, String name) {
    checkResource(resourceType);
    authorize("ssm:ListTagsForResource", name);
    return store.read(view -> view.parameter(name)).orElseThrow(() -> new ParameterException(
        Reason.INVALID_RESOURCE_ID, "The resource ID \"" + name + "\" is not valid. Verify the ID and try again."))
        .tags();
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private Value read(Selector selector, boolean withDecryption) {
    if (selector.name().startsWith(REFERENCE_PREFIX)) {
      return reference(selector, withDecryption);
    }
    checkName(selector.name());
    ParameterRecord parameter = existing(selector.name());
    ParameterRecord.Version version = parameter.latest();
    if (selector.version() != null) {
      version = parameter.versions().stream().filter(v -> v.version() == selector.version()).findFirst()
          .orElseThrow(() -> versionNotFound(selector.name(), selector.version()));
    } else if (selector.label() != null) {
      version = parameter.versions().stream().filter(v -> v.labels().contains(selector.label())).findFirst()
          .orElseThrow(ParameterStore::notFound);
    }
    return value(parameter, version, selector.suffix() == null ? null : ":" + selector.suffix(), withDecryption);
  }

  private Value value(ParameterRecord parameter, ParameterRecord.Version version, String selector,
      boolean withDecryption) {
    return new Value(parameter.name(), version.type(), valueOf(version, parameter.name(), withDecryption),
        version.version(), selector, parameter.arn(), Instant.ofEpochMilli(version.lastModifiedDate()),
        version.dataType(), null);
  }

  private String decrypt(String name, ParameterRecord.Version version) {
    keys.as(caller).authorizeUse("kms:Decrypt", version.keyId());
    Envelope envelope = Envelope.decode(version.sealed());
    KmsKeyRecord key = store.read(view -> view.kmsKey(envelope.keyId())).orElseThrow(() -> new VaultException(
        dev.stowaway.vault.VaultError.DECRYPTION_FAILURE, "KMS key " + envelope.keyId() + " no longer exists."));
    byte[] plaintext = cipher.open(key, envelope, context(arn(name)));
    try {
      return new String(plaintext, StandardCharsets.UTF_8);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** A Secrets Manager secret read as a SecureString; both permissions are needed. */
  private Value reference(Selector selector, boolean withDecryption) {
    if (!withDecryption) {
      throw validation("WithDecryption flag must be True for retrieving a Secret Manager secret.");
    }
    String secretId = selector.name().substring(REFERENCE_PREFIX.length());
    String versionId = null;
    String stage = null;
    if (selector.suffix() != null) {
      if (selector.suffix().length() >= 32) {
        versionId = selector.suffix();
      } else {
        stage = selector.suffix();
      }
    }
    RetrievedSecret secret;
    try {
      secret = secrets.as(caller).getValue(secretId, versionId, stage);
    } catch (VaultException e) {
      if (e.error() == dev.stowaway.vault.VaultError.RESOURCE_NOT_FOUND) {
        throw notFound();
      }
      throw e;
    }
    String value = secret.value().isBinary() ? Base64.getEncoder().encodeToString(secret.value().asBinary())
        : secret.value().asString();
    return new Value(selector.text(), "SecureString", value, 0, selector.suffix() == null ? null
        : ":" + selector.suffix(), arn(selector.name()), secret.createdDate(), "text", secret);
  }

  private ParameterRecord existing(String name) {
    return store.read(view -> view.parameter(name)).orElseThrow(ParameterStore::notFound);
  }

  private String keyIdOrDefault(String keyId, String previous) {
    String chosen = keyId != null ? keyId : previous != null ? previous : KeyService.SSM_ALIAS;
    try {
      store.read(view -> keyRing.resolve(view, chosen));
    } catch (VaultException e) {
      throw new ParameterException(Reason.INVALID_KEY_ID, "Invalid keyId " + chosen);
    }
    return chosen;
  }

  private static EncryptionContext context(String arn) {
    return EncryptionContext.of("PARAMETER_ARN", arn);
  }

  private void authorize(String action, String name) {
    authorizer.authorize(caller, action, arn(name), Map.of(), null);
  }

  private Predicate<ParameterRecord> filters(List<Filter> filters, boolean byPath) {
    Predicate<ParameterRecord> all = p -> true;
    for (Filter f : filters == null ? List.<Filter>of() : filters) {
      String option = f.option() == null ? "Equals" : f.option();
      List<String> values = f.values() == null ? List.of() : f.values();
      Predicate<String> test = switch (option) {
        case "Equals" -> values::contains;
        case "BeginsWith" -> s -> s != null && values.stream().anyMatch(s::startsWith);
        case "Contains" -> s -> s != null && values.stream().anyMatch(s::contains);
        case "Recursive", "OneLevel" -> s -> true;
        default -> throw new ParameterException(Reason.INVALID_FILTER_OPTION, "The filter option " + option
            + " is not valid. Valid options are Equals, BeginsWith, Contains, Recursive and OneLevel.");
      };
      String key = f.key() == null ? "" : f.key();
      Predicate<ParameterRecord> one;
      if (key.startsWith("tag:")) {
        String tag = key.substring(4);
        one = p -> p.tags().stream().anyMatch(t -> t.key().equals(tag) && (values.isEmpty() || test.test(t.value())));
      } else {
        one = switch (key) {
          case "Type" -> p -> test.test(p.latest().type());
          case "KeyId" -> p -> test.test(p.latest().keyId());
          case "Label" -> p -> p.versions().stream().anyMatch(v -> v.labels().stream().anyMatch(test));
          case "Tier" -> p -> test.test(p.latest().tier());
          case "DataType" -> p -> test.test(p.latest().dataType());
          case "Name" -> byPath ? invalidFilter(key) : p -> test.test(p.name()) || test.test(hierarchical(p.name()));
          case "Path" -> byPath ? invalidFilter(key) : pathFilter(option, values);
          default -> invalidFilter(key);
        };
      }
      all = all.and(one);
    }
    return all;
  }

  private static Predicate<ParameterRecord> pathFilter(String option, List<String> values) {
    return p -> values.stream().anyMatch(path -> {
      String prefix = path.endsWith("/") ? path : path + "/";
      String name = hierarchical(p.name());
      return name.startsWith(prefix) && (option.equals("Recursive") || name.indexOf('/', prefix.length()) < 0);
    });
  }

  private static Predicate<ParameterRecord> invalidFilter(String key) {
    throw new ParameterException(Reason.INVALID_FILTER_KEY, "The following filter key is not valid: " + key
        + ". Valid filter keys include: [Type, KeyId, Label, Tier, DataType, tag:KEY" + "].");
  }

  private static String hierarchical(String name) {
    return name.startsWith("/") ? name : "/" + name;
  }

  private static <T, R> Page<R> page(List<T> all, int max, String nextToken, java.util.function.Function<T, R> map) {
    int from = nextToken == null ? 0 : offset(nextToken);
    int to = Math.min(all.size(), from + max);
    List<R> items = new ArrayList<>();
    for (T item : all.subList(Math.min(from, all.size()), to)) {
      items.add(map.apply(item));
    }
    return new Page<>(items, to < all.size() ? token(to) : null);
  }

  private static int pageSize(Integer maxResults, int limit) {
    if (maxResults == null) {
      return limit;
    }
    if (maxResults < 1 || maxResults > limit) {
      throw validation("1 validation error detected: Value '" + maxResults + "' at 'maxResults' failed to satisfy "
          + "constraint: Member must have value less than or equal to " + limit);
    }
    return maxResults;
  }

  private static String token(int offset) {
    return Base64.getEncoder().encodeToString(("stowaway-ssm:" + offset).getBytes(StandardCharsets.UTF_8));
  }

  private static int offset(String token) {
    try {
      String text = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith("stowaway-ssm:")) {
        return Integer.parseInt(text.substring("stowaway-ssm:".length()));
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw validation("The nextToken is not valid.");
  }

  private static void checkCount(List<String> names, String member) {
    if (names == null || names.isEmpty() || names.size() > 10) {
      throw validation("1 validation error detected: Value at '" + member + "' failed to satisfy constraint: Member must "
          + "have length less than or equal to 10 and greater than or equal to 1");
    }
  }

  private static void checkResource(String resourceType) {
    if (!"Parameter".equals(resourceType)) {
      throw new ParameterException(Reason.INVALID_RESOURCE_TYPE, "The resource type \"" + resourceType + "\" is not "
          + "valid here; Stowaway tags parameters (ResourceType Parameter).");
    }
  }

  /** AWS's name rules: characters, no aws/ssm prefix, a path starts with / and has at most 15 levels. */
  static void checkName(String name) {
    if (name == null || name.isEmpty() || name.length() > 2048) {
      throw validation("1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have "
          + "length between 1 and 2048");
    }
    if (!NAME.matcher(name).matches()) {
      throw validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a "
          + "path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of "
          + "letters, numbers and the following 3 symbols .-_");
    }
    String first = (name.startsWith("/") ? name.substring(1) : name).toLowerCase(Locale.ROOT);
    if ((first.startsWith("aws") || first.startsWith("ssm")) && !name.startsWith(REFERENCE_PREFIX)) {
      throw validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a "
          + "path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of "
          + "letters, numbers and the following 3 symbols .-_");
    }
    if (name.contains("/") && !name.startsWith("/")) {
      throw validation("Parameter name must be a fully qualified name.");
    }
    if (name.chars().filter(c -> c == '/').count() > MAX_LEVELS) {
      throw new ParameterException(Reason.HIERARCHY_LEVEL_LIMIT_EXCEEDED, "A hierarchy can have a maximum of 15 levels. "
          + "For more information, see Requirements and constraints for parameter names in the AWS Systems Manager "
          + "User Guide.");
    }
  }

  private static boolean validLabel(String label) {
    String lower = label.toLowerCase(Locale.ROOT);
    return LABEL.matcher(label).matches() && !Character.isDigit(label.charAt(0)) && !lower.startsWith("aws")
        && !lower.startsWith("ssm");
  }

  private static ParameterException notFound() {
    return new ParameterException(Reason.PARAMETER_NOT_FOUND, "");
  }

  private static ParameterException versionNotFound(String name, long version) {
    return new ParameterException(Reason.PARAMETER_VERSION_NOT_FOUND, "Systems Manager could not find version "
        + version + " of " + name + ". Verify the version and try again.");
  }

  private static ParameterException validation(String message) {
    return new ParameterException(Reason.VALIDATION, message);
  }

  /** {@code name}, {@code name:3} or {@code name:label}. */
  private record Selector(String text, String name, Long version, String label, String suffix) {
    static Selector parse(String text) {
      if (text == null) {
        throw validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must "
            + "not be null");
      }
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        return new Selector(text, text, null, null, null);
      }
      String name = text.substring(0, colon);
      String suffix = text.substring(colon + 1);
      if (suffix.matches("\\d{1,18}")) {
        return new Selector(text, name, Long.parseLong(suffix), null, suffix);
      }
      return new Selector(text, name, null, suffix, suffix);
    }
  }
}
