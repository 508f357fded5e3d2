#!/usr/bin/env bash
# Runs the load benchmark (io.pachyderm.bench.LoadBenchmark) and prints its table.
#
#   benchmarks/run.sh            # all scenarios, about 5 minutes on 2 cores
#   benchmarks/run.sh --quick    # about 1 minute
#   benchmarks/run.sh --help     # every flag (--threads, --calls, --scenarios a,c, --store heap,disk, ...)
#   benchmarks/run.sh timers     # durable timers: live vs came-due-while-down (about 20 s)
#   benchmarks/run.sh journal    # journal overhead: rows h-m, journal off vs on (about 3 minutes)
#   benchmarks/run.sh restart [EVENTS]   # restart time after EVENTS events (default 10,000,000)
#   benchmarks/run.sh restart-cluster [--runs N]   # kill -9 of a 3-node cluster and restart: time to the
#                                 # first ready leader and first acknowledged write (about 1 minute + 15 s a run)
#   benchmarks/run.sh restart-cluster --leader-kills N   # kill -9 of the leader alone, N times: time to the
#                                 # first acknowledged write after each kill (the failover figure)
#   benchmarks/run.sh state-memory [CALLS [STATE_BYTES]]   # heap, Raft log and snapshot after CALLS calls
#                                 # replacing one entity's STATE_BYTES state (default 500 x 100,000)
#   benchmarks/run.sh state-store [--quick] [--entities N] [--counts 10k,1M,10M] [--store heap,disk]
#                                 # entity state stores side by side (issue 14): N counters in -Xmx512m,
#                                 # latency while snapshots happen, snapshot time/size, restart, snapshot
#                                 # install; each run in a child JVM under a watchdog (--help for the rest)
#   benchmarks/run.sh metrics-plot [--seconds N] [--out PNG]   # a bounded load on 3 in-process nodes, /metrics
#                                 # scraped every second, the dashboard's series drawn to docs/metrics.png
#
# Arguments are passed through to the main class. Works from any directory. Builds first, at the
# repository root, when the benchmark's jar or classpath is missing or older than a pom.xml or a
# main source file: `mvn -q -B -o -Dmaven.test.skip=true package -pl benchmarks -am`, i.e. only the
# benchmark and the modules it depends on, without compiling test sources (-DskipTests would
# still compile them, and a test being edited in another module, e.g. chaos-tests, then stops the
# benchmark from running). `package`, not `install`: in the reactor the classpath then names this
# tree's module jars, and nothing is written to ~/.m2, which other checkouts share. See
# benchmarks/README.md for how to read the table.
# Environment: JAVA_HOME (else java on PATH), JAVA_OPTS (extra JVM flags).
set -euo pipefail

repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$repo/benchmarks/target"
jar="$target/pachyderm-benchmarks.jar"
classpath_file="$target/classpath.txt"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# JVM flags and the build: benchmarks/lib.sh.
source "$repo/benchmarks/lib.sh"

ensure_built run.sh

java_opts=()
if [[ -n "${JAVA_OPTS:-}" ]]; then
  read -r -a java_opts <<< "$JAVA_OPTS"
fi

# `run.sh timers [N [E]]` runs the durable-timer benchmark instead (N timers over E entities);
# `run.sh journal [FLAGS]` the load benchmark's journal rows; `run.sh restart [EVENTS [FLAGS]]`
# the restart benchmark (io.pachyderm.bench.JournalRestart, --help for its flags).
main_class=io.pachyderm.bench.LoadBenchmark
logback="$repo/config/logback.xml"
heap=-Xmx2g
case "${1:-}" in
  timers)
    shift
    main_class=io.pachyderm.bench.TimerBacklog
    logback="$repo/config/logback-test.xml"   # quiet: the table is the output
    ;;
  journal)
    shift
    set -- --scenarios h,i,j,k,l,m --jit-warmup-seconds-max 60 "$@"
    ;;
  restart-cluster)
    shift
    main_class=io.pachyderm.bench.ClusterRestart
    logback="$repo/config/logback-test.xml"   # the driver's own; the nodes get one the driver writes
    ;;
  metrics-plot)
    shift
    main_class=io.pachyderm.bench.MetricsPlot
    logback="$repo/config/logback-test.xml"   # quiet: the PNG and the counts are the output
    cd "$repo"                                # --out docs/metrics.png is relative to the repository
    ;;
  state-memory)
    shift
    main_class=io.pachyderm.bench.StateReplacingMemory
    logback="$repo/config/logback-test.xml"   # quiet: the figures are the output
    ;;
  state-store)
    # Issue 14's state store benchmark (io.pachyderm.bench.statestore): the driver only starts
    # child JVMs (each with its own -Xmx, these flags otherwise) and prints their figures.
    shift
    main_class=io.pachyderm.bench.statestore.StateStoreBenchmark
    logback="$repo/config/logback-test.xml"   # quiet: the tables are the output
    heap=-Xmx256m
    ;;
  restart)
    shift
    main_class=io.pachyderm.bench.JournalRestart
    logback="$repo/config/logback-test.xml"   # the node's own lines are captured in-process
    ;;
esac

echo "machine: $(nproc) cores, $("$java" -version 2>&1 | head -n 1)"
exec "$java" "${jvm_flags[@]}" "$heap" \
  "-Dlogback.configurationFile=$logback" \
  ${java_opts[@]+"${java_opts[@]}"} \
  -cp "$jar:$(<"$classpath_file")" \
  "$main_class" "$@"
