package dev.stowaway.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/** What a client was told is stored is still there after the sidecar restarts. */
class RestartIT {

  @TempDir
  Path dataDir;

  @Test
  void everyAcknowledgedChangeSurvivesARestart() {
    String v1;
    String v2;
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir)) {
      try (SecretsManagerClient sm = sidecar.client()) {
        v1 = sm.createSecret(r -> r.name("prod/db").secretString("one").description("d")
            .tags(Tag.builder().key("team").value("orders").build())).versionId();
        v2 = sm.putSecretValue(r -> r.secretId("prod/db").secretString("two")).versionId();
        sm.createSecret(r -> r.name("going/away").secretString("bye"));
        sm.deleteSecret(r -> r.secretId("going/away").recoveryWindowInDays(7L));
      }
      sidecar.restart();
      try (SecretsManagerClient sm = sidecar.client()) {
        assertEquals("two", sm.getSecretValue(r -> r.secretId("prod/db")).secretString());
        assertEquals("one", sm.getSecretValue(r -> r.secretId("prod/db").versionStage("AWSPREVIOUS")).secretString());
        var d = sm.describeSecret(r -> r.secretId("prod/db"));
        assertEquals(Map.of(v1, List.of("AWSPREVIOUS"), v2, List.of("AWSCURRENT")), d.versionIdsToStages());
        assertEquals(List.of(Tag.builder().key("team").value("orders").build()), d.tags());
        assertEquals("d", d.description());
        assertNotNull(sm.describeSecret(r -> r.secretId("going/away")).deletedDate());
        sm.restoreSecret(r -> r.secretId("going/away"));
        assertEquals("bye", sm.getSecretValue(r -> r.secretId("going/away")).secretString());
      }
    }
  }
}
