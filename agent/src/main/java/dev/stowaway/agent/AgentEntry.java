package dev.stowaway.agent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;

/**
 * The manifest's {@code Premain-Class} and {@code Agent-Class}, compiled for Java 8 on its own
 * (see the agent's pom) so that every JVM that can read the agent jar can run it. On a JVM older
 * than the agent's floor it prints one line and returns, and the application starts without the
 * agent; otherwise it hands over to {@link AgentMain}, which is compiled for Java 11. It names
 * that class only as a string: a direct reference would not compile for Java 8.
 */
public final class AgentEntry {

  /** The oldest Java feature release the rest of the agent is compiled for. */
  static final int FLOOR = 11;

  private AgentEntry() {}

  public static void premain(String args, Instrumentation inst) {
    enter("premain", args, inst);
  }

  public static void agentmain(String args, Instrumentation inst) {
    enter("agentmain", args, inst);
  }

  private static void enter(String method, String args, Instrumentation inst) {
    String refusal = refusal(System.getProperty("java.specification.version"), System.getProperty("java.version"));
    if (refusal != null) {
      System.err.println(refusal);
      return;
    }
    try {
      Class.forName("dev.stowaway.agent.AgentMain", true, AgentEntry.class.getClassLoader())
          .getMethod(method, String.class, Instrumentation.class).invoke(null, args, inst);
    } catch (InvocationTargetException e) {
      // AgentMain turns its own failures into a line; this is whatever escaped it.
      System.err.println("stowaway-agent: failed to start (" + e.getCause() + "); the application starts without it");
    } catch (Throwable t) {
      System.err.println("stowaway-agent: failed to start (" + t + "); the application starts without it");
    }
  }

  /**
   * The line to print instead of starting on a JVM whose {@code java.specification.version} is
   * {@code specification} ("1.8", "9", "11", "25"), or null when the agent can run there. A value
   * that cannot be read is let through: loading the agent would then fail, and say so, in
   * {@link #enter}.
   */
  static String refusal(String specification, String version) {
    int feature = featureRelease(specification);
    if (feature < 0 || feature >= FLOOR) {
      return null;
    }
    return "stowaway-agent: needs Java " + FLOOR + " or later, this JVM is " + version
        + "; the application starts without it";
  }

  /** 8 for "1.8", 11 for "11"; -1 when there is no number to read. */
  static int featureRelease(String specification) {
    if (specification == null) {
      return -1;
    }
    String s = specification.startsWith("1.") ? specification.substring(2) : specification;
    int end = 0;
    while (end < s.length() && Character.isDigit(s.charAt(end))) {
      end++;
    }
    if (end == 0 || end > 4) {
      return -1;
    }
    return Integer.parseInt(s.substring(0, end));
  }
}
