package pier.cli;

import java.util.List;
import pier.names.AppName;

/**
 * A command on one database service ({@link pier.access.Access.Scope#SERVICE}): the gate asks it, once parsed, which
 * service it names and which apps that service is linked to, since a developer of one of them may run it.
 */
public interface ServiceScoped {
    /** The service as the refusal names it ({@code postgres db}). */
    String serviceNamed();

    /** The apps the named service is linked to; none when it does not exist or its name is invalid. */
    List<AppName> linkedApps();
}
