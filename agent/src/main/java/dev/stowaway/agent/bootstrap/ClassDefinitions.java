package dev.stowaway.agent.bootstrap;

import java.nio.ByteBuffer;

/**
 * What code woven into {@code java.lang.ClassLoader.defineClass} calls: every class a class loader
 * defines passes through here first, so the agent can weave the few library classes it hooks. This
 * replaces a {@code ClassFileTransformer}, which makes the JVM copy every class it loads into a
 * Java array and call up into Java for it: on a Spring Boot start that alone cost about 100 ms.
 * Here the JVM does nothing extra, and each definition costs one name test.
 *
 * <p>Classes the boot loader reads itself never pass through {@code defineClass}; the hooked
 * libraries are never among them. Each method hands back its input when anything goes wrong.
 */
public final class ClassDefinitions {

  /** The agent's side: chooses classes by name and weaves them. */
  public interface Weaver {

    /** A cheap test on a binary name ({@code org.h2.Driver}); false for almost every class. */
    boolean mayWeave(String name);

    /** The woven class file, or null to define {@code bytes} as they are. */
    byte[] weave(ClassLoader loader, String name, byte[] bytes);
  }

  private static volatile Weaver weaver;

  private ClassDefinitions() {}

  public static void install(Weaver w) {
    weaver = w;
  }

  public static void uninstall() {
    weaver = null;
  }

  /**
   * Called on entry to {@code defineClass(String, byte[], int, int, ProtectionDomain)}: the class
   * file to define, which is {@code b} itself unless the class was woven (then a new array, whole).
   */
  public static byte[] defining(ClassLoader loader, String name, byte[] b, int off, int len) {
    try {
      Weaver w = weaver;
      if (w == null || name == null || b == null || !w.mayWeave(name)) {
        return b;
      }
      byte[] bytes = b;
      if (off != 0 || len != b.length) {
        bytes = new byte[len];
        System.arraycopy(b, off, bytes, 0, len);
      }
      byte[] woven = w.weave(loader, name, bytes);
      return woven == null ? b : woven;
    } catch (Throwable t) {
      return b;
    }
  }

  /** The offset to define from: as given, or 0 for a woven class file. */
  public static int offset(byte[] defined, byte[] given, int off) {
    return defined == given ? off : 0;
  }

  /** The length to define: as given, or the woven class file's. */
  public static int length(byte[] defined, byte[] given, int len) {
    return defined == given ? len : defined.length;
  }

  /**
   * Called on entry to {@code defineClass(String, ByteBuffer, ProtectionDomain)}. Only a direct
   * buffer is looked at: the JDK copies any other into an array and goes on through the method
   * above. A woven class comes back in a direct buffer too, so it is not woven twice.
   */
  public static ByteBuffer defining(ClassLoader loader, String name, ByteBuffer b) {
    try {
      Weaver w = weaver;
      if (w == null || name == null || b == null || !b.isDirect() || !w.mayWeave(name)) {
        return b;
      }
      byte[] bytes = new byte[b.remaining()];
      b.duplicate().get(bytes);
      byte[] woven = w.weave(loader, name, bytes);
      if (woven == null) {
        return b;
      }
      ByteBuffer out = ByteBuffer.allocateDirect(woven.length);
      out.put(woven);
      out.flip();
      return out;
    } catch (Throwable t) {
      return b;
    }
  }
}
