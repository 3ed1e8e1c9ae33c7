package dev.stowaway.benchmarks;

import dev.stowaway.sidecar.store.PostgresSecretStore;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.kms.RootKey;
import dev.stowaway.vault.secrets.CreateSecret;
import dev.stowaway.vault.secrets.PutSecretValue;
import dev.stowaway.vault.secrets.SecretValue;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The store under the vault, measured without HTTP: GetSecretValue and PutSecretValue per second
 * on the MapDB file and on PostgreSQL (the machine's, on loopback), with 1 and 4 threads.
 * Run: {@code mvn -q -B -DskipTests install && mvn -q -pl benchmarks exec:exec
 * -Dbench.main=dev.stowaway.benchmarks.StoreFigures}.
 */
public final class StoreFigures {

  private static final long MILLIS = 4_000;
  private static final int SECRETS = 500;

  private StoreFigures() {}

  public static void main(String[] args) throws Exception {
    List<String> rows = new ArrayList<>();
    Path dir = Files.createTempDirectory("stowaway-store-bench");
    try (MapDbSecretStore mapdb = MapDbSecretStore.open(dir.resolve("vault.db"))) {
      rows.addAll(measure("MapDB (file, fsync per commit)", mapdb));
    }
    String database = "stowaway_bench_" + System.nanoTime();
    try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
         Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    try (PostgresSecretStore pg = PostgresSecretStore.open("jdbc:postgresql://127.0.0.1:5432/" + database, "postgres",
        "")) {
      rows.addAll(measure("PostgreSQL (loopback)", pg));
    } finally {
      try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
           Statement s = admin.createStatement()) {
        s.execute("DROP DATABASE " + database + " WITH (FORCE)");
      }
    }
    System.out.println();
    System.out.println("Vault operations on each store, no HTTP (" + Runtime.getRuntime().availableProcessors()
        + " cores, " + MILLIS / 1000 + " s per row)");
    System.out.printf("%-32s %-16s %8s %12s%n", "store", "operation", "threads", "per second");
    rows.forEach(System.out::println);
  }

  private static List<String> measure(String name, SecretStore store) throws InterruptedException {
    SecureRandom random = new SecureRandom();
    Vault vault = Vault.open(store, RootKey.generate(random), Clock.systemUTC(), random, "us-east-1", "123456789012");
    // Puts go round many secrets: one secret keeps at most 100 versions younger than a day.
    for (int i = 0; i < SECRETS; i++) {
      vault.secrets().create(new CreateSecret("bench/db" + i, null, null, SecretValue.ofString("{\"password\":\"x\"}"),
          null, List.of()));
    }
    AtomicLong next = new AtomicLong();
    List<String> rows = new ArrayList<>();
    for (int threads : new int[] {1, 4}) {
      rows.add(row(name, "GetSecretValue", threads, run(threads,
          v -> vault.secrets().getValue("bench/db0", null, null).value().destroy())));
      rows.add(row(name, "PutSecretValue", threads, run(threads, v -> vault.secrets().putValue(new PutSecretValue(
          "bench/db" + next.getAndIncrement() % SECRETS, SecretValue.ofString("y"), null, null)))));
    }
    return rows;
  }

  private static String row(String store, String operation, int threads, double perSecond) {
    return String.format("%-32s %-16s %8d %12.0f", store, operation, threads, perSecond);
  }

  private static double run(int threads, Consumer<Integer> operation) throws InterruptedException {
    AtomicLong count = new AtomicLong();
    long end = System.nanoTime() + MILLIS * 1_000_000;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        while (System.nanoTime() < end) {
          operation.accept(0);
          count.incrementAndGet();
        }
      });
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    return count.get() * 1000.0 / MILLIS;
  }
}
