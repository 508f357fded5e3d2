#!/usr/bin/env bash
# Instruction counts (issue 15): JMH benchmarks of the hot paths, then perf stat's instructions per
# committed command on the local node. Both are about CPU work, which is steadier on a shared
# machine than wall-clock rates; JMH's times still move with the load (say so when quoting them).
#
#   benchmarks/jmh.sh                  # JMH (short: 1 fork, 2 x 1 s warm-up, 3 x 1 s measured) and perf stat
#   benchmarks/jmh.sh --jmh-only       # only JMH
#   benchmarks/jmh.sh --perf-only      # only perf stat
#   benchmarks/jmh.sh --commands 40000 # perf stat's larger run (the smaller is half of it)
#   benchmarks/jmh.sh -- -f 2 -wi 5 -i 10 Codec    # anything after -- goes to JMH (options, a benchmark regex)
#
# JMH rows (benchmarks-jmh, io.pachyderm.bench.jmh):
#   CodecBenchmark.{encode,decode}{Command,Event}  the entity codec (default JSON) on the counter's Increment/Increased, ns/op
#   ReplicaBenchmark.decideOne      the leader's decide of one increment on the applied state, us/op
#   ReplicaBenchmark.decideEntry    decide of a batch of 32 (the entry a leader proposes), us/op
#   ReplicaBenchmark.encodeEntry    that entry's protobuf encoding (what Ratis carries), us/op
#   ReplicaBenchmark.parseEntry     its parsing (what every follower does), us/op
#   ReplicaBenchmark.applyEntry     a replica's apply of the entry, with the node's digest, us/op
# perf stat: io.pachyderm.bench.jmh.CommittedCommands commits N/2 and then N increments on a fresh
# local node (256 outstanding, 1,000 counters); (instructions(N) - instructions(N/2)) / (N/2) is
# the cost per committed command with the JVM's start, the node's open and most JIT work cancelled.
# Where the kernel refuses the hardware counter (virtual machines often do), it says so and skips it.
#
# Output: JMH's table on stdout and in benchmarks-jmh/target/jmh.txt; perf's in benchmarks-jmh/target/perf-*.txt.
# Cleanup: the node's temporary directories are deleted on exit, Ctrl-C or failure (trap).
set -euo pipefail

repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$repo/benchmarks-jmh/target"
jar="$target/pachyderm-benchmarks-jmh.jar"
classpath_file="$target/classpath.txt"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
source "$repo/benchmarks/lib.sh"

usage() {
  sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

do_jmh=1
do_perf=1
commands=40000
jmh_args=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --jmh-only) do_perf=0; shift ;;
    --perf-only) do_jmh=0; shift ;;
    --commands)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -ge 2 && "$2" -le 10000000 ]] \
        || { echo "jmh.sh: --commands needs a whole number 2..10000000" >&2; exit 2; }
      commands=$2; shift 2 ;;
    --) shift; jmh_args=("$@"); break ;;
    *) echo "jmh.sh: unknown argument '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done

ensure_built jmh.sh benchmarks-jmh
classpath="$jar:$(<"$classpath_file")"

run_dir="$(mktemp -d /tmp/pachyderm-jmh.XXXXXX)"
child=""
cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [[ -n "$child" ]]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  rm -rf "$run_dir"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# In the background and waited for, so that a signal reaches the trap at once (as in versus.sh).
run_child() {
  "$@" &
  child=$!
  local code=0
  wait "$child" || code=$?
  child=""
  return "$code"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$java" -version 2>&1 | head -n 1)"

if [[ $do_jmh -eq 1 ]]; then
  echo "jmh.sh: JMH ${jmh_args[*]} ..." >&2
  run_child "$java" "${jvm_flags[@]}" -cp "$classpath" org.openjdk.jmh.Main "${jmh_args[@]}" \
    -rff "$target/jmh.csv" -rf csv -o "$target/jmh.txt"
  # JMH's summary table: the lines from "Benchmark" to the end.
  sed -n '/^Benchmark /,$p' "$target/jmh.txt"
fi

# instructions COUNT: perf stat's instruction count of one CommittedCommands run, in REPLY.
instructions() {
  local n=$1 out="$target/perf-$1.txt"
  rm -rf "$run_dir/local-$n"
  run_child perf stat -x, -e instructions -o "$out" \
    "$java" "${jvm_flags[@]}" -Xmx1g -Dlogback.configurationFile="$repo/config/logback.xml" -cp "$classpath" \
    io.pachyderm.bench.jmh.CommittedCommands "$run_dir/local-$n" "$n" >&2
  REPLY="$(awk -F, '$3 ~ /^instructions/ { print $1 }' "$out")"
  [[ "$REPLY" =~ ^[0-9]+$ ]] || { echo "jmh.sh: perf stat gave no instruction count ($(grep instructions "$out"))" >&2; return 1; }
}

if [[ $do_perf -eq 1 ]]; then
  if ! command -v perf >/dev/null; then
    echo "perf stat: perf is not installed (Debian: linux-perf); no instruction counts"
  elif ! perf stat -x, -e instructions true 2>&1 >/dev/null | grep -q '^[0-9][0-9]*,'; then
    echo "perf stat: this kernel refuses the hardware instruction counter ('perf stat -e instructions true' says:" \
      "$(perf stat -x, -e instructions true 2>&1 >/dev/null | grep instructions | cut -d, -f1 | head -n 1))," \
      "as virtual machines often do; no instruction counts here"
  else
    half=$((commands / 2))
    instructions "$half"; small=$REPLY
    instructions "$commands"; large=$REPLY
    echo "perf stat: $small instructions for $half commands, $large for $commands"
    awk -v s="$small" -v l="$large" -v n="$((commands - half))" \
      'BEGIN { printf "perf stat: instructions per committed command (local node): %.0f\n", (l - s) / n }'
  fi
fi
