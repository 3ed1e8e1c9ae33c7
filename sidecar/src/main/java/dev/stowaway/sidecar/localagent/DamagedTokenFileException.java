package dev.stowaway.sidecar.localagent;

import java.nio.file.Path;

/**
 * The {@code agent-tokens} file cannot be read, or not as a token list, so no token can be checked. The
 * message names the file and never quotes it (the parser's own message would), and there is no
 * cause to print for the same reason.
 */
final class DamagedTokenFileException extends RuntimeException {

  DamagedTokenFileException(Path file) {
    super("The agent token file " + file + " is damaged or unreadable: it cannot be read as a token list. "
        + "No agent token is accepted until it is repaired or removed.", null, false, false);
  }
}
