/** Client machinery: request ids and the natural batcher. Not a public API. */
package io.pachyderm.client.internal;
