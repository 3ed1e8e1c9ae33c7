package dev.stowaway.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.stowaway.agent.bootstrap.PlaceholderHook;
import java.lang.instrument.Instrumentation;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Properties;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * Installs the advice: on {@code java.util.Properties} reads, {@code System.getenv}, and the JDBC
 * connect paths. JDK classes are already loaded, so they are retransformed, without changing
 * their shape.
 */
public final class Instrumenter {

  private static final Logger LOG = System.getLogger("dev.stowaway.agent");

  private Instrumenter() {}

  public static void install(Instrumentation inst) {
    new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
        .with(new FailureListener())
        // Narrow on purpose: the default ignores the bootstrap loader, but System and Properties live there.
        .ignore(nameStartsWith("net.bytebuddy.")
            .or(nameStartsWith("dev.stowaway.agent."))
            .or(isSynthetic()))
        .assureReadEdgeTo(inst, PlaceholderHook.class)
        .type(named("java.util.Properties"))
        .transform((builder, type, loader, module, domain) -> builder
            .visit(Advice.to(PropertiesGetPropertyAdvice.class)
                .on(named("getProperty").and(takesArguments(String.class))))
            .visit(Advice.to(PropertiesGetAdvice.class)
                .on(named("get").and(takesArguments(Object.class)))))
        .type(named("java.lang.System"))
        .transform((builder, type, loader, module, domain) -> builder
            .visit(Advice.to(GetenvAdvice.class)
                .on(named("getenv").and(isStatic()).and(takesArguments(String.class))))
            .visit(Advice.to(GetenvMapAdvice.class)
                .on(named("getenv").and(isStatic()).and(takesArguments(0)).and(returns(Map.class)))))
        // Not DriverManager: its "No suitable driver" message would then carry the resolved URL.
        .type(hasSuperType(named("java.sql.Driver")).and(not(isInterface())).and(not(isAbstract())))
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
        .installOn(inst);
  }

  /** Logs a class that could not be instrumented; the application carries on without it. */
  private static final class FailureListener extends AgentBuilder.Listener.Adapter {
    @Override
    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
      LOG.log(Level.WARNING, "stowaway-agent: cannot instrument " + typeName + ": " + error);
    }

    @Override
    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
        DynamicType dynamicType) {
      LOG.log(Level.DEBUG, "stowaway-agent: instrumented " + type.getName());
    }
  }
}
