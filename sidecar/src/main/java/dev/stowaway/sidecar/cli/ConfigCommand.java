package dev.stowaway.sidecar.cli;

import dev.stowaway.sidecar.config.ConfigException;
import dev.stowaway.sidecar.config.ServerConfig;
import java.io.PrintStream;
import java.util.Map;

/** {@code stowaway config check FILE}: what a sidecar would make of a config file, or what is wrong in it. */
final class ConfigCommand {

  private ConfigCommand() {}

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length != 2 || !args[0].equals("check")) {
      err.println("usage: stowaway config check FILE");
      return 2;
    }
    ServerConfig config;
    try {
      config = ServerConfig.parse(new String[] {"--config", args[1]}, env);
    } catch (ConfigException e) {
      err.println("stowaway: " + e.getMessage());
      return 1;
    }
    out.println("stowaway: " + args[1] + " is valid; with the environment here a sidecar would run with:");
    out.println("    data-dir    " + config.dataDir());
    out.println("    listen      " + config.bind() + ":" + config.port());
    out.println("    region      " + config.region() + ", account " + config.account());
    out.println("    store       " + (config.store().postgresql() ? "postgresql " + config.store().url() : "mapdb"));
    out.println("    agent-token " + (config.agentToken() == null ? "none (tokens from 'stowaway token create' only)"
        : config.agentToken().source() + " as IAM user " + config.agentToken().user()));
    out.println("    log-format  " + config.logFormat().name().toLowerCase(java.util.Locale.ROOT));
    out.println("    rotation-lease-seconds " + config.rotationLease().toSeconds());
    out.println("    probes      " + (config.probePort() == null ? "on the API port only"
        : config.probeBind() + ":" + config.probePort() + " and the API port"));
    return 0;
  }
}
