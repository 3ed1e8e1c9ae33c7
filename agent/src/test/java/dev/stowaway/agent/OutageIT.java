package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.agent.app.CommandApp;
import dev.stowaway.agent.testing.AgentProcess;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** The sidecar goes away while the application runs, then comes back. */
class OutageIT {

  static final String PLACEHOLDER = "{{resolve:secretsmanager:outage/db}}";

  @TempDir
  Path dataDir;

  private AgentProcess app(RunningSidecar sidecar, String agentArgs) {
    return new AgentProcess().agentArgs(agentArgs)
        .env("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString())
        .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString())
        .sysprop("db.password", PLACEHOLDER);
  }

  private static String read(AgentProcess.Running app) throws Exception {
    app.send("prop db.password");
    String line = app.await(l -> l.startsWith("db.password="), 30);
    return line.substring("db.password=".length());
  }

  @Test
  void cachedValuesAreServedWhileTheSidecarIsDownAndFreshOnesOnceItIsBack() throws Exception {
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir); SecretsManagerClient sm = sidecar.client()) {
      sm.createSecret(r -> r.name("outage/db").secretString("before-outage"));
      // ttl=0s: every read goes to the sidecar, so the outage is felt at once.
      try (AgentProcess.Running running = app(sidecar, "ttl=0s").start(CommandApp.class)) {
        running.await(l -> l.equals("ready"), 60);
        assertEquals("before-outage", read(running));

        String endpoint = sidecar.endpoint().toString();
        sidecar.stop();
        assertEquals("before-outage", read(running));
        // Logged (to the same stream) before the read returned.
        assertTrue(running.output().contains("serving the cached value of secretsmanager:outage/db because "
            + PLACEHOLDER + ": the sidecar at " + endpoint + " is unreachable"), running.output());

        sidecar.startAgainOnSamePort();
        try (SecretsManagerClient again = sidecar.client()) {
          again.putSecretValue(r -> r.secretId("outage/db").secretString("after-outage"));
        }
        assertEquals("after-outage", read(running));
        running.send("exit");
        assertEquals(0, running.awaitExit());
      }
    }
  }

  @Test
  void pastMaxStaleTheValueIsNoLongerServed() throws Exception {
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir); SecretsManagerClient sm = sidecar.client()) {
      sm.createSecret(r -> r.name("outage/db").secretString("before-outage"));
      try (AgentProcess.Running running = app(sidecar, "ttl=0s,maxStale=0s").start(CommandApp.class)) {
        running.await(l -> l.equals("ready"), 60);
        assertEquals("before-outage", read(running));
        sidecar.stop();
        assertEquals(PLACEHOLDER, read(running)); // never a stale value past maxStale; never a crash
        assertTrue(running.output().contains("is unreachable (ConnectException) (the placeholder is left in place)"),
            running.output());
        sidecar.startAgainOnSamePort();
        running.send("exit");
        assertEquals(0, running.awaitExit());
      }
    }
  }
}
