/**
 * Databases as services: a kind is a template directory ({@code services/KIND/}: its properties and Dockerfile),
 * a service is one container of a kind with its data in a labelled volume, reached only by the apps it is linked to
 * (on their networks here, and on the overlay of those on the swarm), and a backup counts only once it has been restored and matched the live service.
 */
@NullMarked
package pier.services;

import org.jspecify.annotations.NullMarked;
