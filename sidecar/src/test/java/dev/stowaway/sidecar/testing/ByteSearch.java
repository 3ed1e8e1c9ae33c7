package dev.stowaway.sidecar.testing;

/** Finds bytes in bytes: the plaintext scans look for secrets, keys and seeds in files and output. */
public final class ByteSearch {

  private ByteSearch() {}

  /** The first index of {@code needle} in {@code haystack}, or -1. */
  public static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
