/**
 * Client machinery, not a public API: the {@link io.pachyderm.client.internal.Connection} (Ratis
 * clients, request pool, natural batcher, request ids, retries), the operations in their wire form
 * ({@link io.pachyderm.client.internal.EncodedOperations}, which the CLI uses), history cursors,
 * and the one mapping of a node's refusals to typed exceptions
 * ({@link io.pachyderm.client.internal.ReadFailures}). Signatures here may hold protobuf and Ratis
 * types; those of {@code io.pachyderm.client} may not.
 */
package io.pachyderm.client.internal;
