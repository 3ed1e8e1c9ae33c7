package dev.stowaway.sidecar.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.config.DataDirectory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code stowaway backup --out FILE}: asks the running sidecar for a backup (Stowaway.CreateBackup,
 * signed with the administrator's key from {@code DIR/admin-credentials}) and writes it, 0600.
 */
final class BackupCommand {

  static final String USAGE = "usage: stowaway backup --out FILE [--endpoint http://127.0.0.1:2773] [--data-dir DIR]\n";

  private BackupCommand() {}

  static int run(String[] args, Map<String, String> env, Clock clock, PrintStream out, PrintStream err) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!List.of("--out", "--endpoint", "--data-dir").contains(args[i]) || i + 1 >= args.length) {
        err.println("stowaway: " + (i + 1 >= args.length && args[i].startsWith("--") ? args[i] + " needs a value"
            : "unknown option '" + args[i] + "' for backup"));
        err.print(USAGE);
        return 2;
      }
      options.put(args[i], args[++i]);
    }
    if (!options.containsKey("--out")) {
      err.print(USAGE);
      return 2;
    }
    Path file = Path.of(options.get("--out")).toAbsolutePath().normalize();
    if (Files.exists(file)) {
      err.println("stowaway: " + file + " exists already; remove it or choose another --out");
      return 2;
    }
    Path dataDir = Path.of(options.getOrDefault("--data-dir", env.getOrDefault("STOWAWAY_DATA_DIR", "./stowaway-data")))
        .toAbsolutePath().normalize();
    URI endpoint = URI.create(options.getOrDefault("--endpoint", "http://127.0.0.1:2773"));
    Path credentialsFile = dataDir.resolve(DataDirectory.ADMIN_CREDENTIALS);
    SignedClient client;
    try {
      client = SignedClient.withCredentialsFile(endpoint, credentialsFile, clock);
    } catch (IOException e) {
      err.println("stowaway: cannot read " + credentialsFile + " (" + e.getClass().getSimpleName()
          + "): backup signs with the administrator's key; give the sidecar's --data-dir");
      return 2;
    }
    out.println("stowaway: asking the sidecar at " + endpoint + " for a backup");
    SignedClient.Answer response;
    try {
      response = client.json("Stowaway.CreateBackup", "stowaway", "{}", Duration.ofMinutes(10));
    } catch (IOException e) {
      err.println("stowaway: cannot reach the sidecar at " + endpoint + " (" + e.getClass().getSimpleName()
          + "); is it running? give --endpoint");
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      client.forget();
    }
    JsonNode answer;
    try {
      answer = new ObjectMapper().readTree(response.body());
    } catch (IOException e) {
      err.println("stowaway: the sidecar answered HTTP " + response.status() + " with something not JSON");
      return 1;
    }
    if (response.status() != 200) {
      err.println("stowaway: the sidecar refused: " + answer.path("__type").asText() + ": "
          + answer.path("Message").asText(answer.path("message").asText()));
      return 1;
    }
    byte[] backup = Base64.getDecoder().decode(answer.path("Backup").asText());
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, backup);
    } catch (IOException e) {
      err.println("stowaway: cannot write " + file + " (" + e.getClass().getSimpleName() + ")");
      return 1;
    }
    StringBuilder counts = new StringBuilder();
    answer.path("Counts").fields().forEachRemaining(c -> counts.append(counts.isEmpty() ? "" : ", ")
        .append(c.getValue().asInt()).append(' ').append(c.getKey()));
    out.println("stowaway: wrote " + file + " (" + backup.length + " bytes, 0600): " + counts);
    out.println("stowaway: it is sealed under this vault's root key; without " + dataDir.resolve(DataDirectory.ROOT_KEY)
        + " (or its passphrase) it cannot be restored, so keep the two apart and both safe");
    out.println("stowaway: restore with: stowaway restore --from " + file + " --data-dir DIR (DIR holding root.key)");
    return 0;
  }
}
