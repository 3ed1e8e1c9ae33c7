package dev.stowaway.agent;

import dev.stowaway.agent.bootstrap.PlaceholderHook;
import dev.stowaway.agent.config.AgentConfig;
import dev.stowaway.agent.config.AgentConfigException;
import dev.stowaway.agent.config.AgentConfigParser;
import dev.stowaway.agent.instrument.JdkHooks;
import dev.stowaway.agent.instrument.LibraryGate;
import dev.stowaway.agent.resolve.AgentHooks;
import dev.stowaway.agent.resolve.AwsCredentials;
import dev.stowaway.agent.resolve.RoleCredentials;
import dev.stowaway.agent.resolve.ChangeFeedFollower;
import dev.stowaway.agent.resolve.Fingerprints;
import dev.stowaway.agent.resolve.PlaceholderParser;
import dev.stowaway.agent.resolve.PlaceholderSyntaxException;
import dev.stowaway.agent.resolve.ResolutionException;
import dev.stowaway.agent.resolve.Resolver;
import dev.stowaway.agent.resolve.SidecarClient;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads the settings, checks every placeholder already in system properties and the environment
 * (fail fast, naming the property and reference, never a value), then installs the resolver and
 * the instrumentation.
 */
final class AgentStartup {


  private AgentStartup() {}

  static void run(String args, Instrumentation inst, Map<String, String> env) {
    AgentConfig config;
    try {
      config = AgentConfigParser.parse(args, env);
    } catch (AgentConfigException e) {
      throw new StartupFailure(e.getMessage(), true);
    }
    SidecarClient client;
    String noCredentials = null;
    if (config.token() != null) {
      client = SidecarClient.withToken(config.endpoint(), config.token(), Duration.ofSeconds(2));
    } else {
      Supplier<AwsCredentials> signing;
      try {
        signing = credentialsFor(config, AwsCredentials.fromEnvironment(env, System.getProperty("user.home")));
      } catch (AwsCredentials.CredentialsException e) {
        // Not yet a reason to stop anything: an application with nothing to resolve starts as it
        // would without the agent, and each placeholder met says why it cannot be resolved.
        noCredentials = e.getMessage();
        signing = unavailable(noCredentials);
      }
      client = new SidecarClient(config.endpoint(), signing, config.region(), Clock.systemUTC(), Duration.ofSeconds(2));
    }
    Resolver resolver = new Resolver(client, config.ttl(), config.maxStale(), Resolver.SYSTEM_TICKER,
        new Fingerprints());
    int placeholders = checkPlaceholdersAtStartup(resolver, env, config.failOnError());
    if (noCredentials != null && placeholders == 0) {
      System.err.println("stowaway-agent: " + noCredentials + "; placeholders met later cannot be resolved");
    }
    PlaceholderHook.install(new AgentHooks(resolver, config.retryWindow()));
    try {
      JdkHooks.install(inst);
    } catch (UnmodifiableClassException e) {
      throw new StartupFailure("cannot hook system properties and the environment: " + e, config.failOnError());
    }
    LibraryGate.install(inst);
    ChangeFeedFollower feed = new ChangeFeedFollower(client, resolver, Clock.systemUTC());
    resolver.onFirstUse(new Runnable() { // not a lambda: premain pays for each bootstrap
      @Override
      public void run() {
        feed.start();
      }
    });
    // No line on success: a guest that starts cleanly stays quiet (and does not set up logging).
  }

  /** Credentials that are not there: each use says why, as a resolution failure. */
  private static Supplier<AwsCredentials> unavailable(String why) {
    return new Supplier<AwsCredentials>() { // not a lambda: premain pays for each bootstrap
      @Override
      public AwsCredentials get() {
        throw new ResolutionException(why);
      }
    };
  }

  /** The base credentials, or those of the configured role, assumed now and refreshed from here on. */
  private static Supplier<AwsCredentials> credentialsFor(AgentConfig config, AwsCredentials base) {
    if (config.role() == null) {
      return base;
    }
    try {
      return new RoleCredentials(config.endpoint(), base, config.region(), config.role(), config.roleSessionName(),
          config.roleDuration(), config.roleRefreshAhead(), Clock.systemUTC()).start();
    } catch (RuntimeException e) {
      throw new StartupFailure(e.getMessage(), config.failOnError());
    }
  }

  /** Resolves each placeholder once (warming the cache); returns how many there were. */
  private static int checkPlaceholdersAtStartup(Resolver resolver, Map<String, String> env, boolean failOnError) {
    List<String[]> candidates = new ArrayList<>();
    // entrySet reads the raw values: nothing is instrumented yet, and we want the placeholders.
    for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
      if (e.getValue() instanceof String && PlaceholderParser.mightContain((String) e.getValue())) {
        candidates.add(new String[] {"system property '" + e.getKey() + "'", (String) e.getValue()});
      }
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (PlaceholderParser.mightContain(e.getValue())) {
        candidates.add(new String[] {"environment variable '" + e.getKey() + "'", e.getValue()});
      }
    }
    for (String[] c : candidates) {
      try {
        resolver.apply(c[1]);
      } catch (PlaceholderSyntaxException | ResolutionException e) {
        String line = "cannot resolve " + c[0] + ": " + e.getMessage();
        if (failOnError) {
          throw new StartupFailure(line, true);
        }
        AgentLog.warn("" + line + " (onError=warn: it keeps its placeholder)");
      }
    }
    return candidates.size();
  }

  /** Start-up cannot go on as configured; the message is the one line the user sees. */
  static final class StartupFailure extends RuntimeException {
    private final boolean stop;

    StartupFailure(String message, boolean stop) {
      super(message, null, false, false);
      this.stop = stop;
    }

    boolean stopsTheApplication() {
      return stop;
    }
  }
}
