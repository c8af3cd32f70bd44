/**
 * pier's CLI on a laptop: the SSH client, its keys and known hosts, and the git remote that names a server and an app.
 */
@NullMarked
package pier.remote;

import org.jspecify.annotations.NullMarked;
