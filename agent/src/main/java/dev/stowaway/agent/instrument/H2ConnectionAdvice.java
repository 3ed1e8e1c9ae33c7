package dev.stowaway.agent.instrument;

import net.bytebuddy.asm.Advice;

/**
 * Inlined at the entry of H2's {@code JdbcConnection(String url, Properties info, String user,
 * Object password, boolean forbidCreation)}: H2's own DataSource connects through it without
 * passing {@code Driver.connect}. The password arrives as a {@code char[]} or a {@code String}.
 */
public final class H2ConnectionAdvice {

  private H2ConnectionAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.Argument(value = 0, readOnly = false) String url,
      @Advice.Argument(value = 2, readOnly = false) String user,
      @Advice.Argument(value = 3, readOnly = false) Object password) {
    url = dev.stowaway.agent.bootstrap.PlaceholderHook.resolve(url);
    user = dev.stowaway.agent.bootstrap.PlaceholderHook.credential(user);
    if (password instanceof char[]) {
      String text = new String((char[]) password);
      String current = dev.stowaway.agent.bootstrap.PlaceholderHook.credential(text);
      if (current != text) {
        password = current.toCharArray();
      }
    } else if (password instanceof String) {
      password = dev.stowaway.agent.bootstrap.PlaceholderHook.credential((String) password);
    }
  }
}
