package dev.stowaway.samples.plainjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The sample as its README runs it: its own {@code app.properties} (placeholders only, the H2 path
 * pointed at a scratch directory), the agent signing with a credentials file.
 */
class PlainJdbcSampleIT {

  @TempDir Path dataDir;
  @TempDir Path work;

  @Test
  void theSampleConnectsWithCredentialsFromTheVaultAndFailsWithoutTheAgent() throws Exception {
    String url = "jdbc:h2:file:" + work.resolve("orders") + ";AUTO_SERVER=TRUE";
    try (Connection owner = DriverManager.getConnection(url, "sa", "sa-pw");
         RunningSidecar sidecar = RunningSidecar.in(dataDir);
         SecretsManagerClient sm = sidecar.client()) {
      try (Statement s = owner.createStatement()) {
        s.execute("CREATE USER app PASSWORD 's4mple-pw'");
        s.execute("CREATE TABLE orders (id INT PRIMARY KEY)");
        s.execute("INSERT INTO orders VALUES (1), (2)");
        s.execute("GRANT SELECT ON orders TO app");
      }
      sm.createSecret(r -> r.name("demo/orders-db")
          .secretString("{\"engine\":\"h2\",\"username\":\"app\",\"password\":\"s4mple-pw\"}"));
      List<String> config = new ArrayList<>();
      for (String line : Files.readAllLines(Path.of("app.properties"))) {
        config.add(line.startsWith("db.url=") ? "db.url=" + url : line.replace("poll.interval.ms=1000",
            "poll.interval.ms=100"));
      }
      Path properties = Files.write(work.resolve("app.properties"), config);
      assertTrue(Files.readString(properties).contains("db.password={{resolve:secretsmanager:"), "placeholders only");

      List<String> withAgent = run(properties, true, sidecar);
      assertEquals("connection 1: 2 orders, logged in as APP", withAgent.get(0), withAgent.toString());
      List<String> without = run(properties, false, sidecar);
      assertTrue(without.get(0).startsWith("connection 1: FAILED 28000"), "the placeholder is no password: " + without);
    }
  }

  private static List<String> run(Path properties, boolean agent, RunningSidecar sidecar) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (agent) {
      command.add("-javaagent:" + DemoIT.jar("stowaway.agent.jar"));
    }
    command.addAll(List.of("-jar", DemoIT.jar("stowaway.sample.jar").toString(), properties.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("STOWAWAY_") || k.startsWith("AWS_"));
    builder.environment().put("STOWAWAY_ENDPOINT", sidecar.endpoint().toString());
    builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", sidecar.dataDir().resolve("admin-credentials").toString());
    Process app = builder.start();
    List<String> connections = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null && connections.size() < 3; line = in.readLine()) {
        if (line.startsWith("connection ")) {
          connections.add(line);
        }
      }
    } finally {
      app.getOutputStream().close();
      app.destroy();
      app.waitFor();
    }
    return connections;
  }
}
