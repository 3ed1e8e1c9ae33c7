package dev.stowaway.sidecar;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * A bounded soak: a steady mix of reads, writes and listings for a minute after a warm-up. The
 * heap after a full collection must not grow between the end of the warm-up and the end of the
 * soak (beyond noise), i.e. serving requests leaks nothing. The store's caches are made small here
 * so the warm-up fills them: a bounded cache still growing toward its bound is not a leak, and
 * would hide one.
 */
class MemorySoakIT {

  private static final Duration WARM_UP = Duration.ofSeconds(20);
  private static final Duration SOAK = Duration.ofSeconds(60);
  private static final int CLIENTS = 4;
  private static final long ALLOWED_GROWTH = 12L << 20;

  @TempDir Path dataDir;

  @Test
  void aSteadyRequestMixDoesNotGrowTheHeap() throws Exception {
    System.setProperty("stowaway.store.cachedRecords", "1000");
    System.setProperty("stowaway.store.cachedPageBytes", Long.toString(1L << 20));
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir)) {
      List<SecretsManagerClient> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(sidecar.client());
      }
      for (int s = 0; s < 20; s++) {
        int n = s;
        clients.get(0).createSecret(r -> r.name("soak/read-" + n).secretString("{\"password\":\"p" + n + "\"}"));
      }
      AtomicLong requests = new AtomicLong();
      run(clients, WARM_UP, requests);
      long afterWarmUp = heapAfterGc();
      long warmUpRequests = requests.get();
      run(clients, SOAK, requests);
      long afterSoak = heapAfterGc();
      long soakRequests = requests.get() - warmUpRequests;
      System.out.printf("soak: %d requests in %d s after %d in the warm-up; heap after GC %.1f MiB -> %.1f MiB (%+.1f)%n",
          soakRequests, SOAK.toSeconds(), warmUpRequests, afterWarmUp / 1048576.0, afterSoak / 1048576.0,
          (afterSoak - afterWarmUp) / 1048576.0);
      assertTrue(soakRequests > 1_000, "the soak drove the sidecar: " + soakRequests);
      assertTrue(afterSoak - afterWarmUp < ALLOWED_GROWTH, String.format("the heap grew by %.1f MiB over %d requests",
          (afterSoak - afterWarmUp) / 1048576.0, soakRequests));
      for (SecretsManagerClient c : clients) {
        c.close();
      }
    } finally {
      System.clearProperty("stowaway.store.cachedRecords");
      System.clearProperty("stowaway.store.cachedPageBytes");
    }
  }

  /** 80% GetSecretValue, 10% a create-put-delete cycle, 10% listings, on every client, for {@code time}. */
  private static void run(List<SecretsManagerClient> clients, Duration time, AtomicLong requests) throws Exception {
    long end = System.nanoTime() + time.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(clients.size());
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        SecretsManagerClient sm = clients.get(i);
        Random random = new Random(i);
        int client = i;
        running.add(pool.submit(() -> {
          for (long n = 0; System.nanoTime() < end; n++) {
            int dice = random.nextInt(10);
            if (dice < 8) {
              int s = random.nextInt(20);
              sm.getSecretValue(r -> r.secretId("soak/read-" + s));
              requests.incrementAndGet();
            } else if (dice == 8) {
              String name = "soak/cycle-" + client + "-" + n;
              sm.createSecret(r -> r.name(name).secretString("a"));
              sm.putSecretValue(r -> r.secretId(name).secretString("b"));
              sm.deleteSecret(r -> r.secretId(name).forceDeleteWithoutRecovery(true));
              requests.addAndGet(3);
            } else {
              sm.listSecrets(r -> r.maxResults(10));
              requests.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** System.gc() is a full, stop-the-world collection with G1 (ExplicitGCInvokesConcurrent is off). */
  private static long heapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    long lowest = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      lowest = Math.min(lowest, memory.getHeapMemoryUsage().getUsed());
    }
    return lowest;
  }
}
