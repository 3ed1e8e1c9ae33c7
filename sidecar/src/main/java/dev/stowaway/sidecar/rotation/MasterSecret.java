package dev.stowaway.sidecar.rotation;

/**
 * The master user's credentials of the alternating strategy, named by the rotated secret's
 * {@code masterarn}. Whoever may put the rotated secret's value chooses that ARN and the user name
 * the master will change, so the master is used only on its own server, and never to change its
 * own password or that of a role more powerful than an application's: otherwise a narrow writer
 * could have a superuser's new password stored in a secret it can read.
 */
final class MasterSecret {

  private MasterSecret() {}

  static DatabaseCredentials read(RotationContext context, DatabaseCredentials current, int defaultPort)
      throws RotationException {
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
