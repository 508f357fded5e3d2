# Sourced by benchmarks/run.sh and benchmarks/versus.sh (not run on its own): the JVM flags every
# benchmark JVM carries, and the build of the benchmark jar when it is missing or stale.
# Expects: repo (the repository root), jar, classpath_file.

# Copied from the parent pom's <pachyderm.jvm.flags> property, the one place they are defined
# (Chronicle Queue needs them on Java 17+); bin/pachyderm carries the same copy. Keep them equal.
jvm_flags=(
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  -Dchronicle.analytics.disable=true
  -XX:+ExitOnOutOfMemoryError
)

build_is_stale() {
  [[ -f "$jar" && -f "$classpath_file" ]] || return 0
  local newer
  newer="$(find "$repo" \( -name .git -o -name target -o -path "$repo/.pachyderm" -o -path "$repo/data" \) -prune \
    -o \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$classpath_file" -print -quit)"
  [[ -z "$newer" ]] || return 0
  # A jar gone from the classpath (mvn clean, a wiped ~/.m2) needs a build too.
  local entries entry
  IFS=: read -r -a entries < "$classpath_file"
  for entry in "${entries[@]}"; do
    [[ -e "$entry" ]] || return 0
  done
  return 1
}

# ensure_built NAME [MODULE]: builds MODULE (default benchmarks) and the modules it needs when
# stale; NAME prefixes messages.
ensure_built() {
  local name="$1" module="${2:-benchmarks}"
  build_is_stale || return 0
  command -v mvn >/dev/null || { echo "$name: the benchmark is not built and mvn is not on PATH" >&2; exit 1; }
  echo "$name: building $repo (mvn -q -B -o -Dmaven.test.skip=true package -pl $module -am) ..." >&2
  # The sed drops the bare colour resets that Debian's Maven prints even in batch mode.
  if ! (cd "$repo" && mvn -q -B -o -Dmaven.test.skip=true package -pl "$module" -am 2>&1 \
      | sed $'s/\x1b\\[0m//g') >&2; then
    echo "$name: the build failed (output above)" >&2
    exit 1
  fi
  # The dependency plugin leaves classpath.txt untouched when its content is unchanged; its time
  # is what marks the build as fresh.
  touch "$classpath_file"
}
