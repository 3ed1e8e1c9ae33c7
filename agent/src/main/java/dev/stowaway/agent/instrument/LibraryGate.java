package dev.stowaway.agent.instrument;

import dev.stowaway.agent.AgentLog;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Registered at start-up, before any library class can load. Byte Buddy's transformer is built on
 * a daemon thread meanwhile, so the application's start is not held up by it; a class that needs
 * advice (a JDBC driver, a pool) waits for it at load time, bounded, and is then transformed by it.
 * Everything else passes straight through.
 */
public final class LibraryGate implements ClassFileTransformer {

  private static final long MAX_WAIT_SECONDS = 30;

  private final CountDownLatch built = new CountDownLatch(1);
  private volatile ClassFileTransformer advice;

  private LibraryGate() {}

  public static void install(Instrumentation inst) {
    LibraryGate gate = new LibraryGate();
    inst.addTransformer(gate, false);
    Thread builder = new Thread(new Runnable() { // not a lambda: premain pays for each bootstrap
      @Override
      public void run() {
        try {
          gate.advice = Instrumenter.build();
        } catch (Throwable t) {
          AgentLog.warn("JDBC and pool hooks are unavailable: " + t);
        } finally {
          gate.built.countDown();
        }
      }
    }, "stowaway-agent-instrumenter");
    builder.setDaemon(true);
    builder.start();
  }

  /** Classes the advice may apply to; the exact match is Byte Buddy's. Cheap: a name test. */
  static boolean mayNeedAdvice(String name) {
    if (name == null || name.startsWith("java/") || name.startsWith("jdk/") || name.startsWith("sun/")
        || name.startsWith("com/sun/") || name.startsWith("dev/stowaway/agent/")) {
      return false;
    }
    return name.contains("Driver") || name.equals("org/h2/jdbc/JdbcConnection")
        || name.equals("com/zaxxer/hikari/HikariDataSource");
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
      byte[] bytes) throws IllegalClassFormatException {
    if (redefined != null || !mayNeedAdvice(name)) {
      return null;
    }
    try {
      if (!built.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
        AgentLog.warn("hooks not ready after " + MAX_WAIT_SECONDS + " s; "
            + name.replace('/', '.') + " loads without them");
        return null;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    ClassFileTransformer a = advice;
    return a == null ? null : a.transform(module, loader, name, redefined, domain, bytes);
  }
}
