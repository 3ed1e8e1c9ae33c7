package dev.stowaway.agent.bootstrap;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A read-only view of the environment whose values have their placeholders resolved on each
 * read. Nothing is copied, so a rotation shows up on the next read.
 */
final class ResolvingEnvironment extends AbstractMap<String, String> {

  private final Map<String, String> env;

  ResolvingEnvironment(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String get(Object key) {
    return PlaceholderHook.resolve(env.get(key));
  }

  @Override
  public boolean containsKey(Object key) {
    return env.containsKey(key);
  }

  @Override
  public int size() {
    return env.size();
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, String>> iterator() {
        Iterator<Entry<String, String>> it = env.entrySet().iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Entry<String, String> next() {
            Entry<String, String> e = it.next();
            return new SimpleImmutableEntry<>(e.getKey(), PlaceholderHook.resolve(e.getValue()));
          }
        };
      }

      @Override
      public int size() {
        return env.size();
      }
    };
  }
}
