package dev.stowaway.vault.identity;

import dev.stowaway.vault.RandomIds;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.policy.Decision;
import dev.stowaway.vault.store.AccessKeyRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreView;
import dev.stowaway.vault.store.UserRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * IAM users, their inline policies and access keys, with IAM's rules and messages. Every call is
 * authorized for its caller ({@code iam:<Action>} on the user's ARN) before anything is done.
 */
public final class IdentityService {

  public static final String ADMINISTRATOR_POLICY_NAME = "AdministratorAccess";
  public static final String ADMINISTRATOR_POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
  private static final Pattern USER_NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
  private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private final SecretStore store;
  private final AccessKeys accessKeys;
  private final Authorizer authorizer;
  private final Clock clock;
  private final RandomIds ids;
  private final String account;
  private final Caller caller;

  public IdentityService(SecretStore store, AccessKeys accessKeys, Authorizer authorizer, Clock clock, RandomIds ids,
      String account) {
    this(store, accessKeys, authorizer, clock, ids, account, Caller.SYSTEM);
  }

  private IdentityService(SecretStore store, AccessKeys accessKeys, Authorizer authorizer, Clock clock, RandomIds ids,
      String account, Caller caller) {
    this.store = store;
    this.accessKeys = accessKeys;
    this.authorizer = authorizer;
    this.clock = clock;
    this.ids = ids;
    this.account = account;
    this.caller = caller;
  }

  /** The same service, acting for {@code caller}: each call is authorized against its policies. */
  public IdentityService as(Caller who) {
    return new IdentityService(store, accessKeys, authorizer, clock, ids, account, who);
  }

  public String userArn(String userName) {
    return "arn:aws:iam::" + account + ":user/" + userName;
  }

  /** The caller as a Caller, for a user found by its access key. */
  public Caller callerFor(Principal principal, String sourceIp, boolean secure) {
    String userId;
    if (principal.roleName() != null) {
      // as AWS: ROLEID:SESSION, the session name being the last part of the assumed-role ARN
      String session = principal.arn().substring(principal.arn().lastIndexOf('/') + 1);
      userId = store.read(view -> view.role(principal.roleName())).map(r -> r.roleId() + ":" + session)
          .orElse(principal.accessKeyId());
    } else {
      UserRecord user = store.read(view -> view.user(principal.userName())).orElse(null);
      userId = user == null ? principal.accessKeyId() : user.userId();
    }
    return new Caller(principal.userName(), userId, principal.arn(), principal.accessKeyId(), sourceIp, secure,
        principal.temporary(), principal.mfaAuthenticatedAt(), principal.roleName(), principal.sessionPolicy());
  }

  /**
   * The caller for a user who proved itself without an access key (a local-agent token bound to
   * the user): the user's policies apply; empty unless the user named {@code userName} exists and is
   * the very user {@code userId} names, not a later user of the same name.
   */
  public Optional<Caller> callerForUser(String userName, String userId, String sourceIp) {
    return store.read(view -> view.user(userName))
        .filter(user -> user.userId().equals(userId))
        .map(user -> new Caller(user.userName(), user.userId(), user.arn(), null, sourceIp, false));
  }

  /** The unique id ({@code AIDA…}) of the user who holds {@code userName} now, if any. */
  public Optional<String> userId(String userName) {
    return store.read(view -> view.user(userName)).map(UserRecord::userId);
  }

  /**
   * The unique id of the user a credential issued at {@code issued} for {@code userName} was meant
   * for: the user of that name, provided it already existed then. A user made after the credential
   * is a later user of the same name, and inherits nothing.
   */
  public Optional<String> userIdAsOf(String userName, java.time.Instant issued) {
    return store.read(view -> view.user(userName))
        .filter(user -> user.createdDate() <= issued.toEpochMilli())
        .map(UserRecord::userId);
  }

  // ---- users --------------------------------------------------------------------------------

  public UserRecord createUser(String userName, String path) {
    checkUserName(userName);
    String p = path == null ? "/" : path;
    authorize("iam:CreateUser", userName);
    return changed(tx -> {
      if (tx.user(userName).isPresent()) {
        throw VaultException.exists("User with name " + userName + " already exists.");
      }
      UserRecord user = new UserRecord(userName, "AIDA" + ids.fromAlphabet(ID_ALPHABET, 17), userArn(userName), p,
          clock.millis(), List.of(), List.of());
      tx.putUser(user);
      return user;
    });
  }

  /** GetUser; a null name means the caller. */
  public UserRecord getUser(String userName) {
    String name = caller.userNameOr(userName);
    if (name == null) {
      throw VaultException.validation("Must specify userName when calling with non-User credentials");
    }
    authorize("iam:GetUser", name);
    return user(name);
  }

  public List<UserRecord> listUsers() {
    authorizeOn("iam:ListUsers", "arn:aws:iam::" + account + ":user/");
    List<UserRecord> users = new ArrayList<>(store.read(view -> view.users()));
    users.sort(Comparator.comparing(UserRecord::userName));
    return users;
  }

  public void deleteUser(String userName) {
    authorize("iam:DeleteUser", userName);
    changed(tx -> {
      UserRecord user = tx.user(userName).orElseThrow(() -> noSuchUser(userName));
      if (tx.accessKeys().stream().anyMatch(k -> k.belongsTo(user))) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "Cannot delete entity, must delete access keys first.");
      }
      if (!user.inlinePolicies().isEmpty()) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "Cannot delete entity, must delete policies first.");
      }
      if (!user.attachedPolicies().isEmpty()) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "Cannot delete entity, must detach all policies first.");
      }
      if (tx.groups().stream().anyMatch(g -> g.members().contains(userName))) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "Cannot delete entity, must remove users from group first.");
      }
      if (tx.mfaDevices().stream().anyMatch(d -> userName.equals(d.userName()))) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "Cannot delete entity, must remove MFA device first.");
      }
      // the user's session credentials die with it: its own, the role sessions it opened, and those
      // chained from them (a chained session has no user name of its own; it keeps its root's)
      tx.sessions().stream().filter(x -> x.rootedIn(user)).forEach(x -> tx.removeSession(x.accessKeyId()));
      tx.removeUser(userName);
      return null;
    });
  }

  // ---- inline policies ----------------------------------------------------------------------

  public void putUserPolicy(String userName, String policyName, String document) {
    InlinePolicies.validate(policyName, document);
    authorize("iam:PutUserPolicy", userName);
    changed(tx -> {
      UserRecord owner = tx.user(userName).orElseThrow(() -> noSuchUser(userName));
      tx.putUser(owner.withInlinePolicies(InlinePolicies.put(owner.inlinePolicies(), policyName, document)));
      return null;
    });
  }

  public String getUserPolicy(String userName, String policyName) {
    authorize("iam:GetUserPolicy", userName);
    return InlinePolicies.get(user(userName).inlinePolicies(), policyName, "user");
  }

  public List<String> listUserPolicies(String userName) {
    authorize("iam:ListUserPolicies", userName);
    return InlinePolicies.names(user(userName).inlinePolicies());
  }

  public void deleteUserPolicy(String userName, String policyName) {
    authorize("iam:DeleteUserPolicy", userName);
    changed(tx -> {
      UserRecord owner = tx.user(userName).orElseThrow(() -> noSuchUser(userName));
      tx.putUser(owner.withInlinePolicies(InlinePolicies.delete(owner.inlinePolicies(), policyName, "user")));
      return null;
    });
  }

  // ---- access keys --------------------------------------------------------------------------

  /** CreateAccessKey; a null name means the caller. At most two keys per user. */
  public NewAccessKey createAccessKey(String userName) {
    String name = caller.userNameOr(userName);
    authorize("iam:CreateAccessKey", name);
    return accessKeys.create(name);
  }

  public List<AccessKeyRecord> listAccessKeys(String userName) {
    String name = caller.userNameOr(userName);
    authorize("iam:ListAccessKeys", name);
    return store.read(view -> {
      UserRecord user = view.user(name).orElseThrow(() -> noSuchUser(name));
      return view.accessKeys().stream().filter(k -> k.belongsTo(user))
          .sorted(Comparator.comparingLong(AccessKeyRecord::createdDate)).toList();
    });
  }

  public void updateAccessKey(String userName, String accessKeyId, String status) {
    if (!"Active".equals(status) && !"Inactive".equals(status)) {
      throw VaultException.validation("1 validation error detected: Value '" + status + "' at 'status' failed to "
          + "satisfy constraint: Member must satisfy enum value set: [Active, Inactive]");
    }
    String name = caller.userNameOr(userName);
    authorize("iam:UpdateAccessKey", name);
    changed(tx -> {
      AccessKeyRecord key = ownKey(tx, name, accessKeyId);
      tx.putAccessKey(key.withStatus(status));
      return null;
    });
  }

  public void deleteAccessKey(String userName, String accessKeyId) {
    String name = caller.userNameOr(userName);
    authorize("iam:DeleteAccessKey", name);
    changed(tx -> {
      ownKey(tx, name, accessKeyId);
      tx.removeAccessKey(accessKeyId);
      return null;
    });
  }

  // ---- the policy simulator -----------------------------------------------------------------

  /** One action on one resource, as SimulatePrincipalPolicy answers it. */
  public record Simulation(String action, String resource, Decision decision) {}

  /**
   * SimulatePrincipalPolicy for a user: for each action and resource, whether the user's policies
   * allow it and which statement decided.
   */
  public List<Simulation> simulate(String policySourceArn, List<String> actions, List<String> resources,
      Map<String, List<String>> context) {
    authorizeOn("iam:SimulatePrincipalPolicy", policySourceArn);
    String prefix = "arn:aws:iam::" + account + ":user/";
    if (policySourceArn == null || !policySourceArn.startsWith(prefix)) {
      throw VaultException.invalidParameter("Invalid PolicySourceArn: only users of account " + account + " are served.");
    }
    UserRecord user = user(policySourceArn.substring(prefix.length()));
    Caller subject = new Caller(user.userName(), user.userId(), user.arn(), null, null, true);
    List<Simulation> results = new ArrayList<>();
    for (String action : actions) {
      for (String resource : resources.isEmpty() ? List.of("*") : resources) {
        results.add(new Simulation(action, resource, authorizer.decide(subject, action, resource, context, null)));
      }
    }
    return results;
  }

  // ---- bootstrap ----------------------------------------------------------------------------

  /**
   * Makes sure {@code userName} exists as an ordinary user holding the administrator policy; returns
   * true if it had to be created. Vaults made before users existed get their administrator this way.
   */
  public boolean ensureAdministrator(String userName) {
    return changed(tx -> {
      UserRecord user = tx.user(userName).orElse(null);
      if (user != null) {
        return false;
      }
      tx.putUser(new UserRecord(userName, "AIDA" + ids.fromAlphabet(ID_ALPHABET, 17), userArn(userName), "/",
          clock.millis(), List.of(new UserRecord.InlinePolicy(ADMINISTRATOR_POLICY_NAME, ADMINISTRATOR_POLICY)),
          List.of()));
      return true;
    });
  }

  // ---- helpers ------------------------------------------------------------------------------

  private void authorize(String action, String userName) {
    authorizeOn(action, userArn(userName));
  }

  private void authorizeOn(String action, String resource) {
    authorizer.authorize(caller, action, resource, Map.of(), null);
  }

  private UserRecord user(String userName) {
    return store.read(view -> view.user(userName)).orElseThrow(() -> noSuchUser(userName));
  }

  private static VaultException noSuchUser(String userName) {
    return VaultException.notFound("The user with name " + userName + " cannot be found.");
  }

  /** The key {@code accessKeyId} if it is one of the current user {@code userName}'s own. */
  private static AccessKeyRecord ownKey(StoreView view, String userName, String accessKeyId) {
    UserRecord owner = view.user(userName).orElse(null);
    return view.accessKey(accessKeyId).filter(k -> owner != null && k.belongsTo(owner)).orElseThrow(() ->
        VaultException.notFound("The Access Key with id " + accessKeyId + " cannot be found."));
  }

  private static void checkUserName(String userName) {
    if (userName == null || !USER_NAME.matcher(userName).matches()) {
      throw VaultException.validation("1 validation error detected: Value '" + userName + "' at 'userName' failed "
          + "to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
  }

  /** A write to identities: committed, then the authorizer's cache of policies is dropped. */
  private <T> T changed(java.util.function.Function<? super dev.stowaway.vault.store.StoreTransaction, T> work) {
    try {
      return store.write(work);
    } finally {
      authorizer.identityChanged();
    }
  }
}
