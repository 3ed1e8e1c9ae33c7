package dev.stowaway.agent.resolve;

import java.util.Objects;

/** One placeholder found in a string: where it starts and ends ({@code end} exclusive), and what it names. */
public final class Placeholder {
  private final int start;
  private final int end;
  private final Reference reference;

  public Placeholder(int start, int end, Reference reference) {
    this.start = start;
    this.end = end;
    this.reference = reference;
  }

  public int start() {
    return start;
  }

  public int end() {
    return end;
  }

  public Reference reference() {
    return reference;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Placeholder)) {
      return false;
    }
    Placeholder that = (Placeholder) o;
    return start == that.start
        && end == that.end
        && Objects.equals(reference, that.reference);
  }

  @Override
  public int hashCode() {
    return Objects.hash(start, end, reference);
  }

  @Override
  public String toString() {
    return "Placeholder[" + start + ", " + end + ", " + reference + "]";
  }
}
