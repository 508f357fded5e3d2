/**
 * The embeddable client of a Pachyderm cluster: {@link io.pachyderm.client.PachydermClient}
 * serves {@link io.pachyderm.api.Entities} over Ratis, follows the leader, retries with the same
 * request id, and coalesces concurrent commands into one log entry.
 */
package io.pachyderm.client;
