#!/usr/bin/env bash
# The long chaos suite (issue 16): every workload under each nemesis family for a long time, one
# run after another, then one table of what each run did and found. The five-minute runs of CI do
# not find timing-dependent bugs that a 30-minute run does; this is what finds them. Needs root.
#
#   chaos-tests/long.sh                                   # 7 workloads x {combined, partition} x 30m (7 hours)
#   chaos-tests/long.sh --workloads bank,append --nemeses combined --duration 30m
#   chaos-tests/long.sh --workloads bank --seeds 5639022328829,1,2,3   # one run per seed
#   chaos-tests/run.sh --long ...                         # the same
#
# Options: --workloads a,b,...  (default: register,counter,append,effects,effects-alo,bank,follow)
#          --nemeses a,b,...    (default: combined,partition; partition includes majorities-ring)
#          --duration D         (default 30m; each run)
#          --seeds s1,s2,...    (default: one run per workload and nemesis with a random seed, printed)
#          --out DIR            (default chaos-results; each run's directory goes under it)
# Anything after -- goes to every run (e.g. -- --concurrency 20).
# Writes <out>/long-<time>.txt (the table) and exits 1 when any run is INVALID.
set -euo pipefail

repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workloads="register,counter,append,effects,effects-alo,bank,follow"
nemeses="combined,partition"
duration="30m"
seeds=""
out="chaos-results"
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workloads) workloads="$2"; shift 2 ;;
    --nemeses) nemeses="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "long.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

IFS=, read -r -a workload_list <<< "$workloads"
IFS=, read -r -a nemesis_list <<< "$nemeses"
seed_list=("")
if [[ -n "$seeds" ]]; then
  IFS=, read -r -a seed_list <<< "$seeds"
fi
mkdir -p "$out"
table="$out/long-$(date +%Y%m%d-%H%M%S).txt"
rows=()
failed=0

# One row from a run's summary.txt: the counts the issue asks for, and the verdict.
row() {
  local summary="$1" seed ops ok faults anomalies result
  seed="$(awk '$1 == "seed" {print $2}' "$summary")"
  ops="$(awk '$1 == "ops" && $2 == "invoked" {print $3}' "$summary")"
  ok="$(awk '$1 == "all" {print $2; exit}' "$summary")"
  faults="$(awk '$1 == "faults" && $2 == "injected" {print $3}' "$summary")"
  anomalies="$(awk '/^Anomalies by kind/ {on = 1; next} on && NF == 0 {on = 0} on && NF == 2 {n += $2} END {print n + 0}' "$summary")"
  result="$(awk '/^Result:/ {print $2}' "$summary")"
  printf '%-12s %-10s %8s %-16s %9s %9s %7s %10s  %s\n' "$2" "$3" "$duration" "${seed:--}" "${ops:--}" "${ok:--}" \
    "${faults:--}" "${anomalies:--}" "${result:-NO-SUMMARY}"
}

header="$(printf '%-12s %-10s %8s %-16s %9s %9s %7s %10s  %s' workload nemesis duration seed ops ok faults anomalies result)"
for seed in "${seed_list[@]}"; do
  for w in "${workload_list[@]}"; do
    for n in "${nemesis_list[@]}"; do
      args=(--workload "$w" --nemesis "$n" --duration "$duration" --out "$out" --progress 60s)
      [[ -n "$seed" ]] && args+=(--seed "$seed")
      echo "long.sh: $(date +%H:%M:%S) $w x $n for $duration${seed:+, seed $seed}" >&2
      log="$(mktemp)"
      set +e
      "$repo/chaos-tests/run.sh" "${args[@]}" ${extra[@]+"${extra[@]}"} 2>&1 | tee "$log" >&2
      status=${PIPESTATUS[0]}
      set -e
      dir="$(sed -n 's/^chaos: .* -> \(.*\)$/\1/p' "$log" | head -1)"
      rm -f "$log"
      if [[ -n "$dir" && -f "$dir/summary.txt" ]]; then
        rows+=("$(row "$dir/summary.txt" "$w" "$n")")
      else
        rows+=("$(printf '%-12s %-10s %8s %-16s %9s %9s %7s %10s  %s' "$w" "$n" "$duration" "${seed:--}" - - - - "NO-SUMMARY (exit $status)")")
      fi
      [[ $status -eq 0 ]] || failed=1
      { echo "$header"; printf '%s\n' "${rows[@]}"; } > "$table"
    done
  done
done

echo
echo "Long chaos suite ($table)"
cat "$table"
exit $failed
