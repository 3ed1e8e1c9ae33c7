package dev.stowaway.agent.instrument;

import dev.stowaway.agent.AgentLog;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.instrument.ClassFileTransformer;
import java.util.Properties;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.utility.JavaModule;

/**
 * The Byte Buddy advice for libraries the application loads later: JDBC drivers'
 * {@code connect}, MariaDB's and H2's DataSource paths, and HikariCP pools. Built as a raw
 * transformer that {@link LibraryGate} calls, so it can be built off the start-up path.
 */
final class Instrumenter {


  private Instrumenter() {}

  static ClassFileTransformer build() {
    return withoutNexus(new ByteBuddy().with(TypeValidation.DISABLED))
        .disableClassFormatChanges()
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
        .with(new FailureListener())
        .ignore(nameStartsWith("net.bytebuddy.").or(nameStartsWith("dev.stowaway.agent.")).or(isSynthetic()))
        // Name first: it is cheap, and every class the application loads passes through here.
        .type(nameContains("Driver").and(not(isInterface())).and(not(isAbstract()))
            .and(hasSuperType(named("java.sql.Driver"))))
        .transform((builder, type, loader, module, domain) -> builder
            .visit(Advice.to(DriverConnectAdvice.class)
                .on(named("connect").and(takesArguments(String.class, Properties.class))))
            .visit(Advice.to(JdbcUrlAdvice.class)
                .on(named("acceptsURL").and(takesArguments(String.class)))))
        .type(named("org.mariadb.jdbc.Driver"))
        .transform((builder, type, loader, module, domain) -> builder
            .visit(Advice.to(MariaDbConnectAdvice.class).on(named("connect").and(isStatic())
                .and(takesArguments(1)).and(takesArgument(0, named("org.mariadb.jdbc.Configuration"))))))
        .type(named("org.h2.jdbc.JdbcConnection"))
        .transform((builder, type, loader, module, domain) -> builder
            .visit(Advice.to(H2ConnectionAdvice.class).on(isConstructor()
                .and(takesArguments(String.class, Properties.class, String.class, Object.class, boolean.class)))))
        .type(named("com.zaxxer.hikari.HikariDataSource"))
        .transform((builder, type, loader, module, domain) -> builder
            .visit(Advice.to(HikariDataSourceAdvice.class).on(isConstructor())))
        .makeRaw();
  }

  /**
   * An AgentBuilder whose construction injects nothing. Its default initialization strategy, made
   * by the constructor before {@code NoOp} replaces it, sets up Byte Buddy's Nexus: a class
   * injected into the system class loader through {@code sun.misc.Unsafe}, which Java 24 and later
   * warn about on stderr. Advice is inlined and needs no Nexus, so it is switched off by the
   * property Byte Buddy reads once, when the Nexus accessor initialises (the shaded copy's own
   * name, as relocated by the build), and the property is removed again at once.
   */
  static AgentBuilder withoutNexus(ByteBuddy byteBuddy) {
    String previous = System.setProperty(Nexus.PROPERTY, "true");
    try {
      return new AgentBuilder.Default(byteBuddy);
    } finally {
      if (previous == null) {
        System.clearProperty(Nexus.PROPERTY);
      } else {
        System.setProperty(Nexus.PROPERTY, previous);
      }
    }
  }

  /** Logs a class that could not be instrumented; the application carries on without it. */
  private static final class FailureListener extends AgentBuilder.Listener.Adapter {
    @Override
    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
      AgentLog.warn("cannot instrument " + typeName + ": " + error);
    }
  }
}
