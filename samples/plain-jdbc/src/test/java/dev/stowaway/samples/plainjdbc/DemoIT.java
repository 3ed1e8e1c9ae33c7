package dev.stowaway.samples.plainjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code stowaway demo}, as {@code bin/stowaway demo} runs it: the six steps, a clean rotation, nothing left behind. */
class DemoIT {

  static Path jar(String property) {
    Path jar = Path.of(System.getProperty(property));
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run mvn verify, which builds it first");
    return jar;
  }

  @Test
  void theDemoRotatesThePasswordUnderTheLiveApplicationAndCleansUp() throws Exception {
    Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        jar("stowaway.sidecar.jar").toString(), "demo", "--agent", jar("stowaway.agent.jar").toString(),
        "--app", jar("stowaway.sample.jar").toString()).redirectErrorStream(true).start();
    demo.getOutputStream().close();
    byte[] output = demo.getInputStream().readAllBytes();
    assertTrue(demo.waitFor(2, TimeUnit.MINUTES));
    String text = new String(output, StandardCharsets.UTF_8);
    assertEquals(0, demo.exitValue(), text);
    for (int step = 1; step <= 6; step++) {
      assertTrue(text.contains("\n " + step + ". "), "step " + step + " is missing:\n" + text);
    }
    assertTrue(text.contains("H2 now refuses the old password"), text);
    assertTrue(text.matches("(?s).*the application made \\d+ new connections since, 0 failed.*"), text);
    assertTrue(text.contains("(the vault)  RotationSucceeded"), text);
    assertTrue(text.matches("(?s).*orders-app +GetSecretValue +demo/orders-db.*"), text);
    assertTrue(text.contains("stowaway audit verify: intact"), text);
    assertFalse(text.contains("FAILED"), text);
    Matcher removed = Pattern.compile("removed (\\S+)\\. Done in ([0-9.]+) s\\.").matcher(text);
    assertTrue(removed.find(), text);
    assertFalse(Files.exists(Path.of(removed.group(1))), "the demo's temporary directory is left behind");
    System.out.println("stowaway demo finished in " + removed.group(2) + " s");
  }
}
