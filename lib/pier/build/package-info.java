/**
 * What a push carries and how it becomes an image: the checkout, the files pier reads from it, the submodule and
 * image policies, and the buildpacks.
 */
@NullMarked
package pier.build;

import org.jspecify.annotations.NullMarked;
