package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stowaway.agent.app.ReportingApp;
import dev.stowaway.agent.testing.AgentProcess;
import dev.stowaway.agent.testing.Jdk;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * A guest that starts cleanly adds nothing to stderr on any supported JDK: no JVM warning (Java 24
 * and later warn about {@code sun.misc.Unsafe}), no log line. The one line it cannot avoid is the
 * JVM's class-data-sharing note about an appended bootstrap class path; the README says why.
 */
class QuietStderrIT {

  /** Printed by HotSpot for appendToBootstrapClassLoaderSearch while CDS is on; see the README. */
  static final String CDS_NOTE = "OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot loader classes "
      + "because bootstrap classpath has been appended";

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    try (SecretsManagerClient sm = sidecar.client()) {
      sm.createSecret(r -> r.name("quiet/db").secretString("{\"password\":\"quiet-Pw\"}"));
    }
  }

  @AfterAll
  static void stop() {
    sidecar.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.stowaway.agent.testing.Jdk#supported")
  void theAgentAddsNoLineToStderr(Jdk jdk) {
    Path javaHome = jdk.home();
    // Every part of the agent at work: the JDK hooks (a resolved property), the library advice
    // (HikariCP, H2's DataSource and connection) and the change feed.
    String[] reads = {"prop:db.password", "hikari-ds:org.h2.jdbcx.JdbcDataSource|jdbc:h2:mem:quiet|sa|"};
    AgentProcess.Streams with = app(javaHome).runWithStreams(ReportingApp.class, reads);
    AgentProcess.Streams without = app(javaHome).withoutAgent().runWithStreams(ReportingApp.class, reads);

    assertEquals(0, with.exitCode(), with.stderr());
    assertEquals("prop:db.password=quiet-Pw\n" + reads[1] + "=connected as sa\n", with.stdout(), with.stderr());
    List<String> added = HostSurvivesIT.added(with.stderr(), without.stderr()).stream()
        .filter(line -> !line.equals(CDS_NOTE)).collect(Collectors.toList());
    assertEquals(List.of(), added, "stderr with the agent:\n" + with.stderr());
  }

  private static AgentProcess app(Path javaHome) {
    return new AgentProcess().javaHome(javaHome)
        .env("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString())
        .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString())
        .sysprop("db.password", "{{resolve:secretsmanager:quiet/db:SecretString:password}}");
  }
}
