/**
 * The programs pier drives on the host: the Docker engine (docker-java types never leave this package), Nginx, host
 * commands and the Freemarker templates every written file comes from.
 */
@NullMarked
package pier.engine;

import org.jspecify.annotations.NullMarked;
