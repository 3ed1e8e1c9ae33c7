package dev.stowaway.agent;

import java.lang.instrument.Instrumentation;

/**
 * {@code -javaagent} entry point. It does as little as it can: puts the bootstrap bridge in place,
 * hands over to {@link AgentStartup}, and turns any failure into one line on stderr. The
 * application is stopped only when the user asked for fail-fast ({@code onError=fail}, the default)
 * or gave a setting the agent cannot use.
 */
public final class AgentMain {

  private AgentMain() {}

  public static void premain(String args, Instrumentation inst) {
    start(args, inst);
  }

  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst);
  }

  private static void start(String args, Instrumentation inst) {
    try {
      BootstrapBridge.inject(inst); // before anything can load the bridge classes from the wrong loader
      AgentStartup.run(args, inst, System.getenv());
    } catch (AgentStartup.StartupFailure failure) {
      System.err.println("stowaway-agent: " + failure.getMessage());
      if (failure.stopsTheApplication()) {
        System.err.println("stowaway-agent: stopping the application (set onError=warn to start it anyway)");
        System.exit(1);
      }
    } catch (Throwable t) {
      System.err.println("stowaway-agent: failed to start (" + t + "); stopping the application");
      System.exit(1);
    }
  }
}
