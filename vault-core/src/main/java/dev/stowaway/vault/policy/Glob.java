package dev.stowaway.vault.policy;


/** IAM's wildcards: {@code *} any run of characters, {@code ?} any one; everything else literal. */
final class Glob {

  private final String glob;
  private final boolean ignoreCase;

  private Glob(String glob, boolean ignoreCase) {
    this.glob = glob;
    this.ignoreCase = ignoreCase;
  }

  private static final int MAX_CACHED = 4096;
  private static final java.util.concurrent.ConcurrentHashMap<String, Glob> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

  /** {@link #of}, remembered: condition values and variable-bearing resources recur on every request. */
  static Glob cached(String glob, boolean ignoreCase) {
    String key = (ignoreCase ? "i:" : "s:") + glob;
    Glob g = CACHE.get(key);
    if (g == null) {
      g = of(glob, ignoreCase);
      if (CACHE.size() >= MAX_CACHED) {
        CACHE.clear();
      }
      CACHE.put(key, g);
    }
    return g;
  }

  static Glob of(String glob, boolean ignoreCase) {
    return new Glob(glob, ignoreCase);
  }

  /**
   * Wildcard matching without regular expressions: walks both strings, remembering the last
   * {@code *} to fall back to. Linear for the patterns policies use; on every request's path.
   */
  boolean matches(String value) {
    int g = 0;
    int v = 0;
    int star = -1;
    int resume = 0;
    while (v < value.length()) {
      if (g < glob.length() && (glob.charAt(g) == '?' || same(glob.charAt(g), value.charAt(v)))) {
        g++;
        v++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        resume = v;
      } else if (star >= 0) {
        g = star + 1;
        v = ++resume;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }

  private boolean same(char a, char b) {
    return a == b || ignoreCase && Character.toLowerCase(a) == Character.toLowerCase(b);
  }
}
