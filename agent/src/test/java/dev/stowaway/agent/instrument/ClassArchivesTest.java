package dev.stowaway.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClassArchivesTest {

  @Test
  void theJdksOwnDefaultArchiveIsNotAnArchiveOfApplicationClasses() {
    assertFalse(ClassArchives.archiving(new String[] {"-Xshare:auto", "-Xmx512m", "-javaagent:/a.jar",
        "-Dx=-XX:SharedArchiveFile"}));
  }

  @Test
  void usingOrWritingAnArchiveOfApplicationClassesIsRecognised() {
    for (String option : new String[] {"-XX:SharedArchiveFile=app.jsa", "-XX:ArchiveClassesAtExit=app.jsa",
        "-XX:+AutoCreateSharedArchive", "-XX:AOTCache=app.aot", "-XX:AOTMode=record", "-XX:AOTCacheOutput=a.aot",
        "-Xshare:dump", "-XX:SharedClassListFile=classes.lst", "-XX:DumpLoadedClassList=classes.lst"}) {
      assertTrue(ClassArchives.archiving(new String[] {"-Xmx1g", option}), option);
    }
  }
}
