/**
 * The load generator behind {@code benchmarks/run.sh}: each scenario starts a fresh in-process
 * three-node cluster (or the local single node) in a temporary directory, warms it up, runs a
 * fixed number of blocking calls from a fixed number of threads, and prints one table in which
 * every figure sits next to its baseline. Nothing here is a test and nothing asserts on time.
 */
package io.pachyderm.bench;
