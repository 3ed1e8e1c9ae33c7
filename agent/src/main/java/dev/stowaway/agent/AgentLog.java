package dev.stowaway.agent;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The agent's one logger, {@code dev.stowaway.agent}, through {@code System.Logger} (JUL unless the
 * application routes it elsewhere). Obtained on first use: setting up logging costs tens of
 * milliseconds, which an application that starts cleanly should not pay for the agent.
 */
public final class AgentLog {

  private AgentLog() {}

  private static final class Holder {
    static final Logger LOG = System.getLogger("dev.stowaway.agent");
  }

  public static void warn(String message) {
    Holder.LOG.log(Level.WARNING, "stowaway-agent: " + message);
  }

  public static void info(String message) {
    Holder.LOG.log(Level.INFO, "stowaway-agent: " + message);
  }
}
