/**
 * The one API every ecosystem serves (local, cluster, and later simulation):
 * {@link io.pachyderm.api.Entities} with call, send and query, and the errors they report.
 */
package io.pachyderm.api;
