package dev.stowaway.vault.identity;

import dev.stowaway.vault.RandomIds;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.kms.EncryptionContext;
import dev.stowaway.vault.kms.Envelope;
import dev.stowaway.vault.kms.EnvelopeCipher;
import dev.stowaway.vault.kms.KeyRing;
import dev.stowaway.vault.store.AccessKeyRecord;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.RoleRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreView;
import dev.stowaway.vault.store.SessionRecord;
import dev.stowaway.vault.store.UserRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Access keys: the secret half is sealed like a secret value (encryption context = the key
 * id), and unsealed only to verify a signature.
 */
public final class AccessKeys {

  static final String ACTIVE = "Active";
  static final int MAX_KEYS_PER_USER = 2;
  private static final char[] KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
  private static final char[] SECRET_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();
  private static final int TOKEN_BYTES = 96;

  private final SecretStore store;
  private final KeyRing keyRing;
  private final EnvelopeCipher cipher;
  private final Clock clock;
  private final RandomIds ids;
  private final String account;

  public AccessKeys(SecretStore store, KeyRing keyRing, EnvelopeCipher cipher, Clock clock, RandomIds ids,
      String account) {
    this.store = store;
    this.keyRing = keyRing;
    this.cipher = cipher;
    this.clock = clock;
    this.ids = ids;
    this.account = account;
  }

  /**
   * Issues a long-term key ({@code AKIA…}, 40-character secret) for {@code userName}, bound to that
   * user's unique id. The user's existence and its quota are checked in the same unit of work that
   * stores the key, so a user deleted meanwhile (and perhaps made again) never receives it.
   */
  public NewAccessKey create(String userName) {
    String accessKeyId = "AKIA" + ids.fromAlphabet(KEY_ID_ALPHABET, 16);
    String secret = ids.fromAlphabet(SECRET_ALPHABET, 40);
    byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
    try {
      store.write(tx -> {
        UserRecord user = tx.user(userName).orElseThrow(() -> noSuchUser(userName));
        if (tx.accessKeys().stream().filter(k -> k.belongsTo(user)).count() >= MAX_KEYS_PER_USER) {
          throw new VaultException(VaultError.LIMIT_EXCEEDED, "Cannot exceed quota for AccessKeysPerUser: "
              + MAX_KEYS_PER_USER);
        }
        KmsKeyRecord key = keyRing.resolve(tx, KeyRing.SECRETS_MANAGER_ALIAS);
        byte[] sealed = cipher.seal(key, secretBytes, context(accessKeyId)).encode();
        tx.putAccessKey(new AccessKeyRecord(accessKeyId, userName, user.userId(), user.arn(), ACTIVE, clock.millis(),
            sealed));
        return null;
      });
    } finally {
      Arrays.fill(secretBytes, (byte) 0);
    }
    return new NewAccessKey(accessKeyId, secret, userName);
  }

  /**
   * Issues session credentials ({@code ASIA…}) for the user {@code caller} until {@code expiration}
   * (GetSessionToken). The token is random; only its digest is stored.
   */
  public NewSession issueSession(Caller caller, Instant expiration, Long mfaAuthenticatedAt) {
    return issue(caller, null, null, expiration, mfaAuthenticatedAt, null);
  }

  /**
   * Issues credentials of a session of {@code role} for {@code caller} (a user, or a role session
   * assuming a further role), whose identity is {@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION}.
   * The session keeps the user at the root of the chain and the role by unique id; the role must
   * still be the one that was authorized when the session is stored.
   */
  public NewSession issueRoleSession(Caller caller, RoleRecord role, String identityArn, Instant expiration,
      Long mfaAuthenticatedAt, String sessionPolicy) {
    return issue(caller, role, identityArn, expiration, mfaAuthenticatedAt, sessionPolicy);
  }

  private NewSession issue(Caller caller, RoleRecord role, String identityArn, Instant expiration,
      Long mfaAuthenticatedAt, String sessionPolicy) {
    String accessKeyId = "ASIA" + ids.fromAlphabet(KEY_ID_ALPHABET, 16);
    String secret = ids.fromAlphabet(SECRET_ALPHABET, 40);
    String token = Base64.getEncoder().encodeToString(ids.bytes(TOKEN_BYTES));
    byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
    long now = clock.millis();
    try {
      store.write(tx -> {
        // spent sessions are swept whenever a new one is issued, so they never pile up
        tx.sessions().stream().filter(x -> x.expiration() <= now).forEach(x -> tx.removeSession(x.accessKeyId()));
        SessionRoot root = root(tx, caller);
        if (role != null && tx.role(role.roleName()).filter(r -> r.roleId().equals(role.roleId())).isEmpty()) {
          // deleted (or deleted and made again) since it was authorized: refused as a missing role is
          throw new VaultException(VaultError.ACCESS_DENIED, "User: " + caller.arn()
              + " is not authorized to perform: sts:AssumeRole on resource: " + role.arn());
        }
        KmsKeyRecord key = keyRing.resolve(tx, KeyRing.SECRETS_MANAGER_ALIAS);
        byte[] sealed = cipher.seal(key, secretBytes, context(accessKeyId)).encode();
        tx.putSession(new SessionRecord(accessKeyId, root.userName(), role == null ? userArn(root.userName())
            : identityArn, sealed, digest(token), now, expiration.toEpochMilli(), mfaAuthenticatedAt,
            role == null ? null : role.roleName(), sessionPolicy, root.userId(), role == null ? null : role.roleId()));
        return null;
      });
    } finally {
      Arrays.fill(secretBytes, (byte) 0);
    }
    return new NewSession(accessKeyId, secret, token, expiration);
  }

  /** The user at the root of a new session: the calling user, or the root of the calling role session. */
  private record SessionRoot(String userName, String userId) {}

  private static SessionRoot root(StoreView tx, Caller caller) {
    if (caller.isRoleSession()) {
      // read in the same unit of work: a session revoked meanwhile cannot beget another
      SessionRecord parent = tx.session(caller.accessKeyId()).orElseThrow(AccessKeys::credentialsGone);
      return new SessionRoot(parent.userName(), parent.userId());
    }
    UserRecord user = tx.user(caller.userName()).filter(u -> u.userId().equals(caller.userId()))
        .orElseThrow(AccessKeys::credentialsGone);
    return new SessionRoot(user.userName(), user.userId());
  }

  private static VaultException credentialsGone() {
    return new VaultException(VaultError.ACCESS_DENIED, "The security token included in the request is invalid.");
  }

  static VaultException noSuchUser(String userName) {
    return VaultException.notFound("The user with name " + userName + " cannot be found.");
  }

  /**
   * The signing key for {@code accessKeyId}: an active long-term key, or a live session whose token
   * is {@code sessionToken} and whose user (or role) still exists. Empty when there is no such key.
   *
   * @throws ExpiredCredentialsException for session credentials past their expiration
   */
  public Optional<SigningKey> signingKey(String accessKeyId, String sessionToken) {
    return store.read(view -> usable(view, accessKeyId, sessionToken).map(found -> {
      Envelope envelope = Envelope.decode(found.sealedSecret());
      byte[] secret = cipher.open(keyRing.resolve(view, envelope.keyId()), envelope, context(accessKeyId));
      return new SigningKey(found.principal(), secret);
    }));
  }

  /**
   * Who {@code accessKeyId} (with {@code sessionToken}) stands for, if it may be used now: the checks
   * of {@link #signingKey(String, String)} without unsealing the secret, for a verifier that keeps
   * what it derived from the secret and must still refuse a key that is gone or inactive.
   *
   * @throws ExpiredCredentialsException for session credentials past their expiration
   */
  public Optional<Principal> principal(String accessKeyId, String sessionToken) {
    return store.read(view -> usable(view, accessKeyId, sessionToken).map(Usable::principal));
  }

  /**
   * Why a key that signed a request earlier may not be used any more (deactivated, deleted, its
   * session expired or its user or role gone), or empty while it still may. For what outlives one
   * request, such as a change-feed stream: the session token was checked when the stream opened.
   */
  public Optional<String> whyUnusable(String accessKeyId) {
    return store.read(view -> {
      if (!accessKeyId.startsWith("ASIA")) {
        AccessKeyRecord key = view.accessKey(accessKeyId).orElse(null);
        if (key == null || view.user(key.userName()).filter(key::belongsTo).isEmpty()) {
          return Optional.of("The access key " + accessKeyId + " no longer exists.");
        }
        return ACTIVE.equals(key.status()) ? Optional.empty()
            : Optional.of("The access key " + accessKeyId + " is inactive.");
      }
      SessionRecord session = view.session(accessKeyId).orElse(null);
      // The very principals it was issued for, by unique id, as signing checks them.
      if (session == null || !principalsExist(view, session)) {
        return Optional.of("The session credentials no longer exist.");
      }
      return clock.millis() >= session.expiration() ? Optional.of("The session credentials expired.")
          : Optional.<String>empty();
    });
  }

  /** The signing key of an active long-term access key, or empty if it is unknown or inactive. */
  public Optional<SigningKey> signingKey(String accessKeyId) {
    return signingKey(accessKeyId, null);
  }

  /** A key that may be used now, and its sealed secret. */
  private record Usable(Principal principal, byte[] sealedSecret) {}

  private Optional<Usable> usable(StoreView view, String accessKeyId, String sessionToken) {
    if (!accessKeyId.startsWith("ASIA")) {
      // a key is its user's, not its user name's: once the user is gone, so is the key
      return view.accessKey(accessKeyId)
          .filter(k -> ACTIVE.equals(k.status()))
          .filter(k -> view.user(k.userName()).filter(k::belongsTo).isPresent())
          .map(k -> new Usable(new Principal(k.userName(), k.userArn(), accessKeyId), k.sealedSecret()));
    }
    SessionRecord session = view.session(accessKeyId).orElse(null);
    if (session == null || sessionToken == null
        || !MessageDigest.isEqual(session.tokenDigest(), digest(sessionToken))
        || !principalsExist(view, session)) {
      return Optional.empty();
    }
    if (clock.millis() >= session.expiration()) {
      throw new ExpiredCredentialsException();
    }
    String userName = session.isRoleSession() ? null : session.userName();
    return Optional.of(new Usable(new Principal(userName, session.userArn(), accessKeyId, true,
        session.mfaAuthenticatedAt(), session.roleName(), session.sessionPolicy()), session.sealedSecret()));
  }

  /** Whether the role of a session and the user at its root are still the very ones it was issued for. */
  private static boolean principalsExist(StoreView view, SessionRecord session) {
    if (session.isRoleSession() && view.role(session.roleName()).filter(session::of).isEmpty()) {
      return false;
    }
    return session.userName() == null ? session.isRoleSession()
        : view.user(session.userName()).filter(session::rootedIn).isPresent();
  }

  public String userArn(String userName) {
    return "arn:aws:iam::" + account + ":user/" + userName;
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static EncryptionContext context(String accessKeyId) {
    return EncryptionContext.of("AccessKeyId", accessKeyId);
  }
}
