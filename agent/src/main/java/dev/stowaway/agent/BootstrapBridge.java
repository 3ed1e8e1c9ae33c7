package dev.stowaway.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.jar.JarFile;

/**
 * Puts {@code dev.stowaway.agent.bootstrap} on the bootstrap class path, so advice woven into JDK
 * classes can call it. The build ships those classes as a small jar inside the agent jar; it is
 * copied out as it is. Nothing here may load a bridge class first: the application class loader
 * would then have its own copy.
 */
final class BootstrapBridge {

  static final String RESOURCE = "META-INF/stowaway/bootstrap.jar";

  private BootstrapBridge() {}

  static void inject(Instrumentation inst) throws IOException {
    // Named by pid and time rather than Files.createTempFile, whose SecureRandom costs start-up time;
    // CREATE_NEW still refuses a file someone put there first.
    File bridge = Path.of(System.getProperty("java.io.tmpdir"), "stowaway-agent-bootstrap-"
        + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".jar").toFile();
    bridge.deleteOnExit();
    try (InputStream in = BootstrapBridge.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("the agent jar has no " + RESOURCE + "; was it built with 'mvn package'?");
      }
      try (OutputStream out = Files.newOutputStream(bridge.toPath(), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        in.transferTo(out);
      }
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(bridge));
  }
}
