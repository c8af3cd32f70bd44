/**
 * The installer: steps that make a Debian or Ubuntu host ready (packages, user, files, services), as a plan that can
 * check, apply and uninstall, and the launcher it writes.
 */
@NullMarked
package pier.install;

import org.jspecify.annotations.NullMarked;
