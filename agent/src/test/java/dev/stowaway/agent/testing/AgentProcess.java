package dev.stowaway.agent.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A child JVM started with {@code -javaagent:} the built agent jar, running a class from this
 * module's test tree with the JDBC drivers and pool on its class path (and nothing of the agent's
 * own dependencies, which must come from the shaded jar).
 */
public final class AgentProcess {

  private static final List<String> APP_JARS =
      List.of("h2-", "postgresql-", "mariadb-java-client-", "HikariCP-", "slf4j-api-", "slf4j-nop-");

  private final List<String> jvmArgs = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private String agentArgs;
  private boolean withAgent = true;

  public static Path agentJar() {
    String jar = System.getProperty("stowaway.agent.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("the agent jar is missing (" + jar + "): run 'mvn verify', which packages it "
          + "before the integration tests");
    }
    return Path.of(jar);
  }

  public AgentProcess agentArgs(String args) {
    this.agentArgs = args;
    return this;
  }

  public AgentProcess withoutAgent() {
    this.withAgent = false;
    return this;
  }

  public AgentProcess sysprop(String name, String value) {
    jvmArgs.add("-D" + name + "=" + value);
    return this;
  }

  public AgentProcess env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Runs {@code mainClass} to completion and returns what it printed. */
  public Result run(Class<?> mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xshare:auto");
    if (withAgent) {
      command.add("-javaagent:" + agentJar() + (agentArgs == null ? "" : "=" + agentArgs));
    }
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classPath());
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("STOWAWAY_"));
    builder.environment().putAll(env);
    try {
      Process p = builder.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("child JVM did not exit; output:\n" + output);
      }
      return new Result(p.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String classPath() {
    String testClasses = System.getProperty("stowaway.test.classes");
    List<String> entries = new ArrayList<>();
    entries.add(testClasses);
    Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> APP_JARS.stream().anyMatch(prefix -> Path.of(e).getFileName().toString().startsWith(prefix)))
        .forEach(entries::add);
    return entries.stream().collect(Collectors.joining(File.pathSeparator));
  }

  /** Exit code and everything the child printed. */
  public record Result(int exitCode, String output) {

    /** The value the app printed for {@code key}, or fails showing the whole output. */
    public String value(String key) {
      return output.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
          .findFirst().orElseThrow(() -> new AssertionError("no '" + key + "=' line in output:\n" + output));
    }
  }
}
