/**
 * What an app is and holds: the app directory and its routing names, volumes, the Procfile and checks a release
 * declares, its scale and its releases.
 */
@NullMarked
package pier.apps;

import org.jspecify.annotations.NullMarked;
