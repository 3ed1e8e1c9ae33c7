package dev.stowaway.sidecar.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** {@code stowaway-h2-single-user} against a real H2 file database that another process could share. */
class H2RotationIT {

  @TempDir Path dataDir;
  @TempDir Path h2;

  @Test
  void theUserGetsANewPasswordThatLogsInAndTheOldOneIsRefused() throws Exception {
    String url = "jdbc:h2:file:" + h2.resolve("orders") + ";AUTO_SERVER=TRUE";
    try (Connection admin = DriverManager.getConnection(url, "sa", "sa-pw"); Statement s = admin.createStatement()) {
      s.execute("CREATE USER app PASSWORD 'first-pw'");
      s.execute("CREATE TABLE orders (id INT PRIMARY KEY)");
      s.execute("GRANT SELECT ON orders TO app");
    }
    ObjectMapper json = new ObjectMapper();
    String value = json.createObjectNode().put("engine", "h2").put("path", h2.resolve("orders").toString())
        .put("username", "app").put("password", "first-pw").toString();
    try (RunningSidecar sidecar = RunningSidecar.with(dataDir, "--rotation-targets", "h2:" + h2 + "/*");
         SecretsManagerClient sm = sidecar.client()) {
      sm.createSecret(r -> r.name("demo/orders-db").secretString(value));
      sm.rotateSecret(r -> r.secretId("demo/orders-db")
          .rotationLambdaARN("arn:aws:lambda:us-east-1:123456789012:function:stowaway-h2-single-user"));
      sidecar.sidecar().rotations().awaitIdle();
      String rotated = json.readTree(sm.getSecretValue(r -> r.secretId("demo/orders-db")).secretString())
          .path("password").asText();
      assertTrue(rotated.length() >= 20 && !rotated.equals("first-pw"), "a new generated password");
      try (Connection c = DriverManager.getConnection(url, "app", rotated); Statement s = c.createStatement()) {
        s.executeQuery("SELECT COUNT(*) FROM orders").close();
      }
      SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "app", "first-pw"));
      assertEquals(28000, refused.getErrorCode(), refused.getMessage()); // wrong user name or password
      assertEquals("first-pw", json.readTree(sm.getSecretValue(r -> r.secretId("demo/orders-db")
          .versionStage("AWSPREVIOUS")).secretString()).path("password").asText());
    }
  }
}
