package pier.access;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Who may run a command and what its event shows, declared on the command's class where the command is defined:
 * {@code @Rule(scope = APP, changes = true, shown = KEYS_ONLY)}. {@link Access} decides with it; a command without
 * one is server-wide and logged (see {@link Access#UNDECLARED}), and a test fails until someone declares it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Rule {
    /** Where the command reaches: one app (named by its APP argument), the whole server, or nothing (help). */
    Access.Scope scope();

    /** Whether it changes something, and so is logged as an event (and a refused attempt too, whatever this says). */
    boolean changes();

    /** What of its words an event may show. */
    Access.Shown shown() default Access.Shown.ALL;
}
