/**
 * What every layer shares to talk to a user: the one exception, progress lines, how input is echoed back, shell-free word
 * splitting and the terminal. It depends on nothing else in pier.
 */
@NullMarked
package pier.base;

import org.jspecify.annotations.NullMarked;
