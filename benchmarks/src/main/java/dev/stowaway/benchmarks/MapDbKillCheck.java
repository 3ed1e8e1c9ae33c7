package dev.stowaway.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * MapDB alone, without Stowaway: a child JVM commits three puts at a time to a transactional file
 * store until it is SIGKILLed at a random moment; the parent reopens the store, reads every entry
 * and commits once more. Repeats (five kills per fresh store) until MapDB fails to recover, then
 * prints the exception and keeps the damaged files. This is the reproduction of the crash-recovery
 * defect {@code CrashSafetyIT} found in the MapDB store (README, "Crash safety"); a store engine
 * meant to replace it should survive the same treatment.
 *
 * <pre>mvn -q -B -pl benchmarks exec:exec -Dbench.main=dev.stowaway.benchmarks.MapDbKillCheck -Dbench.args=80</pre>
 */
public final class MapDbKillCheck {

  private static final int KILLS_PER_STORE = 5;

  private MapDbKillCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("child")) {
      commitUntilKilled(args[1]);
      return;
    }
    int stores = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 80;
    Random random = new Random(7);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int round = 1; round <= stores; round++) {
      Path dir = Files.createTempDirectory("mapdb-kill-");
      String file = dir.resolve("store.db").toString();
      try (DB db = open(file)) {
        map(db);
        db.commit();
      }
      for (int kill = 1; kill <= KILLS_PER_STORE; kill++) {
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            MapDbKillCheck.class.getName(), "child", file).redirectErrorStream(true).start();
        Thread.sleep(300 + random.nextInt(700));
        child.destroyForcibly(); // SIGKILL
        child.waitFor();
        try (DB db = open(file)) {
          BTreeMap<String, byte[]> map = map(db);
          long entries = map.entrySet().stream().count();
          map.put("after-" + kill, new byte[16]);
          db.commit();
          System.err.printf("mapdb-kill: store %d, kill %d: reopened, %d entries%n", round, kill, entries);
        } catch (RuntimeException | AssertionError e) {
          System.out.printf("MapDB did not recover: store %d, after kill %d (%d kills in all): %s%n", round, kill,
              (round - 1) * KILLS_PER_STORE + kill, e);
          e.printStackTrace(System.out);
          System.out.println("damaged files kept in " + dir);
          return;
        }
      }
    }
    System.out.println("MapDB recovered from all " + stores * KILLS_PER_STORE + " kills");
  }

  private static DB open(String file) {
    return DBMaker.fileDB(file).transactionEnable().make();
  }

  private static BTreeMap<String, byte[]> map(DB db) {
    return db.treeMap("m", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
  }

  private static void commitUntilKilled(String file) {
    DB db = open(file);
    BTreeMap<String, byte[]> map = map(db);
    Random random = new Random();
    while (true) {
      for (int i = 0; i < 3; i++) {
        map.put("k" + random.nextInt(2000), new byte[200 + random.nextInt(800)]);
      }
      db.commit();
    }
  }
}
