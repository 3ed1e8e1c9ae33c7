package dev.stowaway.agent.instrument;

import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Weaves one library class; what {@link LibraryGate} chose it for decides which methods change.
 * <ul>
 *   <li>A JDBC driver: {@code connect(String, Properties)} is renamed and replaced by a method that
 *       resolves the URL (each value written for the driver's URL syntax) and connection properties
 *       for this connect, calls it, and on a refused login lets the agent fetch again and reconnect
 *       (a rotation); {@code acceptsURL(String)} resolves its argument first, so the driver
 *       recognises a URL with placeholders.</li>
 *   <li>MariaDB's static {@code Driver.connect(Configuration)}, which its DataSource calls, wrapped
 *       the same way: credentials made current, a refused login retried.</li>
 *   <li>H2's {@code JdbcDataSource.getConnection()} and {@code getConnection(String, String)}: a
 *       refused login retried; and {@code JdbcConnection(String, Properties, String, Object, boolean)},
 *       which both H2 paths construct: URL, user and password resolved on entry.</li>
 *   <li>HikariDataSource's constructors: the agent learns of each pool on exit.</li>
 * </ul>
 * Code inserted at a method's entry has no branches and only replaces arguments with values of
 * the same type, so the method's own stack map frames stay true.
 */
final class LibraryWeaving extends ClassVisitor {

  static final String CALLS = "dev/stowaway/agent/bootstrap/WovenCalls";
  static final String CONNECT = "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;";
  /** A wrapped method's original, kept private under its name with this suffix. */
  static final String ORIGINAL = "$stowaway$original";
  /** The original {@code connect}, kept private under this name. */
  static final String ORIGINAL_CONNECT = "connect" + ORIGINAL;
  private static final String MARIADB_CONNECT = "(Lorg/mariadb/jdbc/Configuration;)Lorg/mariadb/jdbc/Connection;";
  private static final String GET_CONNECTION = "()Ljava/sql/Connection;";
  private static final String GET_CONNECTION_AS = "(Ljava/lang/String;Ljava/lang/String;)Ljava/sql/Connection;";
  private static final String H2_CONSTRUCTOR = "(Ljava/lang/String;Ljava/util/Properties;Ljava/lang/String;"
      + "Ljava/lang/Object;Z)V";

  private final boolean driver;
  private String owner;
  private int version;
  private boolean changed;
  /** Methods renamed: each wrapper is written at the end of the class. */
  private final java.util.List<Wrapper> wrappers = new java.util.ArrayList<>();

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
    Wrapper wrapper = concrete ? wrapperFor(access, name, descriptor, signature, exceptions) : null;
    if (wrapper != null) {
      wrappers.add(wrapper);
      changed = true;
      int hidden = (access & ~(Opcodes.ACC_PUBLIC | Opcodes.ACC_PROTECTED)) | Opcodes.ACC_PRIVATE | Opcodes.ACC_SYNTHETIC;
      return super.visitMethod(hidden, name + ORIGINAL, descriptor, signature, exceptions);
    }
    MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
    if (driver && concrete && !isStatic && name.equals("acceptsURL") && descriptor.equals("(Ljava/lang/String;)Z")) {
      changed = true;
      return new Entry(mv, owner, new int[] {1}, new String[] {"resolve"}, new String[] {"java/lang/String"});
    }
    if (owner.equals(LibraryGate.H2_CONNECTION) && name.equals("<init>") && descriptor.equals(H2_CONSTRUCTOR)) {
      changed = true;
      return new Entry(mv, owner, new int[] {1, 3, 4}, new String[] {"url", "credential", "h2Password"},
          new String[] {"java/lang/String", "java/lang/String", "java/lang/Object"});
    }
    if (owner.equals(LibraryGate.HIKARI_DATA_SOURCE) && name.equals("<init>")) {
      changed = true;
      return new PoolExit(mv);
    }
    return mv;
  }

  /** The wrapper a method gets, or null: what to call on each argument first, and the retry. */
  private Wrapper wrapperFor(int access, String name, String descriptor, String signature, String[] exceptions) {
    boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
    if (driver && !isStatic && name.equals("connect") && descriptor.equals(CONNECT)) {
      return new Wrapper(access, name, descriptor, signature, exceptions, new String[] {"url", "connectionProperties"},
          "retryConnect");
    }
    if (owner.equals(LibraryGate.MARIADB_DRIVER) && isStatic && name.equals("connect")
        && descriptor.equals(MARIADB_CONNECT)) {
      return new Wrapper(access, name, descriptor, signature, exceptions, new String[] {"mariaDbConfiguration"},
          "retryMariaDbConnect");
    }
    if (owner.equals(LibraryGate.H2_DATA_SOURCE) && !isStatic && name.equals("getConnection")
        && (descriptor.equals(GET_CONNECTION) || descriptor.equals(GET_CONNECTION_AS))) {
      return new Wrapper(access, name, descriptor, signature, exceptions,
          new String[Type.getArgumentTypes(descriptor).length], "retryH2DataSourceConnect");
    }
    return null;
  }

  @Override
  public void visitEnd() {
    for (Wrapper w : wrappers) {
      writeWrapper(w);
    }
    super.visitEnd();
  }

  /** A method renamed to NAME$stowaway$original, and what its replacement does. */
  private static final class Wrapper {
    final int access;
    final String name;
    final String descriptor;
    final String signature;
    final String[] exceptions;
    /** Per argument: the WovenCalls method it passes through first ("url": with the owner), or null. */
    final String[] argumentCalls;
    /** The WovenCalls method called on a failure: (this?, the arguments as given, the failure) -> Object. */
    final String retry;

    Wrapper(int access, String name, String descriptor, String signature, String[] exceptions,
        String[] argumentCalls, String retry) {
      this.access = access;
      this.name = name;
      this.descriptor = descriptor;
      this.signature = signature;
      this.exceptions = exceptions;
      this.argumentCalls = argumentCalls;
      this.retry = retry;
    }
  }

  /**
   * For a driver's connect, for example:
   * <pre>
   * Connection connect(String url, Properties info) throws SQLException {
   *   try {
   *     return connect$stowaway$original(WovenCalls.url(url, "org/postgresql/Driver"),
   *         WovenCalls.connectionProperties(info));
   *   } catch (Throwable t) {
   *     Object retried = WovenCalls.retryConnect(this, url, info, t);
   *     if (retried != null) return (Connection) retried;
   *     throw t;
   *   }
   * }
   * </pre>
   * Arguments are references (objects) only.
   */
  private void writeWrapper(Wrapper w) {
    boolean isStatic = (w.access & Opcodes.ACC_STATIC) != 0;
    int access = w.access & ~(Opcodes.ACC_SYNCHRONIZED | Opcodes.ACC_BRIDGE | Opcodes.ACC_SYNTHETIC);
    Type[] arguments = Type.getArgumentTypes(w.descriptor);
    Type returned = Type.getReturnType(w.descriptor);
    java.util.List<Object> locals = new java.util.ArrayList<>();
    StringBuilder retryDescriptor = new StringBuilder("(");
    if (!isStatic) {
      locals.add(owner);
      retryDescriptor.append("Ljava/lang/Object;");
    }
    for (Type a : arguments) {
      locals.add(a.getInternalName());
      retryDescriptor.append(a.getInternalName().equals("java/lang/String")
          || a.getInternalName().equals("java/util/Properties") ? a.getDescriptor() : "Ljava/lang/Object;");
    }
    retryDescriptor.append("Ljava/lang/Throwable;)Ljava/lang/Object;");
    int failureSlot = locals.size();
    MethodVisitor mv = super.visitMethod(access, w.name, w.descriptor, w.signature, w.exceptions);
    Label start = new Label();
    Label end = new Label();
    Label handler = new Label();
    Label rethrow = new Label();
    boolean frames = (version & 0xFFFF) >= Opcodes.V1_6;
    mv.visitCode();
    mv.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
    int slot = 0;
    if (!isStatic) {
      mv.visitVarInsn(Opcodes.ALOAD, slot++);
    }
    for (int i = 0; i < arguments.length; i++) {
      mv.visitVarInsn(Opcodes.ALOAD, slot++);
      String call = w.argumentCalls[i];
      if (call != null) {
        passThrough(mv, owner, call, arguments[i].getInternalName());
      }
    }
    mv.visitLabel(start);
    mv.visitMethodInsn(isStatic ? Opcodes.INVOKESTATIC : Opcodes.INVOKESPECIAL, owner, w.name + ORIGINAL,
        w.descriptor, false);
    mv.visitLabel(end);
    mv.visitInsn(Opcodes.ARETURN);
    mv.visitLabel(handler);
    if (frames) {
      mv.visitFrame(Opcodes.F_FULL, locals.size(), locals.toArray(), 1, new Object[] {"java/lang/Throwable"});
    }
    mv.visitVarInsn(Opcodes.ASTORE, failureSlot);
    for (int i = 0; i < failureSlot; i++) {
      mv.visitVarInsn(Opcodes.ALOAD, i);
    }
    mv.visitVarInsn(Opcodes.ALOAD, failureSlot);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, w.retry, retryDescriptor.toString(), false);
    mv.visitInsn(Opcodes.DUP);
    mv.visitJumpInsn(Opcodes.IFNULL, rethrow);
    mv.visitTypeInsn(Opcodes.CHECKCAST, returned.getInternalName());
    mv.visitInsn(Opcodes.ARETURN);
    mv.visitLabel(rethrow);
    locals.add("java/lang/Throwable");
    if (frames) {
      mv.visitFrame(Opcodes.F_FULL, locals.size(), locals.toArray(), 1, new Object[] {"java/lang/Object"});
    }
    mv.visitInsn(Opcodes.POP);
    mv.visitVarInsn(Opcodes.ALOAD, failureSlot);
    mv.visitInsn(Opcodes.ATHROW);
    mv.visitMaxs(failureSlot + 3, failureSlot + 1);
    mv.visitEnd();
  }

  /**
   * Leaves {@code WovenCalls.call(value)} on the stack in place of the value of type {@code type};
   * "url" also passes the class being woven, whose URL syntax the value is written for.
   */
  static void passThrough(MethodVisitor mv, String owner, String call, String type) {
    if (call.equals("url")) {
      mv.visitLdcInsn(owner);
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, "url", "(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;",
          false);
      return;
    }
    boolean string = type.equals("java/lang/String");
    boolean properties = type.equals("java/util/Properties");
    String erased = string || properties ? type : "java/lang/Object";
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS, call, "(L" + erased + ";)L" + erased + ";", false);
    if (!erased.equals(type)) {
      mv.visitTypeInsn(Opcodes.CHECKCAST, type);
    }
  }

  /** Passes arguments through WovenCalls on entry: {@code slot = WovenCalls.call(slot)}. */
  private static final class Entry extends MethodVisitor {
    private final String owner;
    private final int[] slots;
    private final String[] calls;
    private final String[] types;

    Entry(MethodVisitor mv, String owner, int[] slots, String[] calls, String[] types) {
      super(Opcodes.ASM9, mv);
      this.owner = owner;
      this.slots = slots;
      this.calls = calls;
      this.types = types;
    }

    @Override
    public void visitCode() {
      super.visitCode();
      for (int i = 0; i < slots.length; i++) {
        mv.visitVarInsn(Opcodes.ALOAD, slots[i]);
        passThrough(mv, owner, calls[i], types[i]);
        mv.visitVarInsn(Opcodes.ASTORE, slots[i]);
      }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      super.visitMaxs(Math.max(maxStack, 2), maxLocals);
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
