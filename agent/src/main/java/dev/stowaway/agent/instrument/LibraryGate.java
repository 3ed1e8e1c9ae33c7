package dev.stowaway.agent.instrument;

import dev.stowaway.agent.AgentLog;
import dev.stowaway.agent.bootstrap.ClassDefinitions;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The hooks in libraries the application loads later: JDBC drivers' {@code connect} and
 * {@code acceptsURL}, MariaDB's and H2's DataSource paths, and HikariCP pools. Woven at load time
 * with the ASM that Byte Buddy bundles, as {@link JdkHooks} does: the profile of a Spring Boot
 * start showed Byte Buddy's AgentBuilder costing about 1,100 classes and a second of CPU for the
 * dozen classes it ever touched. Every class the application loads passes through
 * {@link #mayNeedHooks}, a name test; only those few are read.
 *
 * <p>Classes reach the gate through {@code ClassLoader.defineClass} ({@link ClassDefinitions}),
 * not a {@code ClassFileTransformer}: a registered transformer alone, doing nothing, added about
 * 100 ms to a Spring Boot start, because the JVM then hands every class it loads up to Java. The
 * transformer remains for a JVM that archives application classes ({@link ClassArchives}) and for
 * a JDK whose ClassLoader cannot be woven.
 */
public final class LibraryGate implements ClassFileTransformer, ClassDefinitions.Weaver {

  static final String DRIVER = "java/sql/Driver";
  static final String MARIADB_DRIVER = "org/mariadb/jdbc/Driver";
  static final String H2_CONNECTION = "org/h2/jdbc/JdbcConnection";
  static final String H2_DATA_SOURCE = "org/h2/jdbcx/JdbcDataSource";
  static final String HIKARI_DATA_SOURCE = "com/zaxxer/hikari/HikariDataSource";
  /** How far up a class hierarchy to look for java.sql.Driver. */
  private static final int MAX_DEPTH = 12;

  private LibraryGate() {}

  public static void install(Instrumentation inst) {
    LibraryGate gate = new LibraryGate();
    if (!ClassArchives.mayBeInUse(inst) && JdkHooks.hookClassDefinitions(inst)) {
      ClassDefinitions.install(gate);
    } else {
      inst.addTransformer(gate, false);
    }
  }

  @Override
  public boolean mayWeave(String binaryName) {
    // The name test on the binary name: the same as on the internal one, without making it.
    return mayNeedHooks(binaryName.replace('.', '/'));
  }

  @Override
  public byte[] weave(ClassLoader loader, String binaryName, byte[] bytes) {
    return weaveAtLoad(loader, binaryName.replace('.', '/'), bytes);
  }

  /** Classes the hooks may apply to. Cheap: a name test. */
  static boolean mayNeedHooks(String name) {
    if (name == null || name.startsWith("java/") || name.startsWith("jdk/") || name.startsWith("sun/")
        || name.startsWith("com/sun/") || name.startsWith("dev/stowaway/agent/")) {
      return false;
    }
    return name.contains("Driver") || name.equals(H2_CONNECTION) || name.equals(H2_DATA_SOURCE)
        || name.equals(HIKARI_DATA_SOURCE);
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
      byte[] bytes) {
    if (redefined != null) {
      return null; // at load time only: the woven driver gains a method, which a redefinition may not
    }
    return weaveAtLoad(loader, name, bytes);
  }

  /** The woven class file for a class being defined, or null to leave it as it is. */
  static byte[] weaveAtLoad(ClassLoader loader, String name, byte[] bytes) {
    if (!mayNeedHooks(name)) {
      return null;
    }
    try {
      ClassReader reader = new ClassReader(bytes);
      boolean driver = name.contains("Driver")
          && (reader.getAccess() & (Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT)) == 0
          && isDriver(reader.getSuperName(), reader.getInterfaces(), loader, 0);
      if (!driver && !name.equals(H2_CONNECTION) && !name.equals(H2_DATA_SOURCE) && !name.equals(HIKARI_DATA_SOURCE)) {
        return null;
      }
      ClassWriter writer = new ClassWriter(reader, 0); // every frame the weaving needs, it writes itself
      LibraryWeaving weaving = new LibraryWeaving(writer, driver);
      reader.accept(weaving, 0);
      return weaving.changed() ? writer.toByteArray() : null;
    } catch (Throwable t) {
      AgentLog.warn("cannot instrument " + name.replace('/', '.') + ": " + t);
      return null;
    }
  }

  /** Whether a class with these supertypes implements java.sql.Driver, read through the loader. */
  private static boolean isDriver(String superName, String[] interfaces, ClassLoader loader, int depth)
      throws IOException {
    for (String i : interfaces) {
      if (i.equals(DRIVER) || isDriver(i, loader, depth + 1)) {
        return true;
      }
    }
    return superName != null && isDriver(superName, loader, depth + 1);
  }

  private static boolean isDriver(String type, ClassLoader loader, int depth) throws IOException {
    if (depth > MAX_DEPTH || type.equals("java/lang/Object") || type.startsWith("java/") || type.startsWith("javax/")) {
      return type.equals(DRIVER);
    }
    try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(type + ".class")
        : loader.getResourceAsStream(type + ".class")) {
      if (in == null) {
        return false;
      }
      ClassReader reader = new ClassReader(in);
      return isDriver(reader.getSuperName(), reader.getInterfaces(), loader, depth);
    }
  }
}
