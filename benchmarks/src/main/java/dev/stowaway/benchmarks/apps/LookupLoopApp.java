package dev.stowaway.benchmarks.apps;

/**
 * Measures {@code System.getProperty} in this JVM: for a placeholder property (the agent's cached
 * lookup) and for a plain one (what the instrumentation costs every other read). Prints ns/op.
 */
public final class LookupLoopApp {

  private static volatile Object sink;

  private LookupLoopApp() {}

  public static void main(String[] args) {
    for (String name : new String[] {"db.password", "plain.setting"}) {
      for (int i = 0; i < 2_000_000; i++) { // warm-up: JIT and caches
        sink = System.getProperty(name);
      }
      int rounds = 5;
      int n = 2_000_000;
      long best = Long.MAX_VALUE;
      for (int r = 0; r < rounds; r++) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
          sink = System.getProperty(name);
        }
        best = Math.min(best, System.nanoTime() - start);
      }
      System.out.printf("%s %.1f%n", name, (double) best / n);
    }
  }
}
