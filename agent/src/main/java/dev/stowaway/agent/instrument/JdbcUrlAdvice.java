package dev.stowaway.agent.instrument;

import net.bytebuddy.asm.Advice;

/** Inlined at the entry of {@code Driver.acceptsURL}, so a driver recognises a URL with placeholders. */
public final class JdbcUrlAdvice {

  private JdbcUrlAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.Argument(value = 0, readOnly = false) String url) {
    url = dev.stowaway.agent.bootstrap.PlaceholderHook.resolve(url);
  }
}
