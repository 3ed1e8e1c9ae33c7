package dev.stowaway.sidecar.rotation;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A user logging in as itself to change its own password, with whichever of its passwords the
 * database takes now: the current one; the pending one if setSecret ran before a crash or a
 * failed test; the previous one an operator may have put back.
 */
final class FirstLogin {

  /** A user name and password to try. */
  record Attempt(String user, String password) {
    @Override
    public String toString() {
      return "Attempt[" + user + ", password REDACTED]";
    }
  }

  private FirstLogin() {}

  /** The first connection one of the attempts opens, in order; else the first attempt's failure. */
  static Connection open(PasswordCheck.Login login, List<Attempt> attempts) throws SQLException, RotationException {
    SQLException first = null;
    for (Attempt attempt : attempts) {
      try {
        return login.open(attempt.user(), attempt.password());
      } catch (SQLException e) {
        first = first == null ? e : first;
      }
    }
    throw first == null ? new SQLException("no credentials to log in with") : first;
  }
}
