package dev.stowaway.agent.instrument;

import net.bytebuddy.asm.Advice;

/** Inlined into {@code Properties.getProperty(String)}: the caller sees the resolved value. */
public final class PropertiesGetPropertyAdvice {

  private PropertiesGetPropertyAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.Return(readOnly = false) String value) {
    value = dev.stowaway.agent.bootstrap.PlaceholderHook.resolve(value);
  }
}
