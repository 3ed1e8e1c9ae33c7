package dev.stowaway.sidecar.rotation;

/** The alternating strategy's two users, as AWS names them: {@code user} and {@code user_clone}. */
final class Clones {

  static final String SUFFIX = "_clone";

  private Clones() {}

  static String other(String user) {
    return user.endsWith(SUFFIX) ? base(user) : user + SUFFIX;
  }

  static String base(String user) {
    return user.endsWith(SUFFIX) ? user.substring(0, user.length() - SUFFIX.length()) : user;
  }
}
