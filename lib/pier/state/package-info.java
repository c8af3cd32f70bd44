/**
 * What pier keeps on disk under its home: atomic files, locks, settings, config and the resource limits. Nothing here
 * talks to Docker or Nginx.
 */
@NullMarked
package pier.state;

import org.jspecify.annotations.NullMarked;
