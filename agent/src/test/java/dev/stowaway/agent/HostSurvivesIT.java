package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.agent.app.ReportingApp;
import dev.stowaway.agent.testing.AgentProcess;
import dev.stowaway.agent.testing.Jdk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent never takes its host down by failing: on a JVM it cannot run on, or when it breaks
 * inside premain, the application starts without it after one line on stderr. (The one exception,
 * onError=fail with a placeholder that cannot be resolved, is AgentIT's
 * missingSecretStopsStartUpNamingThePropertyAndReferenceOnly.)
 */
class HostSurvivesIT {

  static final String REFUSAL = "stowaway-agent: needs Java 11 or later, this JVM is ";

  @TempDir
  Path dir;

  private static AgentProcess app() {
    return new AgentProcess().env("AWS_ACCESS_KEY_ID", "AKIAHOSTSURVIVES0000").env("AWS_SECRET_ACCESS_KEY", "unused")
        .env("STOWAWAY_ENDPOINT", "http://127.0.0.1:1").sysprop("greeting", "hello");
  }

  @Test
  void aFailureInsidePremainLeavesTheApplicationRunningAfterOneLine() throws IOException {
    // The agent's own failure, not a setting or a secret: java.io.tmpdir is a file, so the bootstrap
    // bridge cannot be written out.
    Path notADirectory = Files.writeString(dir.resolve("not-a-directory"), "");
    AgentProcess.Streams with = app().sysprop("java.io.tmpdir", notADirectory.toString())
        .runWithStreams(ReportingApp.class, "prop:greeting");
    AgentProcess.Streams without = app().withoutAgent().sysprop("java.io.tmpdir", notADirectory.toString())
        .runWithStreams(ReportingApp.class, "prop:greeting");

    assertEquals(0, with.exitCode(), with.stderr());
    assertEquals("prop:greeting=hello\n", with.stdout());
    List<String> added = added(with.stderr(), without.stderr());
    assertEquals(1, added.size(), with.stderr());
    assertTrue(added.get(0).startsWith("stowaway-agent: failed to start (")
        && added.get(0).endsWith("); the application starts without it"), added.get(0));
  }

  @Test
  void withoutCredentialsAndNothingToResolveTheApplicationStartsAfterOneLine() throws IOException {
    Path home = Files.createDirectories(dir.resolve("home")); // no ~/.aws/credentials there
    AgentProcess.Streams with = withoutCredentials(home).runWithStreams(ReportingApp.class, "prop:greeting");
    AgentProcess.Streams without = withoutCredentials(home).withoutAgent()
        .runWithStreams(ReportingApp.class, "prop:greeting");

    assertEquals(0, with.exitCode(), with.stderr());
    assertEquals("prop:greeting=hello\n", with.stdout());
    List<String> added = new ArrayList<>(added(with.stderr(), without.stderr()));
    added.remove(QuietStderrIT.CDS_NOTE); // the JVM's own, see QuietStderrIT
    assertEquals(List.of("stowaway-agent: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
        + "AWS_SHARED_CREDENTIALS_FILE (" + home.resolve(".aws/credentials") + " cannot be read); placeholders met "
        + "later cannot be resolved"), added);
  }

  @Test
  void withoutCredentialsAPlaceholderAtStartUpStopsTheApplicationSayingWhy() throws IOException {
    Path home = Files.createDirectories(dir.resolve("home"));
    AgentProcess.Streams r = withoutCredentials(home).sysprop("db.password", "{{resolve:secretsmanager:prod/db}}")
        .runWithStreams(ReportingApp.class, "prop:greeting");

    assertEquals(1, r.exitCode(), r.stderr());
    assertEquals("", r.stdout());
    assertTrue(r.stderr().contains("stowaway-agent: cannot resolve system property 'db.password': no AWS "
        + "credentials: set AWS_ACCESS_KEY_ID"), r.stderr());
  }

  private static AgentProcess withoutCredentials(Path home) {
    return new AgentProcess().env("STOWAWAY_ENDPOINT", "http://127.0.0.1:1").sysprop("user.home", home.toString())
        .sysprop("greeting", "hello");
  }

  /**
   * The real jar on a real older JVM. None can be installed on the build machine (Debian has no
   * Java 8, 9 or 10 package), so this is skipped there; AgentEntryTest covers the check, and the
   * next test the jar's path through it.
   */
  @Test
  void onAJvmOlderThanJava11TheApplicationStartsWithoutTheAgent() throws Exception {
    Optional<Path> older = Jdk.olderThan(11);
    Assumptions.assumeTrue(older.isPresent(), "no JVM older than Java 11 under /usr/lib/jvm");
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Path source = Files.writeString(dir.resolve("OldApp.java"),
        "public class OldApp { public static void main(String[] a) { System.out.println(\"app ran\"); } }");
    assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "8", "-d",
        classes.toString(), source.toString()));
    Path stderr = dir.resolve("stderr");
    Process p = new ProcessBuilder(older.get().resolve("bin/java").toString(),
        "-javaagent:" + AgentProcess.agentJar(), "-cp", classes.toString(), "OldApp")
        .redirectError(stderr.toFile()).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue());
    assertEquals("app ran", stdout.strip());
    List<String> lines = Files.readAllLines(stderr);
    assertEquals(1, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).startsWith(REFUSAL) && lines.get(0).endsWith("; the application starts without it"),
        lines.get(0));
  }

  /**
   * The jar's path through the version check on a JVM that reports itself as Java 8: Java 11 lets the
   * command line set {@code java.specification.version}, which the check reads (17 and later do not).
   * A simulation, but of the shipped jar: manifest, entry class, refusal, return.
   */
  @Test
  void whenTheJvmReportsJava8TheAgentStandsAsideInOneLine() {
    Path java11 = Jdk.of(11).home();
    AgentProcess.Streams r = app().javaHome(java11).sysprop("java.specification.version", "1.8")
        .runWithStreams(ReportingApp.class, "prop:greeting");
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals("prop:greeting=hello\n", r.stdout());
    List<String> lines = r.stderr().lines().toList();
    assertEquals(1, lines.size(), r.stderr());
    assertTrue(lines.get(0).startsWith(REFUSAL + "11.") && lines.get(0).endsWith("; the application starts without it"),
        lines.get(0));
  }

  /** Lines of {@code with} that {@code without} does not have. */
  static List<String> added(String with, String without) {
    List<String> added = new ArrayList<>(with.lines().toList());
    without.lines().forEach(added::remove);
    return added;
  }
}
