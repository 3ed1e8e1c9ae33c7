package dev.stowaway.agent.instrument;

import dev.stowaway.agent.bootstrap.PlaceholderHook;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The hooks in JDK classes that must be in place before {@code main} runs: {@code Properties}
 * reads and {@code System.getenv}. Each is a single static call on the value a method returns, so
 * it is woven with Byte Buddy's bundled ASM directly: a few dozen classes instead of the whole
 * AgentBuilder on the application's start-up path. The shape of the classes does not change.
 */
public final class JdkHooks implements ClassFileTransformer {

  private static final String HOOK = "dev/stowaway/agent/bootstrap/PlaceholderHook";
  /** Serializes system properties for jcmd and attach: they must see placeholders, not values. */
  private static final String VM_SUPPORT = "jdk/internal/vm/VMSupport";
  private static final String CLASS_LOADER = "java/lang/ClassLoader";
  private static final String DEFINITIONS = "dev/stowaway/agent/bootstrap/ClassDefinitions";
  static final String DEFINE_FROM_ARRAY = "(Ljava/lang/String;[BIILjava/security/ProtectionDomain;)Ljava/lang/Class;";
  static final String DEFINE_FROM_BUFFER =
      "(Ljava/lang/String;Ljava/nio/ByteBuffer;Ljava/security/ProtectionDomain;)Ljava/lang/Class;";

  /** Which classes this instance weaves: the hooks' own set, or ClassLoader alone. */
  private final boolean classLoader;
  /** How many of ClassLoader's two defineClass funnels were woven. */
  private int definitionHooks;

  private JdkHooks(boolean classLoader) {
    this.classLoader = classLoader;
  }

  public static void install(Instrumentation inst) throws UnmodifiableClassException {
    // java.base must be able to read the bootstrap class path's unnamed module, where the bridge is.
    Module bridge = PlaceholderHook.class.getModule();
    inst.redefineModule(Object.class.getModule(), Set.of(bridge), Map.of(), Map.of(), Set.of(), Map.of());
    JdkHooks hooks = new JdkHooks(false);
    inst.addTransformer(hooks, true);
    try {
      List<Class<?>> targets = new ArrayList<>(List.of(Properties.class, System.class));
      try {
        // Loaded (not initialised) now, so that jcmd's first attach finds it already woven.
        targets.add(Class.forName("jdk.internal.vm.VMSupport", false, null));
      } catch (ClassNotFoundException e) {
        // another JDK layout: jcmd output is then not covered
      }
      inst.retransformClasses(targets.toArray(new Class<?>[0]));
    } finally {
      inst.removeTransformer(hooks); // a transformer left registered costs every later class load
    }
  }

  /**
   * Weaves a call to {@code ClassDefinitions} into both of {@code ClassLoader}'s {@code defineClass}
   * funnels, through which every class loader but the boot loader defines its classes. Apart from
   * the other hooks, because a JDK that refuses this is handled differently (the caller falls back
   * to a ClassFileTransformer). Returns whether both funnels now carry the call.
   */
  public static boolean hookClassDefinitions(Instrumentation inst) {
    JdkHooks hooks = new JdkHooks(true);
    inst.addTransformer(hooks, true);
    try {
      inst.retransformClasses(ClassLoader.class);
      return hooks.definitionHooks == 2;
    } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
      return false;
    } finally {
      inst.removeTransformer(hooks);
    }
  }

  boolean handles(String name) {
    if (classLoader) {
      return CLASS_LOADER.equals(name);
    }
    return "java/util/Properties".equals(name) || "java/lang/System".equals(name) || VM_SUPPORT.equals(name);
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String name, Class<?> type, ProtectionDomain domain,
      byte[] bytes) {
    if (!handles(name)) {
      return null;
    }
    try {
      ClassReader reader = new ClassReader(bytes);
      ClassWriter writer = new ClassWriter(reader, 0); // stack and frames are unchanged by these calls
      reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
        @Override
        public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
            String[] exceptions) {
          MethodVisitor mv = super.visitMethod(access, method, descriptor, signature, exceptions);
          if (VM_SUPPORT.equals(name)) {
            return method.startsWith("serialize") ? new RawReads(mv) : mv;
          }
          if (CLASS_LOADER.equals(name)) {
            boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
            if (!isStatic && method.equals("defineClass") && descriptor.equals(DEFINE_FROM_ARRAY)) {
              definitionHooks++;
              return new DefineFromArray(mv);
            }
            if (!isStatic && method.equals("defineClass") && descriptor.equals(DEFINE_FROM_BUFFER)) {
              definitionHooks++;
              return new DefineFromBuffer(mv);
            }
            return mv;
          }
          String hook = hookFor(name, method, descriptor);
          return hook == null ? mv : new ReturnHook(mv, hook);
        }
      }, 0);
      return writer.toByteArray();
    } catch (RuntimeException e) {
      return null; // leave the class as it is; the application carries on without this hook
    }
  }

  /** The PlaceholderHook method each return value passes through, as {@code name:descriptor}. */
  static String hookFor(String owner, String method, String descriptor) {
    if (owner.equals("java/util/Properties")) {
      if (method.equals("getProperty") && descriptor.equals("(Ljava/lang/String;)Ljava/lang/String;")) {
        return "resolve:(Ljava/lang/String;)Ljava/lang/String;";
      }
      if (method.equals("get") && descriptor.equals("(Ljava/lang/Object;)Ljava/lang/Object;")) {
        return "resolveObject:(Ljava/lang/Object;)Ljava/lang/Object;";
      }
    } else if (owner.equals("java/lang/System") && method.equals("getenv")) {
      if (descriptor.equals("(Ljava/lang/String;)Ljava/lang/String;")) {
        return "resolve:(Ljava/lang/String;)Ljava/lang/String;";
      }
      if (descriptor.equals("()Ljava/util/Map;")) {
        return "environment:(Ljava/util/Map;)Ljava/util/Map;";
      }
    }
    return null;
  }

  /**
   * On entry: {@code b = ClassDefinitions.defining(this, name, b, off, len)}, with {@code off} and
   * {@code len} following it (unchanged unless the class was woven). No branches, so ClassLoader's
   * own stack map frames stay true.
   */
  private static final class DefineFromArray extends MethodVisitor {
    DefineFromArray(MethodVisitor mv) {
      super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitCode() {
      super.visitCode();
      super.visitVarInsn(Opcodes.ALOAD, 0);
      super.visitVarInsn(Opcodes.ALOAD, 1);
      super.visitVarInsn(Opcodes.ALOAD, 2);
      super.visitVarInsn(Opcodes.ILOAD, 3);
      super.visitVarInsn(Opcodes.ILOAD, 4);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, DEFINITIONS, "defining",
          "(Ljava/lang/ClassLoader;Ljava/lang/String;[BII)[B", false);
      super.visitInsn(Opcodes.DUP);
      super.visitVarInsn(Opcodes.ALOAD, 2);
      super.visitVarInsn(Opcodes.ILOAD, 4);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, DEFINITIONS, "length", "([B[BI)I", false);
      super.visitVarInsn(Opcodes.ISTORE, 4);
      super.visitInsn(Opcodes.DUP);
      super.visitVarInsn(Opcodes.ALOAD, 2);
      super.visitVarInsn(Opcodes.ILOAD, 3);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, DEFINITIONS, "offset", "([B[BI)I", false);
      super.visitVarInsn(Opcodes.ISTORE, 3);
      super.visitVarInsn(Opcodes.ASTORE, 2);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      super.visitMaxs(Math.max(maxStack, 5), maxLocals);
    }
  }

  /** On entry: {@code b = ClassDefinitions.defining(this, name, b)}. */
  private static final class DefineFromBuffer extends MethodVisitor {
    DefineFromBuffer(MethodVisitor mv) {
      super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitCode() {
      super.visitCode();
      super.visitVarInsn(Opcodes.ALOAD, 0);
      super.visitVarInsn(Opcodes.ALOAD, 1);
      super.visitVarInsn(Opcodes.ALOAD, 2);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, DEFINITIONS, "defining",
          "(Ljava/lang/ClassLoader;Ljava/lang/String;Ljava/nio/ByteBuffer;)Ljava/nio/ByteBuffer;", false);
      super.visitVarInsn(Opcodes.ASTORE, 2);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      super.visitMaxs(Math.max(maxStack, 3), maxLocals);
    }
  }

  /** Brackets a method with beginRawReads/endRawReads (before each return). */
  private static final class RawReads extends MethodVisitor {
    RawReads(MethodVisitor mv) {
      super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitCode() {
      super.visitCode();
      super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "beginRawReads", "()V", false);
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
        super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "endRawReads", "()V", false);
      }
      super.visitInsn(opcode);
    }
  }

  /** Passes the value on the stack through the hook before every {@code areturn}. */
  private static final class ReturnHook extends MethodVisitor {
    private final String name;
    private final String descriptor;

    ReturnHook(MethodVisitor mv, String hook) {
      super(Opcodes.ASM9, mv);
      int colon = hook.indexOf(':');
      this.name = hook.substring(0, colon);
      this.descriptor = hook.substring(colon + 1);
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode == Opcodes.ARETURN) {
        super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, name, descriptor, false);
      }
      super.visitInsn(opcode);
    }
  }
}
