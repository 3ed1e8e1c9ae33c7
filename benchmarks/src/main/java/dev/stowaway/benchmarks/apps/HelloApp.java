package dev.stowaway.benchmarks.apps;

/** The smallest application: reads one property and prints it. */
public final class HelloApp {
  private HelloApp() {}

  public static void main(String[] args) {
    System.out.println("hello " + (System.getProperty("db.password") == null ? "" : "(configured)"));
  }
}
