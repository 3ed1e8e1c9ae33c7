package dev.stowaway.benchmarks;

import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * SIGKILL, over and over, against a store engine. A child JVM commits three puts at a time
 * (seeded, so the parent can replay what it wrote) and prints each commit's number once the commit
 * has returned; the parent kills it 0.6–2 s after start, reopens the store and checks it holds
 * exactly the acknowledged commits, plus the one in flight either wholly or not at all. Five kills
 * per fresh store; stops at the first store that fails to open, read or commit, or that lost or
 * half-applied a commit.
 *
 * <ul>
 *   <li>{@code stowaway} (default): {@link MapDbSecretStore}, MapDB under Stowaway's journaled volume;
 *   <li>{@code mapdb}: MapDB 3.1 alone with its own transactions, which the journal replaced because
 *       this check breaks it within a few dozen kills (a store that will not open, or one that opens
 *       with acknowledged commits missing).
 * </ul>
 *
 * <pre>mvn -q -B -pl benchmarks compile exec:exec -Dbench.main=dev.stowaway.benchmarks.StoreKillCheck -Dbench.args="stowaway 40"</pre>
 */
public final class StoreKillCheck {

  private static final int KILLS_PER_STORE = 5;
  private static final int KEYS = 2000;
  private static final int PUTS_PER_COMMIT = 3;

  private StoreKillCheck() {}

  /** What the check drives: open, commit some puts atomically, read one key, close. */
  private interface Engine extends AutoCloseable {
    void commit(Map<String, byte[]> puts);

    byte[] get(String key);

    @Override
    void close();
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals("child")) {
      commitUntilKilled(args[1], Path.of(args[2]), Long.parseLong(args[3]));
      return;
    }
    String[] words = String.join(" ", args).trim().split("\\s+"); // exec:exec passes bench.args as one
    String kind = words[0].isEmpty() ? "stowaway" : words[0];
    int stores = words.length > 1 ? Integer.parseInt(words[1]) : 80;
    Random random = new Random(7);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    long kills = 0;
    long acknowledged = 0;
    long inFlightApplied = 0;
    for (int round = 1; round <= stores; round++) {
      Path dir = Files.createTempDirectory("store-kill-");
      Path file = dir.resolve("store.db");
      Map<String, byte[]> model = new HashMap<>();
      open(kind, file).close();
      for (int kill = 1; kill <= KILLS_PER_STORE; kill++) {
        long seed = random.nextLong();
        // into a file: a pipe's last lines can be lost when the JVM closes it on the child's death
        Path output = dir.resolve("child.out");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            StoreKillCheck.class.getName(), "child", kind, file.toString(), Long.toString(seed))
            .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        Thread.sleep(600 + random.nextInt(1400));
        child.destroyForcibly(); // SIGKILL
        child.waitFor();
        List<String> other = new ArrayList<>();
        long n = acknowledged(output, other);
        kills++;
        acknowledged += n;
        String failure;
        try (Engine engine = open(kind, file)) {
          Random writes = new Random(seed);
          for (long i = 1; i <= n; i++) {
            model.putAll(commitNumbered(writes));
          }
          Map<String, byte[]> inFlight = commitNumbered(writes);
          Map<String, byte[]> withInFlight = new HashMap<>(model);
          withInFlight.putAll(inFlight);
          Map<String, byte[]> stored = new HashMap<>();
          for (int k = 0; k < KEYS; k++) {
            byte[] value = engine.get("k" + k);
            if (value != null) {
              stored.put("k" + k, value);
            }
          }
          if (same(stored, model)) {
            failure = null;
          } else if (same(stored, withInFlight)) {
            model = withInFlight;
            inFlightApplied++;
            failure = null;
          } else {
            failure = "the store after the kill is neither the " + n + " acknowledged commits nor those and the one"
                + " in flight: " + differences(stored, model, seed, n);
          }
          engine.commit(Map.of("after-" + kill, new byte[16]));
        } catch (RuntimeException | AssertionError e) {
          failure = e.toString();
        }
        if (failure != null) {
          System.out.printf("%s did not survive: store %d, after kill %d (%d kills in all): %s%n", kind, round, kill,
              kills, failure);
          System.out.println("damaged files kept in " + dir + "; the child also printed: " + other);
          System.exit(1);
        }
        System.err.printf("store-kill %s: store %d, kill %d: %d commits acknowledged, all there%n", kind, round, kill,
            n);
      }
      deleteTree(dir);
    }
    System.out.printf("%s survived all %d kills: %d acknowledged commits all present, the one in flight present "
        + "after %d kills and wholly absent after the others%n", kind, kills, acknowledged, inFlightApplied);
  }

  /** Which commit of this child wrote each differing key's stored value (0: none of the first n + 100). */
  private static String differences(Map<String, byte[]> stored, Map<String, byte[]> model, long seed, long n) {
    StringBuilder out = new StringBuilder();
    java.util.Set<String> keys = new java.util.TreeSet<>(stored.keySet());
    keys.addAll(model.keySet());
    for (String key : keys) {
      if (Arrays.equals(stored.get(key), model.get(key))) {
        continue;
      }
      Random writes = new Random(seed);
      long wroteIt = 0;
      for (long i = 1; i <= n + 100 && stored.get(key) != null; i++) {
        if (Arrays.equals(commitNumbered(writes).get(key), stored.get(key))) {
          wroteIt = i;
        }
      }
      out.append(key).append(stored.get(key) == null ? " absent" : " from commit " + wroteIt)
          .append(model.containsKey(key) ? "" : " (not expected)").append("; ");
    }
    return out.toString();
  }

  private static boolean same(Map<String, byte[]> stored, Map<String, byte[]> expected) {
    if (!stored.keySet().equals(expected.keySet())) {
      return false;
    }
    return stored.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), expected.get(e.getKey())));
  }

  /** The last commit number the child printed, and its other lines (a stack trace, say) into {@code other}. */
  private static long acknowledged(Path output, List<String> other) throws IOException {
    long acked = 0;
    for (String line : Files.readAllLines(output, StandardCharsets.ISO_8859_1)) {
      if (line.matches("ack \\d+")) {
        acked = Long.parseLong(line.substring(4));
      } else {
        other.add(line);
      }
    }
    return acked;
  }

  /** The next commit's puts, drawn from {@code writes} the same way in child and parent. */
  private static Map<String, byte[]> commitNumbered(Random writes) {
    Map<String, byte[]> puts = new HashMap<>();
    for (int i = 0; i < PUTS_PER_COMMIT; i++) {
      byte[] value = new byte[200 + writes.nextInt(800)];
      writes.nextBytes(value);
      puts.put("k" + writes.nextInt(KEYS), value);
    }
    return puts;
  }

  private static void commitUntilKilled(String kind, Path file, long seed) {
    Engine engine = open(kind, file);
    Random writes = new Random(seed);
    for (long i = 1; ; i++) {
      engine.commit(commitNumbered(writes));
      System.out.println("ack " + i);
      System.out.flush();
    }
  }

  private static Engine open(String kind, Path file) {
    return switch (kind) {
      case "stowaway" -> stowaway(file);
      case "mapdb" -> mapdb(file);
      default -> throw new IllegalArgumentException("engine: stowaway or mapdb, not " + kind);
    };
  }

  private static Engine stowaway(Path file) {
    MapDbSecretStore store = MapDbSecretStore.open(file);
    return new Engine() {
      @Override
      public void commit(Map<String, byte[]> puts) {
        store.write(tx -> {
          puts.forEach((key, value) -> tx.putVersionData(key, "v", value));
          return null;
        });
      }

      @Override
      public byte[] get(String key) {
        return store.read(view -> view.versionData(key, "v")).orElse(null);
      }

      @Override
      public void close() {
        store.close();
      }
    };
  }

  private static Engine mapdb(Path file) {
    DB db = DBMaker.fileDB(file.toFile()).transactionEnable().make();
    BTreeMap<String, byte[]> map = db.treeMap("m", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
    return new Engine() {
      @Override
      public void commit(Map<String, byte[]> puts) {
        map.putAll(puts);
        db.commit();
      }

      @Override
      public byte[] get(String key) {
        return map.get(key);
      }

      @Override
      public void close() {
        db.close();
      }
    };
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
