package dev.stowaway.agent.config;

/** A setting the agent cannot start with; the message names the setting and the bad value. */
public final class AgentConfigException extends RuntimeException {
  public AgentConfigException(String message) {
    super(message, null, false, false);
  }
}
