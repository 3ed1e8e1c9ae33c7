package dev.stowaway.agent.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;

/**
 * An application without a pool: every query opens a new connection. Each of several connection
 * paths runs on a thread of its own, a query about every 100 ms, until told "stop" on stdin. It prints
 * {@code ready} once every path has connected, {@code progress NAME N} every 10 queries of a path,
 * {@code failure NAME: ERROR} for each failed query, and at the end {@code totals NAME queries=N
 * failures=F} per path.
 *
 * <p>Each argument is {@code NAME|PATH|URL|USER|PASSWORD}, PATH being {@code driver-manager} or the
 * class name of a driver's DataSource, configured through its {@code setURL}/{@code setUrl},
 * {@code setUser} and {@code setPassword}.
 */
public final class ConnectLoopApp {

  private static volatile boolean stop;

  private ConnectLoopApp() {}

  public static void main(String[] args) throws Exception {
    Map<String, Path> paths = new LinkedHashMap<>();
    for (String arg : args) {
      String[] p = arg.split("\\|", -1);
      paths.put(p[0], new Path(p[0], p[1], p[2], p[3], p[4]));
    }
    CountDownLatch connected = new CountDownLatch(paths.size());
    List<Thread> threads = new ArrayList<>();
    for (Path path : paths.values()) {
      Thread t = new Thread(() -> path.loop(connected), "path-" + path.name);
      t.start();
      threads.add(t);
    }
    connected.await();
    System.out.println("ready");
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
      for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
        // only "stop" means anything
      }
    }
    stop = true;
    for (Thread t : threads) {
      t.join();
    }
    for (Path path : paths.values()) {
      System.out.println("totals " + path.name + " queries=" + path.queries + " failures=" + path.failures);
    }
    System.out.flush();
  }

  /** One way of connecting, with its counts. */
  private static final class Path {
    final String name;
    final DataSource dataSource;
    final String url;
    final String user;
    final String password;
    long queries;
    long failures;

    Path(String name, String kind, String url, String user, String password) throws Exception {
      this.name = name;
      this.url = url;
      this.user = user;
      this.password = password;
      if (kind.equals("driver-manager")) {
        dataSource = null;
      } else {
        dataSource = (DataSource) Class.forName(kind).getConstructor().newInstance();
        set(dataSource, url, "setURL", "setUrl");
        set(dataSource, user, "setUser");
        set(dataSource, password, "setPassword");
      }
    }

    void loop(CountDownLatch connected) {
      boolean ready = false;
      while (!stop) {
        if (query() && !ready) {
          ready = true;
          connected.countDown();
        }
        if (queries % 10 == 0) {
          System.out.println("progress " + name + " " + queries);
        }
        try {
          Thread.sleep(100); // the application's own pace
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    boolean query() {
      queries++;
      try (Connection c = dataSource == null ? DriverManager.getConnection(url, user, password)
          : dataSource.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
        r.next();
        return true;
      } catch (Exception e) {
        failures++;
        System.out.println("failure " + name + ": " + e);
        return false;
      }
    }

    private static void set(Object target, String value, String... setters) throws Exception {
      for (String setter : setters) {
        try {
          target.getClass().getMethod(setter, String.class).invoke(target, value);
          return;
        } catch (NoSuchMethodException tryNext) {
          // another spelling
        }
      }
      throw new NoSuchMethodException(target.getClass().getName() + "." + String.join("/", setters));
    }
  }
}
