#!/usr/bin/env bash
# A Spark standalone cluster (one Master, one Worker) on 127.0.0.1, from the Spark jars Maven fetched for
# the build, and spark-submit of the shaded jar. No Spark download needed. Used by the README's recipe and
# by StandaloneClusterIT, so both do exactly the same thing.
#
#   tools/standalone-cluster.sh start DIR          starts Master and Worker (state, logs and pids in DIR),
#                                                  waits until the Worker has registered, prints the master URL
#   tools/standalone-cluster.sh submit [SPARK-SUBMIT OPTIONS] -- DEPTHSCOPE ARGS
#                                                  e.g. submit --master spark://127.0.0.1:PORT -- study CONF --out DIR
#   tools/standalone-cluster.sh stop DIR           stops the Worker (and its executors) and the Master
#
# Environment: WORKER_CORES (2), WORKER_MEMORY (4g); CLUSTER_OWNER_PID: stop the cluster when this process
# ends (so a test that dies does not leave daemons behind).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR="$ROOT/jobs/target/depthscope.jar"
SPARK_CP="$ROOT/jobs/target/spark-classpath.txt"

die() { echo "standalone-cluster: $*" >&2; exit 2; }

[ -f "$JAR" ] && [ -f "$SPARK_CP" ] || die "jobs/target/depthscope.jar or spark-classpath.txt is missing; run: mvn -B -DskipTests package"

# A SPARK_HOME holding only Spark's jars: the project's own jars there would be loaded parent-first by
# executors, whose class loader would then not see ND4J inside the application jar.
# Built under a lock: a cluster's start and a study's submit often run side by side, and one building it
# while the other's launcher reads it made that launcher fail (ClassNotFoundException: launcher.Main).
spark_home() {
  local home="$ROOT/jobs/target/spark-home"
  exec 9>"$ROOT/jobs/target/.spark-home.lock"
  flock 9
  if [ ! -d "$home/jars" ] || [ "$SPARK_CP" -nt "$home/jars" ]; then
    local tmp
    tmp=$(mktemp -d "$ROOT/jobs/target/.spark-home.XXXXXX")
    mkdir "$tmp/jars"
    # (the file ends without a newline: read's failure on the last entry must not drop it)
    tr ':' '\n' <"$SPARK_CP" | while IFS= read -r j || [ -n "$j" ]; do [ -z "$j" ] || ln -s "$j" "$tmp/jars/"; done
    [ "$(ls "$tmp/jars" | wc -l)" -eq "$(tr ':' '\n' <"$SPARK_CP" | grep -c .)" ] || die "could not link every jar of $SPARK_CP into $tmp/jars"
    rm -rf "$home" && mv -T "$tmp" "$home"
  fi
  flock -u 9
  echo "$home"
}
export SPARK_HOME; SPARK_HOME=$(spark_home)
# Without it, Spark's launcher looks for a source tree's build directories to find the Scala version.
export SPARK_SCALA_VERSION=2.13
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# Huge pages for the workers' and executors' malloc, as bin/depthscope sets them (see there).
case "${GLIBC_TUNABLES:-}" in
  *glibc.malloc.hugetlb=*) ;;
  "") export GLIBC_TUNABLES=glibc.malloc.hugetlb=1 ;;
  *) export GLIBC_TUNABLES="$GLIBC_TUNABLES:glibc.malloc.hugetlb=1" ;;
esac

# What Spark's bin/spark-class does: Spark's launcher builds the java command line (class path, memory,
# Java 17 module flags), printed after a NUL and a newline as NUL-separated arguments.
CMD=()
launch_command() {
  local out arg first=true seen=false
  out=$(mktemp)
  java -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main "$@" >"$out" \
    || { rm -f "$out"; die "Spark's launcher failed for: $* (SPARK_HOME=$SPARK_HOME: $(ls "$SPARK_HOME/jars" 2>&1 | wc -l) jars, launcher: $(ls "$SPARK_HOME/jars" 2>&1 | grep spark-launcher || echo missing))"; }
  CMD=()
  while IFS= read -r -d '' arg; do
    if ! $seen; then seen=true; continue; fi
    if $first; then arg=${arg#$'\n'}; first=false; fi
    CMD+=("$arg")
  done <"$out"
  rm -f "$out"
  [ ${#CMD[@]} -gt 0 ] || die "Spark's launcher printed no command for: $*"
}

# Waits up to 90 s for a line matching $2 in log $1, printing the first match; the daemon of pid $3 must live.
await_log() {
  local log=$1 pattern=$2 pid=$3 i line
  for ((i = 0; i < 900; i++)); do
    line=$(grep -m 1 -E "$pattern" "$log" 2>/dev/null || true)
    if [ -n "$line" ]; then echo "$line"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; return 1; }
    sleep 0.1
  done
  tail -n 30 "$log" >&2
  return 1
}

stop() {
  local dir=$1 name pid i
  for name in worker master; do
    [ -f "$dir/$name.pid" ] || continue
    pid=$(cat "$dir/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$name.pid"
  done
}

start() {
  local dir=$1 url line
  mkdir -p "$dir/work"
  dir=$(cd "$dir" && pwd)
  [ ! -f "$dir/master.pid" ] || ! kill -0 "$(cat "$dir/master.pid")" 2>/dev/null || die "a cluster is already running in $dir (stop it first)"
  # Port 0 everywhere: the OS picks free ports, so clusters started side by side never collide.
  # Its REST submission server would take the fixed port 6066; spark-submit talks to the Master directly.
  SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false ${SPARK_MASTER_OPTS:-}" \
    launch_command org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0
  nohup "${CMD[@]}" </dev/null >"$dir/master.log" 2>&1 &
  echo $! >"$dir/master.pid"
  line=$(await_log "$dir/master.log" 'Starting Spark master at spark://' "$(cat "$dir/master.pid")") \
    || { stop "$dir"; die "the Master did not start (log: $dir/master.log)"; }
  url=$(sed -E 's/.*(spark:\/\/[^ ]+).*/\1/' <<<"$line")
  launch_command org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 \
    --cores "${WORKER_CORES:-2}" --memory "${WORKER_MEMORY:-4g}" --work-dir "$dir/work" "$url"
  nohup "${CMD[@]}" </dev/null >"$dir/worker.log" 2>&1 &
  echo $! >"$dir/worker.pid"
  await_log "$dir/worker.log" 'Successfully registered with master' "$(cat "$dir/worker.pid")" >/dev/null \
    || { stop "$dir"; die "the Worker did not register with $url (log: $dir/worker.log)"; }
  echo "$url" >"$dir/master-url"
  if [ -n "${CLUSTER_OWNER_PID:-}" ]; then
    (while kill -0 "$CLUSTER_OWNER_PID" 2>/dev/null && [ -f "$dir/master.pid" ]; do sleep 2; done; stop "$dir") \
      </dev/null >/dev/null 2>&1 &
  fi
  echo "$url"
}

submit() {
  local opts=() seen=false
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then seen=true; shift; break; fi
    opts+=("$1"); shift
  done
  $seen || die "submit: expected '--' between spark-submit options and depthscope's arguments, e.g. submit --master spark://127.0.0.1:7077 -- study CONF"
  launch_command org.apache.spark.deploy.SparkSubmit --driver-java-options "-Dlog4j2.configurationFile=$ROOT/conf/log4j2.properties" \
    "${opts[@]}" --class io.depthscope.jobs.cli.Main "$JAR" "$@"
  exec "${CMD[@]}"
}

case "${1:-}" in
  start) [ $# -eq 2 ] || die "usage: start DIR"; start "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: stop DIR"; stop "$2" ;;
  submit) shift; submit "$@" ;;
  *) die "command: '${1:-}'; allowed: start DIR, submit [SPARK-SUBMIT OPTIONS] -- ARGS, stop DIR" ;;
esac
