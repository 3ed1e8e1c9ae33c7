package dev.stowaway.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child JVM running one of the benchmark apps, with or without the agent. */
final class ChildJvm implements AutoCloseable {

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(Process process) {
    this.process = process;
    Thread t = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // gone
      }
    });
    t.setDaemon(true);
    t.start();
  }

  static ChildJvm start(Path agentJar, String agentArgs, List<String> jvmArgs, Map<String, String> env,
      Class<?> app, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (agentJar != null) {
      command.add("-javaagent:" + agentJar + (agentArgs == null ? "" : "=" + agentArgs));
    }
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(System.getProperty("stowaway.bench.classes"));
    command.add(app.getName());
    command.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
    b.environment().putAll(env);
    return new ChildJvm(b.start());
  }

  String awaitLine(String prefix) throws InterruptedException {
    while (true) {
      String line = lines.poll(60, TimeUnit.SECONDS);
      if (line == null) {
        throw new IllegalStateException("no line starting '" + prefix + "' within 60 s");
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  int awaitExit() throws InterruptedException {
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("child did not exit");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
