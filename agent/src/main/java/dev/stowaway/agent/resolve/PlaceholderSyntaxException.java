package dev.stowaway.agent.resolve;

/** A placeholder that does not follow the grammar. The message gives its position, never the text around it. */
public final class PlaceholderSyntaxException extends RuntimeException {
  PlaceholderSyntaxException(int position, String problem) {
    super("malformed placeholder at position " + position + ": " + problem, null, false, false);
  }
}
