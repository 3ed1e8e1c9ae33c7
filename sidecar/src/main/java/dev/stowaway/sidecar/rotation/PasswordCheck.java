package dev.stowaway.sidecar.rotation;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Proof that a database checks passwords before a rotator changes one. A server that lets anyone
 * in (PostgreSQL's {@code trust}, a MariaDB user without a password) would make every later step
 * "succeed": the vault would move to a password the database never needed, and testSecret would
 * prove nothing.
 */
final class PasswordCheck {

  /** Opens a connection to one checked target as a user with a password. */
  @FunctionalInterface
  interface Login {
    Connection open(String user, String password) throws SQLException, RotationException;
  }

  private PasswordCheck() {}

  /** A login as {@code user} with a password nobody has must be refused. */
  static void require(Login login, String user) throws RotationException {
    String wrong = "stowaway-wrong-" + UUID.randomUUID();
    try (Connection c = login.open(user, wrong)) {
      throw new RotationException("this database accepts any password for " + user
          + " (trust authentication); rotating would prove nothing");
    } catch (SQLException refused) {
      // refused: the server checks this user's password
    }
  }
}
