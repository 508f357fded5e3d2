#!/usr/bin/env bash
# Runs one chaos run (io.pachyderm.chaos.run.ChaosRun): a workload under a nemesis family, real
# node processes in network namespaces, the history checked at the end. Needs root.
#
#   chaos-tests/run.sh --workload append --nemesis partition --duration 10m
#   chaos-tests/run.sh --workload register --nemesis combined --duration 60s --nodes 5
#   chaos-tests/run.sh --workload bank --nemesis kill --duration 90s          # messages: money conserved
#   chaos-tests/run.sh --workload effects-alo --nemesis combined --duration 90s   # at-least-once effects
#   chaos-tests/run.sh --workload follow --nemesis combined --duration 60s   # followers, journals on every node
#   chaos-tests/run.sh --workload append --nemesis control --duration 15s   # must catch lost writes
#   chaos-tests/run.sh --workload register --nemesis storage --duration 90s  # a node's data disk filled
#   chaos-tests/run.sh --workload bank --nemesis combined --duration 8m --state-store disk  # RocksDB state
#   chaos-tests/run.sh --long --workloads bank --nemeses combined,partition   # 30 min each, one table (long.sh)
#   chaos-tests/run.sh --workload register --keys 5 --rate 100 --concurrency 4 --read-fraction 0.2 \
#       --schedule faults.txt --duration 90s               # your faults at your times, 5 fixed entities
#   chaos-tests/run.sh --help
#
# A schedule file (--schedule FILE) replaces the random nemesis: one fault per line, times counted
# from the start of the clients ('#' starts a comment):
#   at 10s isolate leader for 20s
#   at 40s kill random-node, restart after 10s
#   at 60s pause n2 for 5s
#   at 70s partition majorities-ring for 15s            # also: halves, bridge
#   at 80s cut-log-tail n3 keep 50%, restart after 5s   # kill -9, cut the newest Raft log segment
#   at 100s fill-disk n2 for 20s      # n2's own data filesystem filled, then freed (a run with it
#                                     # loop-mounts an ext4 image per node at its data dir)
# Targets: leader, random-node, n1..nN, all-nodes (not for isolate). A parse error names the line.
# --state-store heap|disk: where every node keeps entity states (default: the node's default,
# StateStoreKind.DEFAULT); the summary names it.
# Workload shape: --keys N (N fixed entities), --read-fraction F, --rate (ops/s bound), --concurrency.
# Each run writes <out>/<time>-<workload>-<nemesis>/ (default out: ./chaos-results): history.jsonl,
# verdicts.json, summary.txt, latency.png, nemesis.log, and each node's log, data and dispatch log.
# Exit 0 when the history is valid (for control: when the planted fault was caught), 1 otherwise.
# Workloads: register, counter, append, effects, effects-alo, bank, follow.
# Builds first (mvn -q -B -DskipTests -pl chaos-tests -am package at the repository root) when the
# jar or classpath is missing or older than a pom.xml or a main source file; package, not install,
# so that the classpath names this checkout's module jars and ~/.m2 (shared by every checkout on
# the machine) is left alone. Environment: JAVA_HOME, JAVA_OPTS.
set -euo pipefail

repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The long suite (every workload x nemesis for 30 minutes each, one summary table): long.sh.
if [[ "${1:-}" == "--long" ]]; then
  shift
  exec "$repo/chaos-tests/long.sh" "$@"
fi
target="$repo/chaos-tests/target"
jar="$target/chaos-tests-0.1.0-SNAPSHOT.jar"
classpath_file="$target/classpath.txt"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

build_is_stale() {
  [[ -f "$jar" && -f "$classpath_file" ]] || return 0
  local newer
  newer="$(find "$repo" \( -name .git -o -name target -o -path "$repo/chaos-results" \) -prune \
    -o \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$classpath_file" -print -quit)"
  [[ -z "$newer" ]] || return 0
  local entries entry
  IFS=: read -r -a entries < "$classpath_file"
  for entry in "${entries[@]}"; do
    [[ -e "$entry" ]] || return 0
  done
  return 1
}

if build_is_stale; then
  command -v mvn >/dev/null || { echo "run.sh: the chaos suite is not built and mvn is not on PATH" >&2; exit 1; }
  echo "run.sh: building $repo (mvn -q -B -DskipTests -pl chaos-tests -am package) ..." >&2
  # The sed drops the bare colour resets that Debian's Maven prints even in batch mode.
  if ! (cd "$repo" && mvn -q -B -DskipTests -pl chaos-tests -am package 2>&1 | sed $'s/\x1b\\[0m//g') >&2; then
    echo "run.sh: the build failed (output above)" >&2
    exit 1
  fi
  touch "$classpath_file"
fi

java_opts=()
if [[ -n "${JAVA_OPTS:-}" ]]; then
  read -r -a java_opts <<< "$JAVA_OPTS"
fi

# Which code ran goes into the run's summary: the commit, and "-dirty" for uncommitted changes.
build="unknown"
if command -v git >/dev/null && git -C "$repo" rev-parse --short HEAD >/dev/null 2>&1; then
  build="$(git -C "$repo" rev-parse --short HEAD)"
  git -C "$repo" diff --quiet HEAD -- . 2>/dev/null || build="$build-dirty"
fi

# The harness only runs clients and checkers; the node JVMs get the project's flags from the jar.
exec "$java" -Xmx1g \
  "-Dpachyderm.chaos.build=$build" \
  -Dlogback.configurationFile=io/pachyderm/chaos/run/logback-harness.xml \
  ${java_opts[@]+"${java_opts[@]}"} \
  -cp "$jar:$(<"$classpath_file")" \
  io.pachyderm.chaos.run.ChaosRun "$@"
