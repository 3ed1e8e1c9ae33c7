package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.agent.testing.AgentProcess;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The shipped jar: one shaded jar, everything relocated, nothing of the vault inside. */
class AgentJarIT {

  @Test
  void everyClassLivesUnderTheAgentsOwnPackage() throws IOException {
    List<String> strays = new ArrayList<>();
    try (JarFile jar = new JarFile(AgentProcess.agentJar().toFile())) {
      for (JarEntry e : java.util.Collections.list(jar.entries())) {
        if (e.getName().endsWith(".class") && !e.getName().startsWith("dev/stowaway/agent/")) {
          strays.add(e.getName());
        }
      }
    }
    assertEquals(List.of(), strays);
  }

  @Test
  void nothingOfTheVaultOrMapDbIsInside() throws IOException {
    try (JarFile jar = new JarFile(AgentProcess.agentJar().toFile())) {
      assertTrue(jar.stream().noneMatch(e -> e.getName().contains("stowaway/vault") || e.getName().contains("mapdb")
          || e.getName().contains("undertow") || e.getName().contains("slf4j")));
    }
  }

  /** Java 8 can load the entry class (to say it cannot run the agent); everything else needs at most Java 11. */
  @Test
  void theEntryClassIsJava8BytecodeAndNothingNeedsMoreThanJava11() throws IOException {
    List<String> tooNew = new ArrayList<>();
    try (JarFile jar = new JarFile(AgentProcess.agentJar().toFile())) {
      assertEquals(52, majorVersion(jar, jar.getJarEntry("dev/stowaway/agent/AgentEntry.class")));
      for (JarEntry e : java.util.Collections.list(jar.entries())) {
        if (e.getName().endsWith(".class") && majorVersion(jar, e) > 55) {
          tooNew.add(e.getName() + " (" + majorVersion(jar, e) + ")");
        }
      }
    }
    assertEquals(List.of(), tooNew);
  }

  private static int majorVersion(JarFile jar, JarEntry entry) throws IOException {
    try (java.io.DataInputStream in = new java.io.DataInputStream(jar.getInputStream(entry))) {
      assertEquals(0xCAFEBABE, in.readInt(), entry.getName());
      in.readUnsignedShort(); // minor
      return in.readUnsignedShort();
    }
  }

  @Test
  void manifestNamesTheEntryPoints() throws IOException {
    try (JarFile jar = new JarFile(AgentProcess.agentJar().toFile())) {
      Attributes main = jar.getManifest().getMainAttributes();
      assertEquals("dev.stowaway.agent.AgentEntry", main.getValue("Premain-Class"));
      assertEquals("dev.stowaway.agent.AgentEntry", main.getValue("Agent-Class"));
      assertEquals("true", main.getValue("Can-Retransform-Classes"));
      assertTrue(jar.getEntry("META-INF/stowaway/bootstrap.jar") != null);
    }
  }
}
