package dev.stowaway.vault;

import dev.stowaway.vault.events.ChangeFeed;
import dev.stowaway.vault.events.EventRules;
import dev.stowaway.vault.identity.AccessKeys;
import dev.stowaway.vault.identity.Groups;
import dev.stowaway.vault.identity.ManagedPolicies;
import dev.stowaway.vault.identity.FailedAttempts;
import dev.stowaway.vault.identity.MfaDevices;
import dev.stowaway.vault.identity.RoleSessions;
import dev.stowaway.vault.identity.Roles;
import dev.stowaway.vault.identity.SessionTokens;
import dev.stowaway.vault.identity.UniqueIdBackfill;
import dev.stowaway.vault.identity.IdentityService;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.kms.EnvelopeCipher;
import dev.stowaway.vault.kms.KeyRing;
import dev.stowaway.vault.kms.KeyService;
import dev.stowaway.vault.parameters.ParameterStore;
import dev.stowaway.vault.kms.RootKey;
import dev.stowaway.vault.secrets.PasswordGenerator;
import dev.stowaway.vault.secrets.SecretArn;
import dev.stowaway.vault.secrets.SecretsService;
import dev.stowaway.vault.store.SecretStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;

/**
 * The vault assembled over a store: its services share one key ring, clock and randomness.
 * Opening checks that the root key fits the store before anything is served.
 */
public final class Vault implements AutoCloseable {

  private final SecretStore store;
  private final RootKey rootKey;
  private final SecretsService secrets;
  private final AccessKeys accessKeys;
  private final PasswordGenerator passwords;
  private final ChangeFeed changes;
  private final IdentityService identity;
  private final Groups groups;
  private final ManagedPolicies policies;
  private final MfaDevices mfaDevices;
  private final SessionTokens sessions;
  private final Roles roles;
  private final RoleSessions roleSessions;
  private final Authorizer authorizer;
  private final EventRules eventRules;
  private final KeyService keys;
  private final ParameterStore parameters;

  private Vault(SecretStore store, RootKey rootKey, SecretsService secrets, AccessKeys accessKeys,
      PasswordGenerator passwords, ChangeFeed changes, IdentityService identity, Groups groups,
      ManagedPolicies policies, MfaDevices mfaDevices, SessionTokens sessions, Roles roles, RoleSessions roleSessions,
      Authorizer authorizer, EventRules eventRules, KeyService keys, ParameterStore parameters) {
    this.eventRules = eventRules;
    this.keys = keys;
    this.parameters = parameters;
    this.roles = roles;
    this.roleSessions = roleSessions;
    this.changes = changes;
    this.mfaDevices = mfaDevices;
    this.sessions = sessions;
    this.identity = identity;
    this.groups = groups;
    this.policies = policies;
    this.authorizer = authorizer;
    this.store = store;
    this.rootKey = rootKey;
    this.secrets = secrets;
    this.accessKeys = accessKeys;
    this.passwords = passwords;
  }

  /**
   * Opens the vault, creating {@code alias/aws/secretsmanager} on first use.
   *
   * @throws dev.stowaway.vault.kms.RootKeyMismatchException if the root key does not fit
   */
  public static Vault open(SecretStore store, RootKey rootKey, Clock clock, SecureRandom random,
      String region, String account) {
    return open(store, rootKey, clock, random, region, account, MFA_FAILURES);
  }

  /** Five wrong MFA codes per device or key in five minutes: a six-digit code then takes months to guess. */
  public static final FailedAttempts.Limit MFA_FAILURES = new FailedAttempts.Limit(5, Duration.ofMinutes(5));

  /** As {@link #open(SecretStore, RootKey, Clock, SecureRandom, String, String)}, with the allowance of wrong MFA codes. */
  public static Vault open(SecretStore store, RootKey rootKey, Clock clock, SecureRandom random,
      String region, String account, FailedAttempts.Limit mfaFailures) {
    KeyRing keyRing = new KeyRing(rootKey, random, clock, region, account);
    store.read(view -> {
      keyRing.verifyRootKey(view, KeyRing.SECRETS_MANAGER_ALIAS);
      return null;
    });
    store.write(tx -> {
      keyRing.ensureManagedKey(tx, KeyRing.SECRETS_MANAGER_ALIAS,
          "Default key that protects my Secrets Manager data when no other key is defined");
      return keyRing.ensureManagedKey(tx, KeyService.SSM_ALIAS,
          "Default key that protects my SSM parameters when no other key is defined");
    });
    // Again: with a shared store, another sidecar may have made these keys in the meantime.
    store.read(view -> {
      keyRing.verifyRootKey(view, KeyRing.SECRETS_MANAGER_ALIAS);
      keyRing.verifyRootKey(view, KeyService.SSM_ALIAS);
      return null;
    });
    EnvelopeCipher cipher = new EnvelopeCipher(keyRing);
    RandomIds ids = new RandomIds(random);
    ChangeFeed changes = new ChangeFeed(clock);
    Authorizer authorizer = new Authorizer(store, clock);
    SecretsService secrets = new SecretsService(store, keyRing, cipher, clock, ids, new SecretArn(region, account), changes,
        authorizer);
    AccessKeys accessKeys = new AccessKeys(store, keyRing, cipher, clock, ids, account);
    IdentityService identity = new IdentityService(store, accessKeys, authorizer, clock, ids, account);
    UniqueIdBackfill.run(store, identity);
    KeyService keys = new KeyService(store, keyRing, authorizer, clock, region, account);
    MfaDevices mfaDevices = new MfaDevices(store, keyRing, cipher, authorizer, clock, ids, account, mfaFailures);
    return new Vault(store, rootKey, secrets, accessKeys, new PasswordGenerator(random), changes, identity,
        new Groups(store, authorizer, clock, ids, account), new ManagedPolicies(store, authorizer, clock, ids, account),
        mfaDevices, new SessionTokens(accessKeys, mfaDevices, clock), new Roles(store, authorizer, clock, ids, account),
        new RoleSessions(store, authorizer, accessKeys, mfaDevices, clock, account), authorizer,
        new EventRules(store, authorizer, clock, region, account), keys,
        new ParameterStore(store, keyRing, cipher, keys, secrets, authorizer, clock, region, account));
  }

  /**
   * The root key, for sealing what the vault itself writes outside its store (backups). It never
   * leaves the process.
   */
  public RootKey rootKey() {
    return rootKey;
  }

  public SecretsService secrets() {
    return secrets;
  }

  /** IAM users, inline policies and access keys. */
  public IdentityService identity() {
    return identity;
  }

  public Groups groups() {
    return groups;
  }

  public ManagedPolicies policies() {
    return policies;
  }

  /** IAM roles and their trust policies. */
  public Roles roles() {
    return roles;
  }

  /** STS AssumeRole. */
  public RoleSessions roleSessions() {
    return roleSessions;
  }

  /** STS session credentials. */
  public SessionTokens sessions() {
    return sessions;
  }

  /** Virtual MFA devices and their TOTP codes. */
  public MfaDevices mfaDevices() {
    return mfaDevices;
  }

  /** The evaluator itself, for the policy simulator. */
  public Authorizer authorizer() {
    return authorizer;
  }

  public AccessKeys accessKeys() {
    return accessKeys;
  }

  /** Committed secret changes, for the agents' change feed. */
  public ChangeFeed changes() {
    return changes;
  }

  /** Parameter Store. */
  public ParameterStore parameters() {
    return parameters;
  }

  /** KMS keys, aliases and the cryptographic operations. */
  public KeyService keys() {
    return keys;
  }

  /** EventBridge rules and their targets. */
  public EventRules eventRules() {
    return eventRules;
  }

  public PasswordGenerator passwords() {
    return passwords;
  }

  /** Closes the store and zeroes the root key. */
  @Override
  public void close() {
    try {
      store.close();
    } finally {
      rootKey.close();
    }
  }
}
