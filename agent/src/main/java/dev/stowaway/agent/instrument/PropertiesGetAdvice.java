package dev.stowaway.agent.instrument;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Inlined into {@code Properties.get(Object)}, the read Spring's property sources use. */
public final class PropertiesGetAdvice {

  private PropertiesGetAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object value) {
    value = dev.stowaway.agent.bootstrap.PlaceholderHook.resolveObject(value);
  }
}
