package dev.stowaway.agent.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.ProtectionDomain;

/**
 * Defines one class itself, from a direct ByteBuffer (the way some module and image loaders do),
 * and leaves every other to its parent.
 */
final class DirectBufferLoader extends ClassLoader {

  private final String own;

  DirectBufferLoader(ClassLoader parent, String own) {
    super(parent);
    this.own = own;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (!name.equals(own)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        byte[] bytes;
        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
          bytes = in.readAllBytes();
        } catch (IOException e) {
          throw new ClassNotFoundException(name, e);
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
        direct.put(bytes);
        direct.flip();
        c = defineClass(name, direct, (ProtectionDomain) null);
      }
      return c;
    }
  }
}
