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
      List.of("h2-", "postgresql-", "mariadb-java-client-", "mysql-connector-j-", "HikariCP-", "slf4j-api-", "slf4j-nop-");

  private final List<String> jvmArgs = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private String agentArgs;
  private boolean withAgent = true;
  private Path javaHome = Path.of(System.getProperty("java.home"));
  private String classPath;

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

  /** Runs the child on another JDK. */
  public AgentProcess javaHome(Path home) {
    this.javaHome = home;
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

  /** A JVM option other than a system property, such as {@code -XX:SharedArchiveFile=…}. */
  public AgentProcess jvmArg(String option) {
    jvmArgs.add(option);
    return this;
  }

  /** Runs the application from this class path instead of the test classes and drivers. */
  public AgentProcess classPath(String path) {
    this.classPath = path;
    return this;
  }

  public AgentProcess env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Runs {@code mainClass} to completion and returns what it printed. */
  public Result run(Class<?> mainClass, String... args) {
    try {
      Process p = builder(mainClass, args).start();
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

  /** Runs {@code mainClass} to completion, keeping what it printed on stdout and on stderr apart. */
  public Streams runWithStreams(Class<?> mainClass, String... args) {
    try {
      Path stderr = Files.createTempFile("agent-child-stderr", ".txt");
      try {
        Process p = builder(mainClass, args).redirectErrorStream(false).redirectError(stderr.toFile()).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("child JVM did not exit; output:\n" + stdout);
        }
        return new Streams(p.exitValue(), stdout, Files.readString(stderr, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(stderr);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts {@code mainClass} and returns at once, for applications that keep running. */
  public Running start(Class<?> mainClass, String... args) {
    try {
      return new Running(builder(mainClass, args).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ProcessBuilder builder(Class<?> mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(javaHome.resolve("bin").resolve("java").toString());
    command.add("-Xshare:auto");
    if (withAgent) {
      command.add("-javaagent:" + agentJar() + (agentArgs == null ? "" : "=" + agentArgs));
    }
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classPath != null ? classPath : classPath());
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("STOWAWAY_"));
    builder.environment().putAll(env);
    return builder;
  }

  public static String classPath() {
    String testClasses = System.getProperty("stowaway.test.classes");
    List<String> entries = new ArrayList<>();
    entries.add(testClasses);
    Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> APP_JARS.stream().anyMatch(prefix -> Path.of(e).getFileName().toString().startsWith(prefix)))
        .forEach(entries::add);
    return entries.stream().collect(Collectors.joining(File.pathSeparator));
  }

  /** A child that keeps running: its lines as they come, and its stdin. */
  public static final class Running implements AutoCloseable {
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();

    Running(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> {
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            output.append(line).append('\n');
            lines.add(line);
          }
        } catch (IOException ignored) {
          // the child is gone
        }
      }, "child-output");
      reader.setDaemon(true);
      reader.start();
    }

    /** Waits for the next line that satisfies {@code wanted}, up to {@code seconds}. */
    public String await(java.util.function.Predicate<String> wanted, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (true) {
        String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new AssertionError("no matching line within " + seconds + " s; output:\n" + output);
        }
        if (wanted.test(line)) {
          return line;
        }
      }
    }

    public void send(String line) throws IOException {
      process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
    }

    public int awaitExit() throws InterruptedException {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("child did not exit; output:\n" + output);
      }
      return process.exitValue();
    }

    public String output() {
      return output.toString();
    }

    public long pid() {
      return process.pid();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  /** Exit code, and what the child printed on each stream. */
  public record Streams(int exitCode, String stdout, String stderr) {}

  /** Exit code and everything the child printed. */
  public record Result(int exitCode, String output) {

    /** The value the app printed for {@code key}, or fails showing the whole output. */
    public String value(String key) {
      return output.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
          .findFirst().orElseThrow(() -> new AssertionError("no '" + key + "=' line in output:\n" + output));
    }
  }
}
