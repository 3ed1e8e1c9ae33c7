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

  private JdkHooks() {}

  public static void install(Instrumentation inst) throws UnmodifiableClassException {
    // java.base must be able to read the bootstrap class path's unnamed module, where the bridge is.
    Module bridge = PlaceholderHook.class.getModule();
    inst.redefineModule(Object.class.getModule(), Set.of(bridge), Map.of(), Map.of(), Set.of(), Map.of());
    JdkHooks hooks = new JdkHooks();
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

  static boolean handles(String name) {
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
