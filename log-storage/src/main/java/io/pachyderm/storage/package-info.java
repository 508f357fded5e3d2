/**
 * Durable files the node owns besides the Raft log: snapshot files, written atomically (temp
 * file, fsync, rename) and verified with a CRC32C trailer on every read. The event journal is in
 * {@link io.pachyderm.storage.journal}.
 */
package io.pachyderm.storage;
