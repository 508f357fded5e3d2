#!/usr/bin/env bash
# Side by side (issue 15): the same state-dependent update, closed loop, same callers and payload,
# against a three-node Pachyderm cluster, raw Ratis, etcd, PostgreSQL and the local ecosystem, all
# started here on this machine in this run; one table at the end, with issue 15's targets checked.
#
#   benchmarks/versus.sh            # full run: warm-up until every JVM's JIT is quiet (at most 180 s), then
#                                 # up to 20 s / 200,000 calls per row (~20 min)
#   benchmarks/versus.sh --quick    # warm-up at most 90 s (180 s for the 3-JVM systems), then up to 5 s / 50,000 calls per row
#   benchmarks/versus.sh --systems pachyderm-cluster,etcd-txn    # only these (names below)
#   benchmarks/versus.sh --callers 64 --entities 1000 --payload-bytes 256 --seconds 30 --calls-max 500000
#   benchmarks/versus.sh --open-loop --quick   # throughput-latency curves instead (below)
#   benchmarks/versus.sh --workloads read,bank  # only these workloads (uniform, zipfian, hot, read, bank;
#                                 # default all; each system runs those it has: etcd-put only uniform)
#
# --open-loop: per system a closed loop of --callers first (its rate is the sweep's 100%, or give
# --max-rate N calls/s), then offered rates of --rates percents (default 25,50,75,100,125,150), each
# for --seconds (default 10, --quick 4), calls issued on schedule by async clients with at most
# --inflight-max outstanding, latency from each call's intended start (coordinated omission
# corrected); a sweep stops once the system achieves under half of a rate at or above its 100%.
# Systems default to pachyderm-cluster,raw-ratis,etcd-txn (postgres-occ has no async client).
# Output: one table per workload, curve.tsv and curve-WORKLOAD.png (p50 and p99 vs achieved rate).
#
# --failover: per system (default pachyderm-cluster,etcd-txn) --history updates first (default
# 10,000, --quick 2,000), then --trials (default 5, --quick 3) times: --callers writers, kill -9 of
# the leader's process, time to the first acknowledged write started after the kill and the
# unavailability window, then the killed member started again with its own command line and
# timed until it has caught up (restart time with that history); p50 and max per system, also in
# failover-SYSTEM.txt.
#
# --memory: memory per idle entity, no cluster: a local ecosystem per state-store kind (HEAP, DISK)
# in one JVM, --entities registers (default here 100,000, --quick 20,000) written once each, heap
# used after GC with them minus heap used after GC empty, over the count (io.pachyderm.bench.versus.IdleMemory).
#
# Systems, in this order, each started, measured and stopped before the next (so they never share
# the CPU with each other):
#   pachyderm-cluster  three node JVMs, each `io.pachyderm.cli.PachydermCli node` (bin/pachyderm's main)
#                      with the project's JVM flags, own data dir, loopback ports
#   raw-ratis          three RawRatisServer JVMs: the node's Ratis settings, a counter per key, no entity layer
#   etcd-txn, etcd-put a three-member etcd (Debian's etcd-server; installed with apt-get when missing)
#   postgres-occ       PostgreSQL (Debian's package) in a temporary cluster, fsync=on, synchronous_commit=on
#   pachyderm-local    LocalPachyderm inside the load generator (one process)
# The load generator (io.pachyderm.bench.versus.Versus) is one more JVM per system; its rows go to
# benchmarks/target/versus/rows-SYSTEM.tsv, the table to versus.tsv and the targets to targets.tsv.
#
# Cleanup: every process started here is stopped on exit, Ctrl-C or failure (trap), PostgreSQL with
# pg_ctl; the temporary directory (data and logs) is deleted. The logs of a system that failed are
# copied to benchmarks/target/versus/logs/ first. Everything listens on 127.0.0.1 only.
# Environment: JAVA_HOME (else java on PATH). Builds first when needed, as run.sh does.
set -euo pipefail

repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$repo/benchmarks/target"
jar="$target/pachyderm-benchmarks.jar"
classpath_file="$target/classpath.txt"
out="$target/versus"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# JVM flags and the build: benchmarks/lib.sh.
source "$repo/benchmarks/lib.sh"
node_heap=-Xmx512m
all_systems=(pachyderm-cluster raw-ratis etcd-txn etcd-put postgres-occ pachyderm-local)

usage() {
  sed -n '2,45p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

systems=("${all_systems[@]}")
loadgen_args=()
quick=0
memory_entities=""
mode=run
systems_given=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --quick) quick=1; loadgen_args+=(--quick); shift ;;
    --open-loop) mode=open; shift ;;
    --failover) mode=failover; shift ;;
    --memory) mode=memory; shift ;;
    --systems)
      [[ $# -ge 2 ]] || { echo "versus.sh: --systems needs a comma-separated list" >&2; exit 2; }
      IFS=, read -r -a systems <<< "$2"
      systems_given=1
      for s in "${systems[@]}"; do
        [[ " ${all_systems[*]} " == *" $s "* ]] || { echo "versus.sh: unknown system '$s' (use: ${all_systems[*]})" >&2; exit 2; }
      done
      shift 2 ;;
    --entities)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { echo "versus.sh: --entities needs a whole number" >&2; exit 2; }
      memory_entities=$2
      loadgen_args+=("$1" "$2"); shift 2 ;;
    --callers|--payload-bytes|--seconds|--calls-max|--warmup-seconds|--seed)
      [[ $# -ge 2 ]] || { echo "versus.sh: $1 needs a value" >&2; exit 2; }
      # Ranges are the load generator's to check; a non-number is caught here, before anything starts.
      [[ "$2" =~ ^[0-9]+$ ]] || { echo "versus.sh: $1 needs a whole number, was '$2'" >&2; exit 2; }
      loadgen_args+=("$1" "$2"); shift 2 ;;
    --max-rate|--inflight-max|--trials|--history)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { echo "versus.sh: $1 needs a whole number" >&2; exit 2; }
      loadgen_args+=("$1" "$2"); shift 2 ;;
    --workloads)
      [[ $# -ge 2 && "$2" =~ ^[a-z]+(,[a-z]+)*$ ]] || { echo "versus.sh: --workloads needs names like uniform,read,bank" >&2; exit 2; }
      loadgen_args+=("$1" "$2"); shift 2 ;;
    --rates)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "versus.sh: --rates needs percents like 25,50,100" >&2; exit 2; }
      loadgen_args+=("$1" "$2"); shift 2 ;;
    *) echo "versus.sh: unknown argument '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done

if [[ $mode == failover ]]; then
  [[ $systems_given -eq 1 ]] || systems=(pachyderm-cluster etcd-txn)
  for s in "${systems[@]}"; do
    [[ $s == pachyderm-cluster || $s == etcd-txn ]] \
      || { echo "versus.sh: --failover has pachyderm-cluster and etcd-txn only, not $s" >&2; exit 2; }
  done
fi
if [[ $mode == open ]]; then
  [[ $systems_given -eq 1 ]] || systems=(pachyderm-cluster raw-ratis etcd-txn)
  for s in "${systems[@]}"; do
    [[ $s != postgres-occ ]] || { echo "versus.sh: postgres-occ has no asynchronous client: no open loop for it" >&2; exit 2; }
  done
fi

wants() {
  [[ " ${systems[*]} " == *" $1 "* ]]
}


ensure_built versus.sh
classpath="$jar:$(<"$classpath_file")"

# ---- processes and cleanup ------------------------------------------------------------------

run_dir="$(mktemp -d /tmp/pachyderm-versus.XXXXXX)"
# PostgreSQL runs as an unprivileged user, which must reach its data dir inside this one.
chmod 755 "$run_dir"
mkdir -p "$run_dir/logs"
pids=()          # the processes of the system being measured
loadgen_pid=""   # set while a load generator runs
pg_data=""       # set while PostgreSQL runs
pg_user=""

as_pg() {
  if [[ -n "$pg_user" ]]; then
    runuser -u "$pg_user" -- "$@"
  else
    "$@"
  fi
}

stop_pids() {
  local pid i
  # The members a failover run started again (the load generator's children) are stopped too.
  if [[ -f "$run_dir/restarted.pids" ]]; then
    while read -r pid; do
      [[ "$pid" =~ ^[0-9]+$ ]] && pids+=("$pid")
    done < "$run_dir/restarted.pids"
    rm -f "$run_dir/restarted.pids"
  fi
  for pid in ${pids[@]+"${pids[@]}"}; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  # Bounded: 10 s for a clean close, then SIGKILL.
  for i in $(seq 1 100); do
    local alive=0
    for pid in ${pids[@]+"${pids[@]}"}; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for pid in ${pids[@]+"${pids[@]}"}; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}

stop_postgres() {
  if [[ -n "$pg_data" ]]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    pg_data=""
  fi
}

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [[ -n "$loadgen_pid" ]]; then
    pids+=("$loadgen_pid")
  fi
  stop_pids
  stop_postgres
  rm -rf "$run_dir"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nothing listens on, not handed out before in this run: REPLY.
handed_out=" "
free_port() {
  local p tries
  for tries in $(seq 1 500); do
    p=$(( 20000 + RANDOM % 40000 ))
    [[ "$handed_out" == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      handed_out+="$p "
      REPLY=$p
      return 0
    fi
  done
  echo "versus.sh: found no free port" >&2
  return 1
}

# The load generator logs to a file (kept with a failed system's logs): while a system elects its
# first leader, Ratis' client logs an ERROR with a stack trace for every request it retries.
cat > "$run_dir/logback-loadgen.xml" <<'XML'
<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>${versus.log}</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="FILE"/></root>
</configuration>
XML

# In the background and waited for: bash runs a trap only once its foreground child has ended, and
# `wait` returns at once on a signal, so SIGTERM or Ctrl-C stops a run mid-row (cleanup then stops it).
loadgen() {
  "$java" "${jvm_flags[@]}" -Xmx1g "-Dlogback.configurationFile=$run_dir/logback-loadgen.xml" \
    "-Dversus.log=$run_dir/logs/loadgen.log" \
    -cp "$classpath" io.pachyderm.bench.versus.Versus "$@" &
  loadgen_pid=$!
  local code=0
  wait "$loadgen_pid" || code=$?
  loadgen_pid=""
  return "$code"
}

measure() {   # measure SYSTEM [loadgen args...]
  local system=$1
  shift
  local extra=() list="" pid
  # The system's processes: the warm-up waits until their JIT compilers are quiet (the node JVMs';
  # etcd and PostgreSQL have none), and failover kills the leader's.
  for pid in ${pids[@]+"${pids[@]}"}; do
    list+="${list:+,}$pid"
  done
  [[ -n $list ]] && extra=(--pids "$list")
  if [[ $mode == failover ]]; then
    extra+=(--pid-file "$run_dir/restarted.pids")
  fi
  loadgen "$mode" --system "$system" --out "$out" ${loadgen_args[@]+"${loadgen_args[@]}"} ${extra[@]+"${extra[@]}"} "$@"
}

keep_logs() {   # keep_logs SYSTEM: a failed system's logs outlive the run directory
  echo "versus.sh: $1 failed; its logs are in $out/logs/$1" >&2
  mkdir -p "$out/logs/$1"
  cp -r "$run_dir/logs/." "$out/logs/$1/" 2>/dev/null || true
}

# ---- the systems ----------------------------------------------------------------------------

three_peers() {   # three_peers PREFIX: "p1=127.0.0.1:A,p2=...,p3=..." in REPLY
  local list="" i
  for i in 1 2 3; do
    free_port || return 1
    list+="${list:+,}$1$i=127.0.0.1:$REPLY"
  done
  REPLY=$list
}

run_pachyderm_cluster() {
  three_peers n || return 1
  local peers=$REPLY i
  for i in 1 2 3; do
    "$java" "${jvm_flags[@]}" "$node_heap" "-Dlogback.configurationFile=$repo/config/logback.xml" \
      -cp "$classpath" io.pachyderm.cli.PachydermCli node --id "n$i" --peers "$peers" \
      --data "$run_dir/pachyderm/n$i" > "$run_dir/logs/pachyderm-n$i.log" 2>&1 &
    pids+=($!)
  done
  measure pachyderm-cluster --endpoints "$peers"
}

run_raw_ratis() {
  three_peers r || return 1
  local peers=$REPLY i
  for i in 1 2 3; do
    "$java" "${jvm_flags[@]}" "$node_heap" "-Dlogback.configurationFile=$repo/config/logback.xml" \
      -cp "$classpath" io.pachyderm.bench.versus.RawRatisServer "r$i" "$peers" "$run_dir/raw-ratis/r$i" \
      > "$run_dir/logs/raw-ratis-r$i.log" 2>&1 &
    pids+=($!)
  done
  measure raw-ratis --endpoints "$peers"
}

ensure_etcd() {
  command -v etcd >/dev/null && return 0
  echo "versus.sh: etcd is missing; installing Debian's etcd-server and etcd-client (apt-get) ..." >&2
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y etcd-server etcd-client >"$run_dir/logs/apt-etcd.log" 2>&1 \
    || { "${sudo[@]}" apt-get update >/dev/null 2>&1 && "${sudo[@]}" apt-get install -y etcd-server etcd-client \
      >>"$run_dir/logs/apt-etcd.log" 2>&1; } || return 1
  # Debian's package enables a system service; on a machine with systemd it may have started one on
  # the default ports. Ours use other ports, so the two do not meet; it is left as the package set it up.
  command -v etcd >/dev/null
}

start_etcd() {   # sets REPLY to the client URLs
  ensure_etcd || return 1
  local cluster="" clients="" i client_ports=() peer_ports=()
  for i in 1 2 3; do
    free_port || return 1; client_ports+=("$REPLY")
    free_port || return 1; peer_ports+=("$REPLY")
    cluster+="${cluster:+,}e$i=http://127.0.0.1:${peer_ports[$((i - 1))]}"
    clients+="${clients:+,}http://127.0.0.1:${client_ports[$((i - 1))]}"
  done
  for i in 1 2 3; do
    # Durable as etcd ships: every commit fsynced (its WAL), no --unsafe-no-fsync.
    etcd --name "e$i" --data-dir "$run_dir/etcd/e$i" \
      --listen-client-urls "http://127.0.0.1:${client_ports[$((i - 1))]}" \
      --advertise-client-urls "http://127.0.0.1:${client_ports[$((i - 1))]}" \
      --listen-peer-urls "http://127.0.0.1:${peer_ports[$((i - 1))]}" \
      --initial-advertise-peer-urls "http://127.0.0.1:${peer_ports[$((i - 1))]}" \
      --initial-cluster "$cluster" --initial-cluster-token versus --initial-cluster-state new \
      > "$run_dir/logs/etcd-e$i.log" 2>&1 &
    pids+=($!)
  done
  REPLY=$clients
}

ensure_postgres() {
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [[ -z "$pg_bin" ]]; then
    echo "versus.sh: PostgreSQL is missing; installing Debian's postgresql (apt-get) ..." >&2
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get install -y postgresql >"$run_dir/logs/apt-postgresql.log" 2>&1 || return 1
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  # initdb refuses to run as root: then the cluster belongs to the package's unprivileged user.
  if [[ $(id -u) -eq 0 ]]; then
    pg_user=postgres
    id -u "$pg_user" >/dev/null 2>&1 || { echo "versus.sh: running as root and there is no user $pg_user" >&2; return 1; }
  fi
}

run_postgres() {
  ensure_postgres || return 1
  free_port || return 1
  local port=$REPLY dir="$run_dir/postgres"
  mkdir -p "$dir"
  [[ -z "$pg_user" ]] || chown "$pg_user" "$dir"
  as_pg "$pg_bin/initdb" -D "$dir/data" -U bench --auth=trust -E UTF8 > "$run_dir/logs/postgres-initdb.log" 2>&1 \
    || return 1
  pg_data="$dir/data"
  # Durable: fsync and synchronous_commit on (PostgreSQL's defaults, stated; the driver checks both).
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$dir/postgres.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 \
-c port=$port -c unix_socket_directories=$dir -c fsync=on -c synchronous_commit=on -c max_connections=300" start \
    > "$run_dir/logs/postgres-start.log" 2>&1 || { cp "$dir/postgres.log" "$run_dir/logs/" 2>/dev/null; return 1; }
  local code=0
  measure postgres-occ --endpoints "jdbc:postgresql://127.0.0.1:$port/postgres?user=bench" || code=$?
  cp "$dir/postgres.log" "$run_dir/logs/" 2>/dev/null || true
  stop_postgres
  return "$code"
}

# ---- the run --------------------------------------------------------------------------------

if [[ $mode == memory ]]; then
  echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$java" -version 2>&1 | head -n 1)"
  [[ -n "$memory_entities" ]] || { [[ $quick -eq 1 ]] && memory_entities=20000 || memory_entities=100000; }
  mkdir -p "$out"
  "$java" "${jvm_flags[@]}" -Xmx2g "-Dlogback.configurationFile=$run_dir/logback-loadgen.xml" \
    "-Dversus.log=$run_dir/logs/memory.log" -cp "$classpath" io.pachyderm.bench.versus.IdleMemory \
    "$run_dir/memory" "$memory_entities" > "$out/memory.txt" &
  # Not piped (a pipe's $! would be its last command, and the trap would stop that, not java).
  loadgen_pid=$!
  code=0
  wait "$loadgen_pid" || code=$?
  loadgen_pid=""
  cat "$out/memory.txt"
  [[ $code -eq 0 ]] || keep_logs memory
  echo "Figures from a shared or busy machine are indicative only; written to $out/memory.txt."
  exit "$code"
fi

mkdir -p "$out"
if [[ $mode == open ]]; then
  rm -f "$out"/curve-*.tsv "$out"/curve-*.png "$out/curve.tsv"
elif [[ $mode == failover ]]; then
  rm -f "$out"/failover-*.txt
else
  rm -f "$out"/rows-*.tsv "$out/versus.tsv" "$out/targets.tsv"
fi
rm -rf "$out/logs"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$java" -version 2>&1 | head -n 1)"
echo "versus.sh: systems ${systems[*]}; ${loadgen_args[*]:-defaults}; run directory $run_dir"

for system in "${systems[@]}"; do
  echo "versus.sh: $system ..." >&2
  rm -rf "$run_dir/logs" && mkdir -p "$run_dir/logs"
  code=0
  case "$system" in
    pachyderm-cluster) run_pachyderm_cluster || code=$? ;;
    raw-ratis) run_raw_ratis || code=$? ;;
    etcd-txn)
      { start_etcd && measure etcd-txn --endpoints "$REPLY"; } || code=$? ;;
    etcd-put)
      # Only the uniform row: a plain put has no state to depend on, so skew changes nothing in etcd.
      { start_etcd && measure etcd-put --endpoints "$REPLY" --workloads uniform; } || code=$? ;;
    postgres-occ) run_postgres || code=$? ;;
    pachyderm-local) measure pachyderm-local --data "$run_dir/local" || code=$? ;;
  esac
  [[ $code -eq 0 ]] || keep_logs "$system"
  stop_pids
  rm -rf "$run_dir/pachyderm" "$run_dir/raw-ratis" "$run_dir/etcd" "$run_dir/postgres" "$run_dir/local"
done

echo
if [[ $mode == failover ]]; then
  echo "===== side by side: failover (kill -9 of the leader), figures from this run ====="
  cat "$out"/failover-*.txt 2>/dev/null || echo "versus.sh: no failover figures (see the messages above)"
elif [[ $mode == open ]]; then
  echo "===== side by side: throughput-latency curves of a state-dependent update, open loop ====="
  loadgen curve --out "$out"
else
  echo "===== side by side: ops/s and latency per call, closed loop (the updates, then read and bank where run) ====="
  loadgen report --out "$out"
fi
echo "Rows and targets as TSV in $out/. Figures from a shared or busy machine are indicative only."
