/**
 * The one API every ecosystem serves (local, cluster, and later simulation):
 * {@link io.pachyderm.api.Entities} with call, send and query, the errors they report, and
 * {@link io.pachyderm.api.DeadLetters}, the store of at-least-once effects that ran out of attempts.
 */
package io.pachyderm.api;
