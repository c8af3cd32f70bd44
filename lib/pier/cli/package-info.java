/**
 * Picocli's side: the command-line contract, the gate that checks a key before a command runs, the forced SSH command
 * and where a command line runs. The scripts in {@code scripts/} share this package.
 */
@NullMarked
package pier.cli;

import org.jspecify.annotations.NullMarked;
