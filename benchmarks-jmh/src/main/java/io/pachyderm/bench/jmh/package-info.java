/**
 * JMH benchmarks of the hot paths (issue 15, "instruction counts"): the entity codec, decide, the
 * log entry's encoding and parsing, and a replica's apply of a batch; and the program that
 * {@code perf stat} counts instructions per committed command around. Run by
 * {@code benchmarks/jmh.sh}, never by {@code mvn verify} (it only compiles them and tests the
 * fixture they share).
 */
package io.pachyderm.bench.jmh;
