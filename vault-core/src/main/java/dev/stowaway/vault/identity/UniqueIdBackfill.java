package dev.stowaway.vault.identity;

import dev.stowaway.vault.store.AccessKeyRecord;
import dev.stowaway.vault.store.RoleRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.SessionRecord;
import dev.stowaway.vault.store.StoreTransaction;
import dev.stowaway.vault.store.UserRecord;
import java.util.List;
import java.util.Optional;

/**
 * Binds access keys and sessions stored before they named their principals by unique id to the
 * principals that hold those names now, once, when the vault opens. A record whose principal is
 * gone could only have been left by a lost race with a deletion (the deletions refuse or remove
 * what refers to a principal in the same unit of work); it is removed rather than left for a later
 * principal of the same name to inherit.
 */
public final class UniqueIdBackfill {

  private UniqueIdBackfill() {}

  public static void run(SecretStore store, IdentityService identity) {
    // Every access key belongs to a user; vaults made before users existed had only the
    // administrator, whose user is made here. A vault that has users never makes one for a key.
    store.read(view -> view.users().isEmpty()
        ? view.accessKeys().stream().map(AccessKeyRecord::userName).distinct().toList() : List.<String>of())
        .forEach(identity::ensureAdministrator);
    boolean pending = store.read(view -> view.accessKeys().stream().anyMatch(k -> k.userId() == null)
        || view.sessions().stream().anyMatch(UniqueIdBackfill::unbound));
    if (!pending) {
      return;
    }
    store.write(tx -> {
      for (AccessKeyRecord key : tx.accessKeys()) {
        if (key.userId() == null) {
          Optional<UserRecord> user = tx.user(key.userName());
          if (user.isPresent()) {
            tx.putAccessKey(key.boundTo(user.get().userId()));
          } else {
            tx.removeAccessKey(key.accessKeyId());
          }
        }
      }
      for (SessionRecord session : tx.sessions()) {
        if (unbound(session)) {
          bind(tx, session);
        }
      }
      return null;
    });
  }

  private static boolean unbound(SessionRecord session) {
    return (session.userName() != null && session.userId() == null)
        || (session.isRoleSession() && session.roleId() == null);
  }

  private static void bind(StoreTransaction tx, SessionRecord session) {
    Optional<String> userId = session.userName() == null ? Optional.empty()
        : tx.user(session.userName()).map(UserRecord::userId);
    Optional<String> roleId = !session.isRoleSession() ? Optional.empty()
        : tx.role(session.roleName()).map(RoleRecord::roleId);
    boolean userGone = session.userName() != null && userId.isEmpty();
    boolean roleGone = session.isRoleSession() && roleId.isEmpty();
    if (userGone || roleGone) {
      tx.removeSession(session.accessKeyId());
    } else {
      tx.putSession(session.boundTo(userId.orElse(null), roleId.orElse(null)));
    }
  }
}
