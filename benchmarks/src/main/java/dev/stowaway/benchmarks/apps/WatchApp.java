package dev.stowaway.benchmarks.apps;

/**
 * Reads {@code db.password} in a tight loop and prints {@code changed EPOCH_MILLIS} whenever the
 * value it sees changes; stops after {@code args[0]} changes.
 */
public final class WatchApp {

  private WatchApp() {}

  public static void main(String[] args) throws Exception {
    int wanted = Integer.parseInt(args[0]);
    String last = System.getProperty("db.password");
    System.out.println("ready");
    System.out.flush();
    int seen = 0;
    while (seen < wanted) {
      String now = System.getProperty("db.password");
      if (!now.equals(last)) {
        System.out.println("changed " + System.currentTimeMillis());
        System.out.flush();
        last = now;
        seen++;
      }
      Thread.onSpinWait();
    }
  }
}
