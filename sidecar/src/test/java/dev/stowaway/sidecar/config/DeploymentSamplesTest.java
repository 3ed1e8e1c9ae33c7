package dev.stowaway.sidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of the container samples without a cluster or a registry: the manifests
 * parse, the sidecar accepts their settings, every name and path one piece gives another agrees,
 * and the files the Dockerfile copies exist. (Building and running the image is not done here.)
 */
class DeploymentSamplesTest {

  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir Path scratch;

  private static List<JsonNode> documents(Path file) throws IOException {
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      return docs.readAll();
    }
  }

  private static JsonNode kind(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind));
  }

  private static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).toList();
  }

  private static String env(JsonNode container, String name) {
    return list(container.path("env")).stream().filter(e -> e.path("name").asText().equals(name))
        .map(e -> e.path("value").asText()).findFirst().orElse(null);
  }

  /** The sidecar's own parser, over the sample's settings, with the token file made real. */
  private Map<String, String> sidecarSettings(String yaml) throws IOException {
    Path config = Files.writeString(scratch.resolve("stowaway.yaml"), yaml);
    Map<String, String> settings = ConfigFile.read(config, ServerConfig.SETTINGS.keySet());
    Path token = Files.writeString(scratch.resolve("token"), "t");
    ServerConfig parsed = ServerConfig.parse(new String[] {"--config", config.toString(), "--agent-token",
        "file://" + token}, Map.of("STOWAWAY_STORE_USER", "stowaway"));
    assertEquals(settings.get("agent-token-user"), parsed.agentToken().user());
    return settings;
  }

  @Test
  void theKubernetesDeploymentFitsTogether() throws IOException {
    Path dir = REPO.resolve("samples/kubernetes");
    JsonNode configMap = kind(documents(dir.resolve("configmap.yaml")), "ConfigMap");
    Map<String, String> settings = sidecarSettings(configMap.path("data").path("stowaway.yaml").asText());
    JsonNode deployment = kind(documents(dir.resolve("deployment.yaml")), "Deployment");
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    assertEquals(deployment.path("spec").path("selector").path("matchLabels"),
        deployment.path("spec").path("template").path("metadata").path("labels"));

    Set<String> volumes = new HashSet<>();
    list(pod.path("volumes")).forEach(v -> volumes.add(v.path("name").asText()));
    List<JsonNode> containers = new ArrayList<>(list(pod.path("initContainers")));
    containers.addAll(list(pod.path("containers")));
    for (JsonNode c : containers) {
      for (JsonNode m : list(c.path("volumeMounts"))) {
        assertTrue(volumes.contains(m.path("name").asText()), c.path("name") + " mounts unknown " + m.path("name"));
      }
    }
    assertEquals(configMap.path("metadata").path("name").asText(), list(pod.path("volumes")).stream()
        .filter(v -> v.has("configMap")).findFirst().orElseThrow().path("configMap").path("name").asText());

    JsonNode sidecar = containers.stream().filter(c -> c.path("name").asText().equals("stowaway")).findFirst()
        .orElseThrow();
    assertEquals("Always", sidecar.path("restartPolicy").asText(), "a native sidecar, started before the app");
    assertEquals("/etc/stowaway/stowaway.yaml", sidecar.path("args").get(2).asText());
    assertTrue(list(sidecar.path("volumeMounts")).stream().anyMatch(m -> m.path("mountPath").asText()
        .equals("/etc/stowaway")));
    // The root key reaches the data directory owner-only, which a mount over it could not be.
    String dataDir = settings.get("data-dir");
    JsonNode rootKey = containers.stream().filter(c -> c.path("name").asText().equals("stowaway-root-key"))
        .findFirst().orElseThrow();
    assertEquals(List.of("install", "-D", "-m", "0600"), list(rootKey.path("command")).subList(0, 4).stream()
        .map(JsonNode::asText).toList());
    assertEquals(dataDir + "/root.key", rootKey.path("command").get(5).asText());
    assertTrue(list(sidecar.path("volumeMounts")).stream().noneMatch(m -> m.path("mountPath").asText()
        .startsWith(dataDir)), "nothing is mounted into the data directory");
    assertTrue(list(sidecar.path("volumeMounts")).stream().anyMatch(m -> dataDir.startsWith(
        m.path("mountPath").asText() + "/")), "the data directory lies in a writable volume");
    int probePort = Integer.parseInt(settings.get("probe-port"));
    assertEquals(probePort, list(sidecar.path("ports")).get(0).path("containerPort").asInt());
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      assertEquals("probes", sidecar.path(probe).path("httpGet").path("port").asText(), probe);
    }
    assertEquals("/readyz", sidecar.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals("/healthz", sidecar.path("livenessProbe").path("httpGet").path("path").asText());

    JsonNode app = list(pod.path("containers")).get(0);
    String tokenFile = settings.get("agent-token").substring("file://".length());
    assertEquals("file://" + tokenFile, env(app, "STOWAWAY_TOKEN"), "the app and the sidecar share one token file");
    JsonNode seed = containers.stream().filter(c -> c.path("name").asText().equals("stowaway-seed-token"))
        .findFirst().orElseThrow();
    assertEquals(tokenFile, seed.path("command").get(1).asText());
    JsonNode copy = containers.stream().filter(c -> c.path("name").asText().equals("stowaway-agent-jar"))
        .findFirst().orElseThrow();
    String agentJar = copy.path("command").get(2).asText();
    assertEquals("-javaagent:" + agentJar, env(app, "JAVA_TOOL_OPTIONS"));
    assertTrue(env(app, "SPRING_DATASOURCE_PASSWORD").startsWith("{{resolve:secretsmanager:"));
    assertEquals(List.of(), imageFilesMissing(copy.path("command").get(1).asText(), seed.path("command").get(0).asText()));
  }

  @Test
  void theComposeFileFitsTogether() throws IOException {
    JsonNode compose = YAML.readTree(REPO.resolve("samples/compose/compose.yaml").toFile());
    JsonNode services = compose.path("services");
    JsonNode sidecar = services.path("stowaway");
    List<String> command = list(sidecar.path("command")).stream().map(JsonNode::asText).toList();
    assertEquals("server", command.get(0));
    Path token = Files.writeString(scratch.resolve("token"), "t");
    List<String> flags = new ArrayList<>(command.subList(1, command.size()));
    String tokenFile = flags.get(flags.indexOf("--agent-token") + 1).substring("file://".length());
    flags.set(flags.indexOf("--agent-token") + 1, "file://" + token);
    ServerConfig parsed = ServerConfig.parse(flags.toArray(String[]::new), Map.of());
    assertEquals(8086, parsed.probePort());
    assertTrue(sidecar.path("healthcheck").path("test").toString().contains("/dev/tcp/127.0.0.1/" + parsed.probePort()));

    JsonNode app = services.path("orders");
    assertEquals("service:stowaway", app.path("network_mode").asText(), "the app shares the sidecar's loopback");
    assertEquals("file://" + tokenFile, app.path("environment").path("STOWAWAY_TOKEN").asText());
    assertEquals(tokenFile, services.path("seed-token").path("entrypoint").get(1).asText());
    assertEquals("-javaagent:" + services.path("agent-jar").path("entrypoint").get(2).asText(),
        app.path("environment").path("JAVA_TOOL_OPTIONS").asText());
    assertEquals("service_healthy", app.path("depends_on").path("stowaway").path("condition").asText());
    for (Iterable<JsonNode> mounts : List.of(sidecar.path("volumes"), app.path("volumes"))) {
      for (JsonNode m : mounts) {
        assertTrue(compose.path("volumes").has(m.asText().split(":")[0]), m.asText());
      }
    }
  }

  @Test
  void theDockerfileCopiesFilesThatExist() throws IOException {
    Pattern copy = Pattern.compile("^COPY (?!--from)(.+) (\\S+)$", Pattern.MULTILINE);
    Matcher m = copy.matcher(Files.readString(REPO.resolve("sidecar/Dockerfile")));
    int copies = 0;
    while (m.find()) {
      for (String source : m.group(1).trim().split("\\s+")) {
        assertTrue(Files.exists(REPO.resolve(source)), "COPY " + source + " names nothing in the repository");
        copies++;
      }
    }
    assertTrue(copies >= 8, "found " + copies + " COPY sources");
  }

  @Test
  void theDockerfileCopiesEveryModulesPomBecauseMavenReadsTheWholeReactor() throws IOException {
    String dockerfile = Files.readString(REPO.resolve("sidecar/Dockerfile"));
    List<Path> poms = new ArrayList<>(List.of(Path.of("pom.xml")));
    for (int i = 0; i < poms.size(); i++) {
      Path pom = poms.get(i);
      Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(REPO.resolve(pom)));
      while (module.find()) {
        Path parent = pom.getParent() == null ? Path.of("") : pom.getParent();
        poms.add(parent.resolve(module.group(1)).resolve("pom.xml"));
      }
    }
    for (Path pom : poms) {
      String dir = pom.getParent() == null ? "./" : pom.getParent() + "/";
      assertTrue(dockerfile.contains("COPY " + pom + " " + dir), "the Dockerfile does not copy " + pom);
    }
  }

  @Test
  void seedTokenWritesARandomOwnerOnlyToken() throws Exception {
    Path out = scratch.resolve("token");
    Process p = new ProcessBuilder("sh", REPO.resolve("sidecar/docker/seed-token").toString(), out.toString())
        .redirectErrorStream(true).start();
    assertEquals(0, p.waitFor());
    String first = Files.readString(out);
    assertTrue(first.matches("[0-9a-f]{64}"), first);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    Process again = new ProcessBuilder("sh", REPO.resolve("sidecar/docker/seed-token").toString(), out.toString())
        .start();
    assertEquals(0, again.waitFor());
    assertTrue(!Files.readString(out).equals(first), "a new token each time");
  }

  /** Paths the pod expects inside the image, checked against where the Dockerfile puts them. */
  private static List<String> imageFilesMissing(String... paths) throws IOException {
    String dockerfile = Files.readString(REPO.resolve("sidecar/Dockerfile"));
    List<String> missing = new ArrayList<>();
    for (String path : paths) {
      String name = path.substring(path.lastIndexOf('/') + 1);
      String dir = path.substring(0, path.lastIndexOf('/') + 1);
      boolean copied = dockerfile.lines().anyMatch(l -> l.startsWith("COPY") && l.contains(name)
          && (l.endsWith(" " + dir) || l.endsWith(" " + path)));
      if (!copied) {
        missing.add(path);
      }
    }
    return missing;
  }
}
