package dev.stowaway.sidecar.rotation;

import java.util.Map;

/**
 * The master user's credentials of the alternating strategy, named by the rotated secret's
 * {@code masterarn}. Whoever may put the rotated secret's value chooses that ARN and the user name
 * the master will change, and would then read that user's new password. So, as Vault binds each
 * static role to its user, the operator says on the master secret which secret may have it change
 * which user: the tag {@value #CONSENT_TAG} (or any tag whose key begins so) holds space-separated
 * {@code SECRET-NAME=USER} entries, {@code SECRET-NAME} ending in {@code *} for a prefix. Even then
 * the master is used only on its own server, and never to change its own password or that of a
 * role more powerful than an application's.
 */
final class MasterSecret {

  static final String CONSENT_TAG = "stowaway:rotation:master-for";

  private MasterSecret() {}

  /** The operator's consent, on the master secret, for this secret to have {@code user} (or its clone) changed. */
  static void requireConsent(RotationContext context, String masterArn, String user) throws RotationException {
    String base = Clones.base(user);
    Map<String, String> tags;
    try {
      tags = context.secretTags().apply(masterArn);
    } catch (RuntimeException e) {
      throw new RotationException("setSecret: cannot read the master secret " + masterArn + "'s tags: "
          + e.getMessage());
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      if (tag.getKey().startsWith(CONSENT_TAG)) {
        for (String entry : tag.getValue().strip().split("\\s+")) {
          int eq = entry.lastIndexOf('=');
          if (eq > 0 && entry.substring(eq + 1).equals(base) && names(entry.substring(0, eq), context.name())) {
            return;
          }
        }
      }
    }
    throw new RotationException("setSecret: the master secret " + masterArn + " does not let " + context.name()
        + " change the password of " + base + ": an operator allows it by tagging the master secret "
        + CONSENT_TAG + " with " + context.name() + "=" + base);
  }

  private static boolean names(String pattern, String name) {
    return pattern.endsWith("*") ? name.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(name);
  }

  static DatabaseCredentials read(RotationContext context, DatabaseCredentials current, int defaultPort)
      throws RotationException {
    requireConsent(context, current.masterArn(), current.username());
    String value;
    try {
      value = context.secretValue().apply(current.masterArn());
    } catch (RuntimeException e) {
      throw new RotationException("setSecret: cannot read the master secret " + current.masterArn() + ": "
          + e.getMessage());
    }
    DatabaseCredentials master = DatabaseCredentials.parse(value, "master secret's", defaultPort);
    if (!master.host().equalsIgnoreCase(current.host()) || master.port() != current.port()) {
      throw new RotationException("setSecret: the master secret is for " + master.host() + ":" + master.port()
          + ", not for this secret's database at " + current.host() + ":" + current.port());
    }
    return master;
  }

  static void refuseToChange(String user, DatabaseCredentials master, boolean privileged) throws RotationException {
    if (user.equals(master.username()) || Clones.base(user).equals(master.username()) || privileged) {
      throw new RotationException("setSecret: refusing to set the password of " + user + " as " + master.username()
          + ": it is the master user or an administrative user; the alternating strategy rotates only application "
          + "users");
    }
  }
}
