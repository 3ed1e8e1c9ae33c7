package dev.stowaway.agent.instrument;

import net.bytebuddy.asm.Advice;

/** Inlined into {@code System.getenv(String)}. */
public final class GetenvAdvice {

  private GetenvAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.Return(readOnly = false) String value) {
    value = dev.stowaway.agent.bootstrap.PlaceholderHook.resolve(value);
  }
}
