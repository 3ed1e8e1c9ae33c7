package dev.stowaway.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Copies {@code dev/stowaway/agent/bootstrap/*} out of the agent jar into a small jar appended to
 * the bootstrap class path, so advice inlined into JDK classes can call it. The classes are read
 * as bytes: loading them here first would give the application class loader its own copy.
 */
final class BootstrapBridge {

  private static final String PACKAGE = "dev/stowaway/agent/bootstrap/";

  private BootstrapBridge() {}

  static void inject(Instrumentation inst) throws IOException, URISyntaxException {
    Path agentJar = Path.of(BootstrapBridge.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    File bridge = Files.createTempFile("stowaway-agent-bootstrap", ".jar").toFile();
    bridge.deleteOnExit();
    try (JarFile agent = new JarFile(agentJar.toFile());
         JarOutputStream out = new JarOutputStream(Files.newOutputStream(bridge.toPath()))) {
      Enumeration<JarEntry> entries = agent.entries();
      int copied = 0;
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        if (entry.getName().startsWith(PACKAGE) && entry.getName().endsWith(".class")) {
          out.putNextEntry(new JarEntry(entry.getName()));
          try (InputStream in = agent.getInputStream(entry)) {
            in.transferTo(out);
          }
          out.closeEntry();
          copied++;
        }
      }
      if (copied == 0) {
        throw new IOException("the agent jar " + agentJar + " has no bootstrap classes");
      }
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(bridge));
  }

}
