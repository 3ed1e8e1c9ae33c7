package dev.stowaway.vault.identity;

import dev.stowaway.vault.RandomIds;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.store.GroupRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.UserRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** IAM groups: membership and the inline policies written into them, authorized per call. */
public final class Groups {

  private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]{1,128}");
  private static final char[] ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private final SecretStore store;
  private final Authorizer authorizer;
  private final Clock clock;
  private final RandomIds ids;
  private final String account;
  private final Caller caller;

  public Groups(SecretStore store, Authorizer authorizer, Clock clock, RandomIds ids, String account) {
    this(store, authorizer, clock, ids, account, Caller.SYSTEM);
  }

  private Groups(SecretStore store, Authorizer authorizer, Clock clock, RandomIds ids, String account, Caller caller) {
    this.store = store;
    this.authorizer = authorizer;
    this.clock = clock;
    this.ids = ids;
    this.account = account;
    this.caller = caller;
  }

  public Groups as(Caller who) {
    return new Groups(store, authorizer, clock, ids, account, who);
  }

  public String groupArn(String name) {
    return "arn:aws:iam::" + account + ":group/" + name;
  }

  public GroupRecord createGroup(String name, String path) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw VaultException.validation("1 validation error detected: Value '" + name + "' at 'groupName' failed to "
          + "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
    authorize("iam:CreateGroup", name);
    return changed(tx -> {
      if (tx.group(name).isPresent()) {
        throw VaultException.exists("Group with name " + name + " already exists.");
      }
      GroupRecord g = new GroupRecord(name, "AGPA" + ids.fromAlphabet(ID_ALPHABET, 17), groupArn(name),
          path == null ? "/" : path, clock.millis(), List.of(), List.of(), List.of());
      tx.putGroup(g);
      return g;
    });
  }

  public void deleteGroup(String name) {
    authorize("iam:DeleteGroup", name);
    changed(tx -> {
      GroupRecord g = tx.group(name).orElseThrow(() -> noSuchGroup(name));
      if (!g.members().isEmpty()) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "Cannot delete entity, must remove users from group first.");
      }
      if (!g.inlinePolicies().isEmpty() || !g.attachedPolicies().isEmpty()) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "Cannot delete entity, must delete policies first.");
      }
      tx.removeGroup(name);
      return null;
    });
  }

  public void addUserToGroup(String groupName, String userName) {
    authorize("iam:AddUserToGroup", groupName);
    changed(tx -> {
      GroupRecord g = tx.group(groupName).orElseThrow(() -> noSuchGroup(groupName));
      tx.user(userName).orElseThrow(() -> VaultException.notFound("The user with name " + userName + " cannot be found."));
      if (!g.members().contains(userName)) {
        List<String> members = new ArrayList<>(g.members());
        members.add(userName);
        tx.putGroup(g.withMembers(members));
      }
      return null;
    });
  }

  public void removeUserFromGroup(String groupName, String userName) {
    authorize("iam:RemoveUserFromGroup", groupName);
    changed(tx -> {
      GroupRecord g = tx.group(groupName).orElseThrow(() -> noSuchGroup(groupName));
      if (!g.members().contains(userName)) {
        throw VaultException.notFound("The user with name " + userName + " cannot be found.");
      }
      tx.putGroup(g.withMembers(g.members().stream().filter(m -> !m.equals(userName)).toList()));
      return null;
    });
  }

  public List<GroupRecord> listGroupsForUser(String userName) {
    authorizer.authorize(caller, "iam:ListGroupsForUser", "arn:aws:iam::" + account + ":user/" + userName, Map.of(), null);
    return store.read(view -> {
      view.user(userName).orElseThrow(() -> VaultException.notFound("The user with name " + userName + " cannot be found."));
      return view.groups().stream().filter(g -> g.members().contains(userName))
          .sorted(Comparator.comparing(GroupRecord::groupName)).toList();
    });
  }

  public void putGroupPolicy(String groupName, String policyName, String document) {
    InlinePolicies.validate(policyName, document);
    authorize("iam:PutGroupPolicy", groupName);
    changed(tx -> {
      GroupRecord owner = tx.group(groupName).orElseThrow(() -> noSuchGroup(groupName));
      tx.putGroup(owner.withInlinePolicies(InlinePolicies.put(owner.inlinePolicies(), policyName, document)));
      return null;
    });
  }

  public String getGroupPolicy(String groupName, String policyName) {
    authorize("iam:GetGroupPolicy", groupName);
    return InlinePolicies.get(group(groupName).inlinePolicies(), policyName, "group");
  }

  public List<String> listGroupPolicies(String groupName) {
    authorize("iam:ListGroupPolicies", groupName);
    return InlinePolicies.names(group(groupName).inlinePolicies());
  }

  public void deleteGroupPolicy(String groupName, String policyName) {
    authorize("iam:DeleteGroupPolicy", groupName);
    changed(tx -> {
      GroupRecord owner = tx.group(groupName).orElseThrow(() -> noSuchGroup(groupName));
      tx.putGroup(owner.withInlinePolicies(InlinePolicies.delete(owner.inlinePolicies(), policyName, "group")));
      return null;
    });
  }

  private GroupRecord group(String name) {
    return store.read(view -> view.group(name)).orElseThrow(() -> noSuchGroup(name));
  }

  private void authorize(String action, String groupName) {
    authorizer.authorize(caller, action, groupArn(groupName), Map.of(), null);
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
