/**
 * More than one host: this host manages a Docker swarm (with Nginx, pier's state and Docker's registry on it) and the
 * nodes pier adds over SSH as root join it as workers.
 */
@NullMarked
package pier.cluster;

import org.jspecify.annotations.NullMarked;
