package dev.stowaway.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's start on Java 11 and later, reached through {@link AgentEntry} (which checks the
 * Java version first). It does as little as it can: puts the bootstrap bridge in place, hands over
 * to {@link AgentStartup}, and turns any failure into one line on stderr. The application is
 * stopped only when the user asked for fail-fast ({@code onError=fail}, the default) and a
 * placeholder cannot be resolved, or gave a setting the agent cannot use; any other failure
 * leaves it starting without the agent.
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
      // Not a setting or a secret the user can fix: the agent's own fault, which must not cost
      // the application its start.
      System.err.println("stowaway-agent: failed to start (" + t + "); the application starts without it");
    }
  }
}
