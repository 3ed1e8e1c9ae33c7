package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.agent.app.ReportingApp;
import dev.stowaway.agent.testing.AgentProcess;
import dev.stowaway.agent.testing.Jdk;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * An application started from an archive of its own classes (AppCDS, as Spring Boot recommends
 * for start-up) loads them without {@code ClassLoader.defineClass}, where the agent otherwise
 * hooks library classes: a JDBC driver read from the archive must still be hooked. Java 13 and
 * later can write such an archive at exit, so this runs on 17 and 25.
 */
class ClassArchiveIT {

  private static final String URL_PLACEHOLDER = "{{resolve:secretsmanager:archived-h2-url}}";

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static SecretsManagerClient sm;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    sm = sidecar.client();
    sm.createSecret(r -> r.name("archived-h2-url").secretString("jdbc:h2:mem:archived"));
  }

  @AfterAll
  static void stop() {
    sm.close();
    sidecar.close();
  }

  @ParameterizedTest(name = "Java {0}")
  @ValueSource(ints = {17, 25})
  void aDriverLoadedFromAnArchiveOfApplicationClassesIsStillHooked(int feature, @TempDir Path dir) throws IOException {
    Path javaHome = Jdk.of(feature).home();
    // Class data sharing takes jars only: the test application and the drivers, as a user's would be.
    String classPath = appJar(dir.resolve("app.jar")) + File.pathSeparator + drivers();
    Path archive = dir.resolve("app.jsa");
    AgentProcess.Result dump = new AgentProcess().withoutAgent().javaHome(javaHome).classPath(classPath)
        .jvmArg("-XX:ArchiveClassesAtExit=" + archive).run(ReportingApp.class, "driver-for:jdbc:h2:mem:dump");
    assertEquals("org.h2.Driver", dump.value("driver-for:jdbc:h2:mem:dump"), dump.output());
    assertTrue(Files.size(archive) > 0, dump.output());
    AgentProcess.Result plain = new AgentProcess().withoutAgent().javaHome(javaHome).classPath(classPath)
        .jvmArg("-XX:SharedArchiveFile=" + archive).jvmArg("-Xlog:class+load=info")
        .run(ReportingApp.class, "driver-for:jdbc:h2:mem:plain");
    assertTrue(plain.output().contains("org.h2.Driver source: shared objects file"),
        "the archive holds the driver, so the run below would read it from there:\n" + plain.output());

    AgentProcess.Result r = new AgentProcess().javaHome(javaHome).classPath(classPath)
        .env("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString())
        .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString())
        .jvmArg("-XX:SharedArchiveFile=" + archive)
        .run(ReportingApp.class, "driver-for:" + URL_PLACEHOLDER);

    assertEquals("org.h2.Driver", r.value("driver-for:" + URL_PLACEHOLDER), r.output());
  }

  /** The child applications' classes as one jar. */
  private static Path appJar(Path jar) throws IOException {
    Path classes = Path.of(System.getProperty("stowaway.test.classes"));
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files = walk.filter(Files::isRegularFile).collect(Collectors.toCollection(ArrayList::new));
    }
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
      for (Path f : files) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, j);
        j.closeEntry();
      }
    }
    return jar;
  }

  /** The drivers from the child applications' usual class path (everything but the test classes). */
  private static String drivers() {
    String testClasses = System.getProperty("stowaway.test.classes");
    return Stream.of(AgentProcess.classPath().split(File.pathSeparator)).filter(e -> !e.equals(testClasses))
        .collect(Collectors.joining(File.pathSeparator));
  }
}
