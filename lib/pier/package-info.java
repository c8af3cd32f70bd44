/**
 * pier's library, which is also its scripting API. Every type here is non-null unless marked {@code @Nullable},
 * so Kotlin sees {@code String}, not {@code String!}, and a script cannot pass null where pier has no use for it.
 */
//DEPS org.jspecify:jspecify:1.0.1
@NullMarked
package pier;

import org.jspecify.annotations.NullMarked;
