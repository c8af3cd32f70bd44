/**
 * The path to a live release: receive, build, launch, check, switch and retire, and the process commands that reuse it.
 */
@NullMarked
package pier.deploy;

import org.jspecify.annotations.NullMarked;
