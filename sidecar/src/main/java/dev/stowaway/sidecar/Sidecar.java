package dev.stowaway.sidecar;

import dev.stowaway.sidecar.auth.SigV4Verifier;
import dev.stowaway.sidecar.awsjson.AwsJsonProtocol;
import dev.stowaway.sidecar.config.DataDirectory;
import dev.stowaway.sidecar.events.ChangeStream;
import dev.stowaway.sidecar.config.ServerConfig;
import dev.stowaway.sidecar.http.UndertowServer;
import dev.stowaway.sidecar.iamquery.QueryProtocol;
import dev.stowaway.sidecar.schedule.DeletionSweeper;
import dev.stowaway.vault.Vault;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running sidecar: the vault in its data directory, served on one port, with its background
 * sweeper. {@link #close()} drains requests in flight, then closes the store.
 */
public final class Sidecar implements AutoCloseable {

  private final ServerConfig config;
  private final Vault vault;
  private final UndertowServer server;
  private final DeletionSweeper sweeper;
  private final List<String> created;

  private Sidecar(ServerConfig config, Vault vault, UndertowServer server, DeletionSweeper sweeper, List<String> created) {
    this.config = config;
    this.vault = vault;
    this.server = server;
    this.sweeper = sweeper;
    this.created = created;
  }

  public static Sidecar start(ServerConfig config, char[] passphrase, Clock clock, SecureRandom random,
      Duration sweepInterval) {
    List<String> created = new ArrayList<>();
    Vault vault = new DataDirectory(config.dataDir()).open(passphrase, config, clock, random, created);
    try {
      SigV4Verifier verifier = new SigV4Verifier(vault.accessKeys(), clock, config.region());
      ChangeStream changes = new ChangeStream(verifier, vault, random);
      UndertowServer server = new UndertowServer(config.bind(), config.port(), new AwsJsonProtocol(vault, verifier),
          new QueryProtocol(vault, verifier), changes);
      server.start();
      DeletionSweeper sweeper = new DeletionSweeper(vault.secrets());
      sweeper.start(sweepInterval);
      return new Sidecar(config, vault, server, sweeper, List.copyOf(created));
    } catch (RuntimeException e) {
      vault.close();
      throw e;
    }
  }

  public int port() {
    return server.port();
  }

  public String endpoint() {
    String host = config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
    return "http://" + host + ":" + port();
  }

  public ServerConfig config() {
    return config;
  }

  /** Files the start created in the data directory (empty if it existed already). */
  public List<String> created() {
    return created;
  }

  public Vault vault() {
    return vault;
  }

  @Override
  public void close() {
    try {
      server.stop(10, TimeUnit.SECONDS);
    } finally {
      sweeper.close();
      vault.close();
    }
  }
}
