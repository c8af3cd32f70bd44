/**
 * The validated names: each type is the one rule for every place its value reaches (a directory, a Docker label, an
 * Nginx server_name, a file). They depend on nothing in pier but {@code pier.base}.
 */
@NullMarked
package pier.names;

import org.jspecify.annotations.NullMarked;
