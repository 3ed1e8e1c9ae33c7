package dev.stowaway.sidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.ScratchPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** {@code stowaway migrate}: a MapDB vault copied into PostgreSQL serves the same secrets. */
class MigrateCommandIT {

  @TempDir Path mapdb;
  @TempDir Path shared;

  @Test
  void aMapDbVaultMovesIntoPostgresAndServesTheSameSecrets() throws Exception {
    String[] admin;
    try (RunningSidecar before = RunningSidecar.in(mapdb); SecretsManagerClient sm = before.client()) {
      sm.createSecret(r -> r.name("prod/db").secretString("moved-0001"));
      sm.putSecretValue(r -> r.secretId("prod/db").secretString("moved-0002"));
      before.sidecar().vault().parameters().put("/app/flag", "on", "String", false, null, null, null, null, null, null);
      admin = before.adminKey();
    }
    try (ScratchPostgres db = ScratchPostgres.create()) {
      Map<String, String> env = Map.of("STOWAWAY_STORE_USER", db.user());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit = Stowaway.run(new String[] {"migrate", "--from-data-dir", mapdb.toString(), "--to", "postgresql",
          "--store-url", db.url()}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      String said = out.toString(StandardCharsets.UTF_8);
      assertEquals(0, exit, said + err.toString(StandardCharsets.UTF_8));
      assertTrue(said.contains("stowaway: copied 2 secret versions"), said);
      assertTrue(said.contains("stowaway: migrated: every count matches, and 1 sampled secret(s) decrypt the same"), said);

      Files.copy(mapdb.resolve("root.key"), shared.resolve("root.key"));
      try (RunningSidecar after = RunningSidecar.on(shared, Map.of("STOWAWAY_STORE", "postgresql",
          "STOWAWAY_STORE_URL", db.url(), "STOWAWAY_STORE_USER", db.user()));
           SecretsManagerClient sm = after.client(admin[0], admin[1])) {
        assertEquals("moved-0002", sm.getSecretValue(r -> r.secretId("prod/db")).secretString());
        assertEquals("moved-0001", sm.getSecretValue(r -> r.secretId("prod/db").versionStage("AWSPREVIOUS"))
            .secretString());
        assertEquals("on", after.sidecar().vault().parameters().get("/app/flag", false).value());
      }

      ByteArrayOutputStream again = new ByteArrayOutputStream();
      assertEquals(1, Stowaway.run(new String[] {"migrate", "--from-data-dir", mapdb.toString(), "--to", "postgresql",
          "--store-url", db.url()}, env, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
          new PrintStream(again, true, StandardCharsets.UTF_8)));
      assertTrue(again.toString(StandardCharsets.UTF_8).contains("the target store holds a vault already"));
    }
  }
}
