package dev.stowaway.agent.instrument;

import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Weaves one library class; what {@link LibraryGate} chose it for decides which methods change.
 * <ul>
 *   <li>A JDBC driver: {@code connect(String, Properties)} is renamed and replaced by a method that
 *       resolves the URL and connection properties for this connect, calls it, and on a refused
 *       login lets the agent fetch again and reconnect (a rotation); {@code acceptsURL(String)}
 *       resolves its argument first, so the driver recognises a URL with placeholders.</li>
 *   <li>MariaDB's static {@code Driver.connect(Configuration)}, which its DataSource calls, and
 *       H2's {@code JdbcConnection(String, Properties, String, Object, boolean)}: their credentials
 *       are made current on entry.</li>
 *   <li>HikariDataSource's constructors: the agent learns of each pool on exit.</li>
 * </ul>
 * Code inserted at a method's entry has no branches and only replaces arguments with values of
 * the same type, so the method's own stack map frames stay true.
 */
final class LibraryWeaving extends ClassVisitor {

  static final String CALLS = "dev/stowaway/agent/bootstrap/WovenCalls";
  static final String CONNECT = "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;";
  /** The original {@code connect}, kept private under this name. */
  static final String ORIGINAL_CONNECT = "connect$stowaway$original";
  private static final String H2_CONSTRUCTOR = "(Ljava/lang/String;Ljava/util/Properties;Ljava/lang/String;"
      + "Ljava/lang/Object;Z)V";

  private final boolean driver;
  private String owner;
  private int version;
  private boolean changed;
  /** Set when connect was renamed: the replacement is written at the end of the class. */
  private int connectAccess = -1;
  private String connectSignature;
  private String[] connectExceptions;

  LibraryWeaving(ClassVisitor next, boolean driver) {
    super(Opcodes.ASM9, next);
    this.driver = driver;
  }

  boolean changed() {
    return changed;
  }

  @Override
  public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
    this.owner = name;
    this.version = version;
    super.visit(version, access, name, signature, superName, interfaces);
  }

  @Override
  public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
      String[] exceptions) {
    boolean concrete = (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0;
    boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
    if (driver && concrete && !isStatic && name.equals("connect") && descriptor.equals(CONNECT)) {
      connectAccess = access;
      connectSignature = signature;
      connectExceptions = exceptions;
      changed = true;
      int hidden = (access & ~(Opcodes.ACC_PUBLIC | Opcodes.ACC_PROTECTED)) | Opcodes.ACC_PRIVATE | Opcodes.ACC_SYNTHETIC;
      return super.visitMethod(hidden, ORIGINAL_CONNECT, descriptor, signature, exceptions);
    }
    MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
    if (driver && concrete && !isStatic && name.equals("acceptsURL") && descriptor.equals("(Ljava/lang/String;)Z")) {
      changed = true;
      return new Entry(mv, new int[] {1}, new String[] {"resolve"}, new String[] {"java/lang/String"});
    }
    if (owner.equals(LibraryGate.MARIADB_DRIVER) && concrete && isStatic && name.equals("connect")
        && descriptor.startsWith("(Lorg/mariadb/jdbc/Configuration;)")) {
      changed = true;
      return new Entry(mv, new int[] {0}, new String[] {"mariaDbConfiguration"},
          new String[] {"org/mariadb/jdbc/Configuration"});
    }
    if (owner.equals(LibraryGate.H2_CONNECTION) && name.equals("<init>") && descriptor.equals(H2_CONSTRUCTOR)) {
      changed = true;
      return new Entry(mv, new int[] {1, 3, 4}, new String[] {"resolve", "credential", "h2Password"},
          new String[] {"java/lang/String", "java/lang/String", "java/lang/Object"});
    }
    if (owner.equals(LibraryGate.HIKARI_DATA_SOURCE) && name.equals("<init>")) {
      changed = true;
      return new PoolExit(mv);
    }
    return mv;
  }

  @Override
  public void visitEnd() {
    if (connectAccess >= 0) {
      writeConnect();
    }
    super.visitEnd();
  }

  /**
   * <pre>
   * Connection connect(String url, Properties info) throws SQLException {
   *   try {
   *     return connect$stowaway$original(WovenCalls.resolve(url), WovenCalls.connectionProperties(info));
   *   } catch (Throwable t) {
   *     Object retried = WovenCalls.retryConnect(this, url, info, t);
   *     if (retried != null) return (Connection) retried;
   *     throw t;
   *   }
   * }
   * </pre>
   */
  private void writeConnect() {
    int access = connectAccess & ~(Opcodes.ACC_SYNCHRONIZED | Opcodes.ACC_BRIDGE | Opcodes.ACC_SYNTHETIC);
    MethodVisitor mv = super.visitMethod(access, "connect", CONNECT, connectSignature, connectExceptions);
    Label start = new Label();
    Label end = new Label();
    Label handler = new Label();
    Label rethrow = new Label();
    boolean frames = (version & 0xFFFF) >= Opcodes.V1_6;
    mv.visitCode();
    mv.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitVarInsn(Opcodes.ALOAD, 1);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "resolve", "(Ljava/lang/String;)Ljava/lang/String;", false);
    mv.visitVarInsn(Opcodes.ALOAD, 2);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "connectionProperties",
        "(Ljava/util/Properties;)Ljava/util/Properties;", false);
    mv.visitLabel(start);
    mv.visitMethodInsn(Opcodes.INVOKESPECIAL, owner, ORIGINAL_CONNECT, CONNECT, false);
    mv.visitLabel(end);
    mv.visitInsn(Opcodes.ARETURN);
    mv.visitLabel(handler);
    if (frames) {
      mv.visitFrame(Opcodes.F_FULL, 3, new Object[] {owner, "java/lang/String", "java/util/Properties"},
          1, new Object[] {"java/lang/Throwable"});
    }
    mv.visitVarInsn(Opcodes.ASTORE, 3);
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitVarInsn(Opcodes.ALOAD, 1);
    mv.visitVarInsn(Opcodes.ALOAD, 2);
    mv.visitVarInsn(Opcodes.ALOAD, 3);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "retryConnect",
        "(Ljava/lang/Object;Ljava/lang/String;Ljava/util/Properties;Ljava/lang/Throwable;)Ljava/lang/Object;", false);
    mv.visitInsn(Opcodes.DUP);
    mv.visitJumpInsn(Opcodes.IFNULL, rethrow);
    mv.visitTypeInsn(Opcodes.CHECKCAST, "java/sql/Connection");
    mv.visitInsn(Opcodes.ARETURN);
    mv.visitLabel(rethrow);
    if (frames) {
      mv.visitFrame(Opcodes.F_FULL, 4,
          new Object[] {owner, "java/lang/String", "java/util/Properties", "java/lang/Throwable"},
          1, new Object[] {"java/lang/Object"});
    }
    mv.visitInsn(Opcodes.POP);
    mv.visitVarInsn(Opcodes.ALOAD, 3);
    mv.visitInsn(Opcodes.ATHROW);
    mv.visitMaxs(4, 4);
    mv.visitEnd();
  }

  /** Passes arguments through WovenCalls on entry: {@code slot = WovenCalls.call(slot)}. */
  private static final class Entry extends MethodVisitor {
    private final int[] slots;
    private final String[] calls;
    private final String[] types;

    Entry(MethodVisitor mv, int[] slots, String[] calls, String[] types) {
      super(Opcodes.ASM9, mv);
      this.slots = slots;
      this.calls = calls;
      this.types = types;
    }

    @Override
    public void visitCode() {
      super.visitCode();
      for (int i = 0; i < slots.length; i++) {
        String type = types[i];
        boolean string = type.equals("java/lang/String");
        String erased = string ? type : "java/lang/Object";
        mv.visitVarInsn(Opcodes.ALOAD, slots[i]);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, calls[i], "(L" + erased + ";)L" + erased + ";", false);
        if (!erased.equals(type)) {
          mv.visitTypeInsn(Opcodes.CHECKCAST, type);
        }
        mv.visitVarInsn(Opcodes.ASTORE, slots[i]);
      }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      super.visitMaxs(Math.max(maxStack, 1), maxLocals);
    }
  }

  /** Registers {@code this} with the agent before each {@code return} of a pool's constructor. */
  private static final class PoolExit extends MethodVisitor {
    PoolExit(MethodVisitor mv) {
      super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode == Opcodes.RETURN) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "pool", "(Ljava/lang/Object;)V", false);
      }
      super.visitInsn(opcode);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      super.visitMaxs(Math.max(maxStack, 1), maxLocals);
    }
  }
}
