package dev.stowaway.agent.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A JDK the agent supports, to run a child JVM on: 17 (the build's), 11 and 25. Found through the
 * system property {@code stowaway.jdk.N} or else under {@code /usr/lib/jvm} by its {@code release}
 * file. A JDK that is not there skips the test, unless {@code STOWAWAY_REQUIRE_JDKS=1} (as
 * {@code .ci/run} sets, after installing them), which makes it a failure.
 */
public final class Jdk {

  /** The Java feature releases the agent's end-to-end tests run on. */
  public static final int[] SUPPORTED = {11, 17, 25};

  private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(1\\.)?(\\d+)");

  private final int feature;

  private Jdk(int feature) {
    this.feature = feature;
  }

  /** Every supported JDK, for {@code @MethodSource}; each skips by itself where it is missing. */
  public static Stream<Jdk> supported() {
    return java.util.Arrays.stream(SUPPORTED).mapToObj(Jdk::new);
  }

  public static Jdk of(int feature) {
    return new Jdk(feature);
  }

  public int feature() {
    return feature;
  }

  /** Its home, or the test is skipped (or failed, under STOWAWAY_REQUIRE_JDKS=1) saying why. */
  public Path home() {
    Optional<Path> home = find(feature);
    if (home.isPresent()) {
      return home.get();
    }
    String why = "no JDK " + feature + " (set -Dstowaway.jdk." + feature + "=HOME, or run .ci/install-jdk11 for 11)";
    if ("1".equals(System.getenv("STOWAWAY_REQUIRE_JDKS"))) {
      fail(why + ", and STOWAWAY_REQUIRE_JDKS=1 requires it");
    }
    Assumptions.abort(why + "; set STOWAWAY_REQUIRE_JDKS=1 to make this a failure");
    throw new AssertionError("unreachable");
  }

  static Optional<Path> find(int feature) {
    String configured = System.getProperty("stowaway.jdk." + feature);
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured)).filter(Jdk::hasJava);
    }
    Path running = Path.of(System.getProperty("java.home"));
    if (featureOf(running) == feature) {
      return Optional.of(running);
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(jvms)) {
      return homes.filter(h -> !Files.isSymbolicLink(h)).filter(Jdk::hasJava).filter(h -> featureOf(h) == feature)
          .sorted().findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JDK under /usr/lib/jvm older than {@code feature}, if this machine has one. */
  public static Optional<Path> olderThan(int feature) {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(jvms)) {
      return homes.filter(Jdk::hasJava).filter(h -> featureOf(h) > 0 && featureOf(h) < feature).sorted().findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean hasJava(Path home) {
    return Files.isExecutable(home.resolve("bin").resolve("java"));
  }

  /** The feature release a JDK's {@code release} file names, or -1. */
  static int featureOf(Path home) {
    try {
      Matcher m = JAVA_VERSION.matcher(Files.readString(home.resolve("release"), StandardCharsets.UTF_8));
      return m.find() ? Integer.parseInt(m.group(2)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public String toString() {
    return "Java " + feature;
  }
}
