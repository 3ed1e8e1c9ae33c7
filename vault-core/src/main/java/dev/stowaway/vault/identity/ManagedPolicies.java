package dev.stowaway.vault.identity;

import dev.stowaway.vault.RandomIds;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.policy.MalformedPolicyException;
import dev.stowaway.vault.policy.PolicyParser;
import dev.stowaway.vault.store.GroupRecord;
import dev.stowaway.vault.store.ManagedPolicyRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreTransaction;
import dev.stowaway.vault.store.UserRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Customer-managed policies and their attachment to users and groups, authorized per call. */
public final class ManagedPolicies {

  private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]{1,128}");
  private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private final SecretStore store;
  private final Authorizer authorizer;
  private final Clock clock;
  private final RandomIds ids;
  private final String account;
  private final Caller caller;

  public ManagedPolicies(SecretStore store, Authorizer authorizer, Clock clock, RandomIds ids, String account) {
    this(store, authorizer, clock, ids, account, Caller.SYSTEM);
  }

  private ManagedPolicies(SecretStore store, Authorizer authorizer, Clock clock, RandomIds ids, String account,
      Caller caller) {
    this.store = store;
    this.authorizer = authorizer;
    this.clock = clock;
    this.ids = ids;
    this.account = account;
    this.caller = caller;
  }

  public ManagedPolicies as(Caller who) {
    return new ManagedPolicies(store, authorizer, clock, ids, account, who);
  }

  public ManagedPolicyRecord createPolicy(String name, String path, String document, String description) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw VaultException.validation("1 validation error detected: Value '" + name + "' at 'policyName' failed to "
          + "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
    String p = path == null ? "/" : path;
    String arn = "arn:aws:iam::" + account + ":policy" + p + name;
    authorizer.authorize(caller, "iam:CreatePolicy", arn, Map.of(), null);
    validate(document);
    return changed(tx -> {
      if (tx.managedPolicy(arn).isPresent()) {
        throw VaultException.exists("A policy called " + name + " already exists. Duplicate names are not allowed.");
      }
      long now = clock.millis();
      ManagedPolicyRecord policy = new ManagedPolicyRecord(name, "ANPA" + ids.fromAlphabet(ID_ALPHABET, 17), arn, p,
          description, now, now, "v1", List.of(new ManagedPolicyRecord.Version("v1", document, now)));
      tx.putManagedPolicy(policy);
      return policy;
    });
  }

  public ManagedPolicyRecord getPolicy(String arn) {
    authorizer.authorize(caller, "iam:GetPolicy", arn, Map.of(), null);
    return policy(arn);
  }

  public ManagedPolicyRecord.Version getPolicyVersion(String arn, String versionId) {
    authorizer.authorize(caller, "iam:GetPolicyVersion", arn, Map.of(), null);
    return policy(arn).versions().stream().filter(v -> v.versionId().equals(versionId)).findFirst()
        .orElseThrow(() -> VaultException.notFound("Policy " + arn + " version " + versionId + " does not exist or is not attachable."));
  }

  public List<ManagedPolicyRecord> listPolicies() {
    authorizer.authorize(caller, "iam:ListPolicies", "arn:aws:iam::" + account + ":policy/", Map.of(), null);
    return store.read(view -> view.managedPolicies().stream()
        .sorted(Comparator.comparing(ManagedPolicyRecord::policyName)).toList());
  }

  public void deletePolicy(String arn) {
    authorizer.authorize(caller, "iam:DeletePolicy", arn, Map.of(), null);
    changed(tx -> {
      tx.managedPolicy(arn).orElseThrow(() -> noSuchPolicy(arn));
      if (attachments(tx, arn) > 0) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "Cannot delete a policy attached to entities.");
      }
      tx.removeManagedPolicy(arn);
      return null;
    });
  }

  public void attachUserPolicy(String userName, String arn) {
    authorizer.authorize(caller, "iam:AttachUserPolicy", userArn(userName), Map.of("iam:PolicyARN", List.of(arn)), null);
    changed(tx -> {
      UserRecord u = tx.user(userName).orElseThrow(() -> noSuchUser(userName));
      tx.managedPolicy(arn).orElseThrow(() -> noSuchPolicy(arn));
      if (!u.attachedPolicies().contains(arn)) {
        List<String> attached = new ArrayList<>(u.attachedPolicies());
        attached.add(arn);
        tx.putUser(u.withAttachedPolicies(attached));
      }
      return null;
    });
  }

  public void detachUserPolicy(String userName, String arn) {
    authorizer.authorize(caller, "iam:DetachUserPolicy", userArn(userName), Map.of("iam:PolicyARN", List.of(arn)), null);
    changed(tx -> {
      UserRecord u = tx.user(userName).orElseThrow(() -> noSuchUser(userName));
      if (!u.attachedPolicies().contains(arn)) {
        throw VaultException.notFound("Policy " + arn + " was not found.");
      }
      tx.putUser(u.withAttachedPolicies(u.attachedPolicies().stream().filter(a -> !a.equals(arn)).toList()));
      return null;
    });
  }

  public void attachGroupPolicy(String groupName, String arn) {
    authorizer.authorize(caller, "iam:AttachGroupPolicy", groupArn(groupName), Map.of("iam:PolicyARN", List.of(arn)), null);
    changed(tx -> {
      GroupRecord g = tx.group(groupName).orElseThrow(() -> noSuchGroup(groupName));
      tx.managedPolicy(arn).orElseThrow(() -> noSuchPolicy(arn));
      if (!g.attachedPolicies().contains(arn)) {
        List<String> attached = new ArrayList<>(g.attachedPolicies());
        attached.add(arn);
        tx.putGroup(g.withAttachedPolicies(attached));
      }
      return null;
    });
  }

  public void detachGroupPolicy(String groupName, String arn) {
    authorizer.authorize(caller, "iam:DetachGroupPolicy", groupArn(groupName), Map.of("iam:PolicyARN", List.of(arn)), null);
    changed(tx -> {
      GroupRecord g = tx.group(groupName).orElseThrow(() -> noSuchGroup(groupName));
      if (!g.attachedPolicies().contains(arn)) {
        throw VaultException.notFound("Policy " + arn + " was not found.");
      }
      tx.putGroup(g.withAttachedPolicies(g.attachedPolicies().stream().filter(a -> !a.equals(arn)).toList()));
      return null;
    });
  }

  /** ListAttachedUserPolicies: the managed policies attached to the user, by name and ARN. */
  public List<ManagedPolicyRecord> listAttachedUserPolicies(String userName) {
    authorizer.authorize(caller, "iam:ListAttachedUserPolicies", userArn(userName), Map.of(), null);
    return store.read(view -> {
      UserRecord u = view.user(userName).orElseThrow(() -> noSuchUser(userName));
      return u.attachedPolicies().stream().map(view::managedPolicy).flatMap(java.util.Optional::stream).toList();
    });
  }

  /** How many users, groups and roles a policy is attached to. */
  public int attachmentCount(String arn) {
    return store.read(view -> (int) (view.users().stream().filter(u -> u.attachedPolicies().contains(arn)).count()
        + view.groups().stream().filter(g -> g.attachedPolicies().contains(arn)).count()
        + view.roles().stream().filter(r -> r.attachedPolicies().contains(arn)).count()));
  }

  private static long attachments(StoreTransaction tx, String arn) {
    return tx.users().stream().filter(u -> u.attachedPolicies().contains(arn)).count()
        + tx.groups().stream().filter(g -> g.attachedPolicies().contains(arn)).count()
        + tx.roles().stream().filter(r -> r.attachedPolicies().contains(arn)).count();
  }

  private ManagedPolicyRecord policy(String arn) {
    return store.read(view -> view.managedPolicy(arn)).orElseThrow(() -> noSuchPolicy(arn));
  }

  private static void validate(String document) {
    try {
      PolicyParser.identity("policy", document);
    } catch (MalformedPolicyException e) {
      throw new VaultException(VaultError.MALFORMED_POLICY, e.getMessage());
    } catch (NullPointerException e) {
      throw VaultException.validation("1 validation error detected: Value null at 'policyDocument' failed to satisfy "
          + "constraint: Member must not be null");
    }
  }

  private String userArn(String name) {
    return "arn:aws:iam::" + account + ":user/" + name;
  }

  private String groupArn(String name) {
    return "arn:aws:iam::" + account + ":group/" + name;
  }

  private static VaultException noSuchPolicy(String arn) {
    return VaultException.notFound("Policy " + arn + " does not exist or is not attachable.");
  }

  private static VaultException noSuchUser(String name) {
    return VaultException.notFound("The user with name " + name + " cannot be found.");
  }

  private static VaultException noSuchGroup(String name) {
    return VaultException.notFound("The group with name " + name + " cannot be found.");
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
