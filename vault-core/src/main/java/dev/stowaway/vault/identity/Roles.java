package dev.stowaway.vault.identity;

import dev.stowaway.vault.RandomIds;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.policy.MalformedPolicyException;
import dev.stowaway.vault.policy.PolicyParser;
import dev.stowaway.vault.store.RoleRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreTransaction;
import dev.stowaway.vault.store.UserRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/** IAM roles: their trust policies and the policies their sessions act under, authorized per call. */
public final class Roles {

  static final int DEFAULT_MAX_SESSION = 3600;
  private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
  private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private final SecretStore store;
  private final Authorizer authorizer;
  private final Clock clock;
  private final RandomIds ids;
  private final String account;
  private final Caller caller;

  public Roles(SecretStore store, Authorizer authorizer, Clock clock, RandomIds ids, String account) {
    this(store, authorizer, clock, ids, account, Caller.SYSTEM);
  }

  private Roles(SecretStore store, Authorizer authorizer, Clock clock, RandomIds ids, String account, Caller caller) {
    this.store = store;
    this.authorizer = authorizer;
    this.clock = clock;
    this.ids = ids;
    this.account = account;
    this.caller = caller;
  }

  public Roles as(Caller who) {
    return new Roles(store, authorizer, clock, ids, account, who);
  }

  public String roleArn(String roleName) {
    return "arn:aws:iam::" + account + ":role/" + roleName;
  }

  public RoleRecord createRole(String roleName, String path, String trustPolicy, String description,
      Integer maxSessionDuration) {
    if (roleName == null || !NAME.matcher(roleName).matches()) {
      throw VaultException.validation("1 validation error detected: Value '" + roleName + "' at 'roleName' failed "
          + "to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
    int maxSession = maxSessionDuration == null ? DEFAULT_MAX_SESSION : maxSessionDuration;
    if (maxSession < 3600 || maxSession > 43_200) {
      throw VaultException.validation("1 validation error detected: Value '" + maxSession + "' at "
          + "'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200");
    }
    authorize("iam:CreateRole", roleName);
    checkTrustPolicy(trustPolicy);
    return changed(tx -> {
      if (tx.role(roleName).isPresent()) {
        throw VaultException.exists("Role with name " + roleName + " already exists.");
      }
      RoleRecord role = new RoleRecord(roleName, "AROA" + ids.fromAlphabet(ID_ALPHABET, 17), roleArn(roleName),
          path == null ? "/" : path, clock.millis(), description, maxSession, trustPolicy, List.of(), List.of());
      tx.putRole(role);
      return role;
    });
  }

  public RoleRecord getRole(String roleName) {
    authorize("iam:GetRole", roleName);
    return role(roleName);
  }

  public List<RoleRecord> listRoles() {
    authorizer.authorize(caller, "iam:ListRoles", "arn:aws:iam::" + account + ":role/", Map.of(), null);
    List<RoleRecord> roles = new ArrayList<>(store.read(view -> view.roles()));
    roles.sort(Comparator.comparing(RoleRecord::roleName));
    return roles;
  }

  public void deleteRole(String roleName) {
    authorize("iam:DeleteRole", roleName);
    changed(tx -> {
      RoleRecord role = tx.role(roleName).orElseThrow(() -> noSuchRole(roleName));
      if (!role.inlinePolicies().isEmpty()) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "Cannot delete entity, must delete policies first.");
      }
      if (!role.attachedPolicies().isEmpty()) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "Cannot delete entity, must detach all policies first.");
      }
      tx.sessions().stream().filter(x -> x.of(role)).forEach(x -> tx.removeSession(x.accessKeyId()));
      tx.removeRole(roleName);
      return null;
    });
  }

  public void updateAssumeRolePolicy(String roleName, String trustPolicy) {
    authorize("iam:UpdateAssumeRolePolicy", roleName);
    checkTrustPolicy(trustPolicy);
    changed(tx -> {
      tx.putRole(tx.role(roleName).orElseThrow(() -> noSuchRole(roleName)).withAssumeRolePolicy(trustPolicy));
      return null;
    });
  }

  public void putRolePolicy(String roleName, String policyName, String document) {
    InlinePolicies.validate(policyName, document);
    authorize("iam:PutRolePolicy", roleName);
    changed(tx -> {
      RoleRecord owner = tx.role(roleName).orElseThrow(() -> noSuchRole(roleName));
      tx.putRole(owner.withInlinePolicies(InlinePolicies.put(owner.inlinePolicies(), policyName, document)));
      return null;
    });
  }

  public String getRolePolicy(String roleName, String policyName) {
    authorize("iam:GetRolePolicy", roleName);
    return InlinePolicies.get(role(roleName).inlinePolicies(), policyName, "role");
  }

  public List<String> listRolePolicies(String roleName) {
    authorize("iam:ListRolePolicies", roleName);
    return InlinePolicies.names(role(roleName).inlinePolicies());
  }

  public void deleteRolePolicy(String roleName, String policyName) {
    authorize("iam:DeleteRolePolicy", roleName);
    changed(tx -> {
      RoleRecord owner = tx.role(roleName).orElseThrow(() -> noSuchRole(roleName));
      tx.putRole(owner.withInlinePolicies(InlinePolicies.delete(owner.inlinePolicies(), policyName, "role")));
      return null;
    });
  }

  public void attachRolePolicy(String roleName, String policyArn) {
    authorizer.authorize(caller, "iam:AttachRolePolicy", roleArn(roleName),
        Map.of("iam:PolicyARN", List.of(policyArn)), null);
    changed(tx -> {
      RoleRecord role = tx.role(roleName).orElseThrow(() -> noSuchRole(roleName));
      tx.managedPolicy(policyArn).orElseThrow(() -> VaultException.notFound("Policy " + policyArn
          + " does not exist or is not attachable."));
      if (!role.attachedPolicies().contains(policyArn)) {
        List<String> attached = new ArrayList<>(role.attachedPolicies());
        attached.add(policyArn);
        tx.putRole(role.withAttachedPolicies(attached));
      }
      return null;
    });
  }

  public void detachRolePolicy(String roleName, String policyArn) {
    authorizer.authorize(caller, "iam:DetachRolePolicy", roleArn(roleName),
        Map.of("iam:PolicyARN", List.of(policyArn)), null);
    changed(tx -> {
      RoleRecord role = tx.role(roleName).orElseThrow(() -> noSuchRole(roleName));
      if (!role.attachedPolicies().contains(policyArn)) {
        throw VaultException.notFound("Policy " + policyArn + " was not found.");
      }
      tx.putRole(role.withAttachedPolicies(role.attachedPolicies().stream().filter(a -> !a.equals(policyArn))
          .toList()));
      return null;
    });
  }

  private static void checkTrustPolicy(String document) {
    if (document == null || document.isEmpty()) {
      throw VaultException.validation("1 validation error detected: Value null at 'assumeRolePolicyDocument' failed "
          + "to satisfy constraint: Member must not be null");
    }
    try {
      PolicyParser.trust("trust", document);
    } catch (MalformedPolicyException e) {
      throw new VaultException(VaultError.MALFORMED_POLICY, e.getMessage());
    }
  }

  private RoleRecord role(String roleName) {
    return store.read(view -> view.role(roleName)).orElseThrow(() -> noSuchRole(roleName));
  }

  private void authorize(String action, String roleName) {
    authorizer.authorize(caller, action, roleArn(roleName), Map.of(), null);
  }

  private static VaultException noSuchRole(String roleName) {
    return VaultException.notFound("The role with name " + roleName + " cannot be found.");
  }

  private <T> T changed(Function<? super StoreTransaction, T> work) {
    try {
      return store.write(work);
    } finally {
      authorizer.identityChanged();
    }
  }
}
