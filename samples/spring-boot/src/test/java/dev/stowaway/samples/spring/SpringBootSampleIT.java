package dev.stowaway.samples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The Spring Boot sample's own application.properties, placeholders and all: Boot binds the strings,
 * builds its HikariCP pool, and the agent resolves them when the pool connects.
 */
class SpringBootSampleIT {

  @TempDir Path dataDir;
  @TempDir Path work;

  private record Run(int exit, String output) {}

  private Run run(boolean agent, RunningSidecar sidecar, String url) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (agent) {
      command.add("-javaagent:" + jar("stowaway.agent.jar"));
    }
    command.addAll(List.of("-jar", jar("stowaway.sample.jar").toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("STOWAWAY_") || k.startsWith("AWS_"));
    builder.environment().put("STOWAWAY_ENDPOINT", sidecar.endpoint().toString());
    builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString());
    builder.environment().put("SHIPMENTS_DB_URL", url);
    Process app = builder.start();
    app.getOutputStream().close();
    byte[] out = app.getInputStream().readAllBytes();
    assertTrue(app.waitFor(2, TimeUnit.MINUTES));
    return new Run(app.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static Path jar(String property) {
    Path jar = Path.of(System.getProperty(property));
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run mvn verify, which builds it first");
    return jar;
  }

  @Test
  void springBindsThePlaceholdersAndTheAgentResolvesThemAtConnect() throws Exception {
    String url = "jdbc:h2:file:" + work.resolve("shipments") + ";AUTO_SERVER=TRUE";
    try (Connection owner = DriverManager.getConnection(url, "sa", "sa-pw");
         RunningSidecar sidecar = RunningSidecar.in(dataDir);
         SecretsManagerClient sm = sidecar.client()) {
      try (Statement s = owner.createStatement()) {
        s.execute("CREATE USER ship PASSWORD 'Sh1pping-pw'");
        s.execute("CREATE TABLE shipments (id INT PRIMARY KEY)");
        s.execute("INSERT INTO shipments VALUES (1), (2), (3)");
        s.execute("GRANT SELECT ON shipments TO ship");
      }
      sm.createSecret(r -> r.name("prod/shipments-db")
          .secretString("{\"username\":\"ship\",\"password\":\"Sh1pping-pw\"}"));

      Run withAgent = run(true, sidecar, url);
      assertEquals(0, withAgent.exit(), withAgent.output());
      assertTrue(withAgent.output().contains("shipments: 3, logged in as SHIP"), withAgent.output());
      assertFalse(withAgent.output().contains("Sh1pping-pw"));

      Run without = run(false, sidecar, url);
      assertTrue(without.exit() != 0, without.output());
      assertTrue(without.output().contains("Wrong user name or password"), without.output());
    }
  }
}
