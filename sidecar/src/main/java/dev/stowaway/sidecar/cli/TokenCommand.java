package dev.stowaway.sidecar.cli;

import dev.stowaway.sidecar.localagent.AgentTokens;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code stowaway token create|revoke|list}: the tokens AWS-agent-style clients present, each
 * standing for one IAM user. Works on the data directory while the sidecar serves; the sidecar
 * sees a change on the next request.
 */
final class TokenCommand {

  static final String USAGE = "usage: stowaway token create --user NAME --out FILE [--data-dir DIR]\n"
      + "       stowaway token revoke (--id ID | --token-file FILE) [--data-dir DIR]\n"
      + "       stowaway token list [--data-dir DIR]\n";

  private TokenCommand() {}

  static int run(String[] args, Map<String, String> env, Clock clock, PrintStream out, PrintStream err) {
    if (args.length == 0 || !List.of("create", "revoke", "list").contains(args[0])) {
      err.print(USAGE);
      return 2;
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (!List.of("--user", "--out", "--data-dir", "--id", "--token-file").contains(args[i]) || i + 1 >= args.length) {
        err.println("stowaway: " + (i + 1 >= args.length && args[i].startsWith("--") ? args[i] + " needs a value"
            : "unknown option '" + args[i] + "' for token " + args[0]));
        err.print(USAGE);
        return 2;
      }
      options.put(args[i], args[++i]);
    }
    Path dataDir = Path.of(options.getOrDefault("--data-dir", env.getOrDefault("STOWAWAY_DATA_DIR", "./stowaway-data")))
        .toAbsolutePath().normalize();
    if (!Files.isDirectory(dataDir)) {
      err.println("stowaway: " + dataDir + " does not exist; start the sidecar once to make it, or give --data-dir");
      return 2;
    }
    AgentTokens tokens = AgentTokens.in(dataDir);
    return switch (args[0]) {
      case "create" -> create(tokens, options, clock, out, err);
      case "revoke" -> revoke(tokens, options, out, err);
      default -> list(tokens, out);
    };
  }

  private static int create(AgentTokens tokens, Map<String, String> options, Clock clock, PrintStream out,
      PrintStream err) {
    String user = options.get("--user");
    String outFile = options.get("--out");
    if (user == null || outFile == null) {
      err.println("stowaway: token create needs --user NAME and --out FILE");
      return 2;
    }
    Path file = Path.of(outFile).toAbsolutePath().normalize();
    if (Files.exists(file)) {
      err.println("stowaway: " + file + " exists already; remove it or choose another --out");
      return 2;
    }
    AgentTokens.Issued issued = tokens.create(user, new SecureRandom(), clock.instant());
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, issued.token() + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      tokens.revoke(issued.id(), null); // a token nobody holds is only a risk
      err.println("stowaway: cannot write " + file + " (" + (e instanceof FileAlreadyExistsException
          ? "it exists already" : e.getClass().getSimpleName() + ": " + e.getMessage()) + "); no token was made");
      return 1;
    }
    out.println("stowaway: made token " + issued.id() + " for IAM user " + user + " and wrote it to " + file + " (0600)");
    out.println("stowaway: clients send it as the X-Aws-Parameters-Secrets-Token header, e.g.");
    out.println("    curl -H \"X-Aws-Parameters-Secrets-Token: $(cat " + file + ")\" "
        + "'http://127.0.0.1:2773/secretsmanager/get?secretId=NAME'");
    out.println("stowaway: reads with it are authorized and audited as " + user + "; it belongs to the user "
        + user + " who exists now (a user made later never gets it) and dies with that user, even if a user of "
        + "the same name is made again; only its hash is kept, in " + tokens.file());
    out.println("stowaway: withdraw it with: stowaway token revoke --id " + issued.id());
    return 0;
  }

  private static int revoke(AgentTokens tokens, Map<String, String> options, PrintStream out, PrintStream err) {
    String id = options.get("--id");
    String tokenFile = options.get("--token-file");
    if ((id == null) == (tokenFile == null)) {
      err.println("stowaway: token revoke needs --id ID or --token-file FILE (one of them)");
      return 2;
    }
    String token = null;
    if (tokenFile != null) {
      try {
        token = Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        err.println("stowaway: cannot read " + tokenFile + " (" + e.getClass().getSimpleName() + ")");
        return 2;
      }
    }
    List<AgentTokens.Entry> removed = tokens.revoke(id, token);
    if (removed.isEmpty()) {
      err.println("stowaway: no such token in " + tokens.file() + "; 'stowaway token list' shows those there are");
      return 1;
    }
    for (AgentTokens.Entry e : removed) {
      out.println("stowaway: revoked " + e.id() + " (IAM user " + e.user() + "); the sidecar refuses it from now on");
    }
    return 0;
  }

  private static int list(AgentTokens tokens, PrintStream out) {
    List<AgentTokens.Entry> entries = tokens.list();
    if (entries.isEmpty()) {
      out.println("stowaway: no tokens in " + tokens.file() + "; make one with 'stowaway token create'");
      return 0;
    }
    out.printf("%-18s %-24s %s%n", "ID", "USER", "CREATED");
    for (AgentTokens.Entry e : entries) {
      out.printf("%-18s %-24s %s%n", e.id(), e.user(), e.created());
    }
    return 0;
  }
}
