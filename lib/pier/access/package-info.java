/**
 * Who may do what: keys and their grants, the role table and the audit log of what was done and by whom.
 */
@NullMarked
package pier.access;

import org.jspecify.annotations.NullMarked;
