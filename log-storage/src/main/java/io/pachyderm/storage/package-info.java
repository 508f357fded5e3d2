/**
 * Durable files the node owns besides the Raft log: snapshot files, written atomically (temp
 * file, fsync, rename) and verified with a CRC32C trailer on every read.
 */
package io.pachyderm.storage;
