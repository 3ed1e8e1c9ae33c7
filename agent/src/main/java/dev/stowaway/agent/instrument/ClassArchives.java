package dev.stowaway.agent.instrument;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * Whether this JVM was started to use or write an archive of application classes (AppCDS, a
 * dynamic archive, JDK 24's AOT cache). Such a JVM loads archived classes without calling
 * {@code ClassLoader.defineClass}, so a hook there would miss a driver read from the archive; and
 * a class woven there would be written into an archive that a run without the agent then loads.
 * A {@code ClassFileTransformer} sees archived classes and keeps transformed ones out of archives,
 * so such a JVM gets the transformer instead. Checked by the JVM's own options, which the
 * launcher, {@code JDK_JAVA_OPTIONS} and {@code JAVA_TOOL_OPTIONS} all end up in.
 */
final class ClassArchives {

  /** Options that use or write an archive of classes beyond the JDK's own default one. */
  private static final String[] ARCHIVE_OPTIONS = {"-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit",
      "-XX:+AutoCreateSharedArchive", "-XX:SharedClassListFile", "-XX:DumpLoadedClassList", "-Xshare:dump",
      "-XX:AOT"};

  private ClassArchives() {}

  /** True when application classes may come from or go to an archive, or when it cannot be told. */
  static boolean mayBeInUse(Instrumentation inst) {
    String[] options;
    try {
      // jdk.internal.misc.VM is where RuntimeMXBean reads them from, without JMX's cost.
      Module base = Object.class.getModule();
      inst.redefineModule(base, Set.of(), Map.of("jdk.internal.misc", Set.of(ClassArchives.class.getModule())),
          Map.of(), Set.of(), Map.of());
      options = (String[]) Class.forName("jdk.internal.misc.VM").getMethod("getRuntimeArguments").invoke(null);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return true;
    }
    return archiving(options);
  }

  static boolean archiving(String[] options) {
    for (String option : options) {
      for (String archive : ARCHIVE_OPTIONS) {
        if (option.startsWith(archive)) {
          return true;
        }
      }
    }
    return false;
  }
}
