#!/usr/bin/env bash
# Local/CI test services for Knowledge OS: an embedded Neo4j Community DBMS (Bolt on
# 127.0.0.1, built from test/neo4j with Maven) and the machine's PostgreSQL.
#
#   scripts/services.sh start     build launcher if needed, start Neo4j, ensure PostgreSQL, print env
#   scripts/services.sh stop      stop Neo4j (whole process group) and wait until it is gone
#   scripts/services.sh restart   stop + start
#   scripts/services.sh status    what runs; exit 0 if Neo4j and PostgreSQL are both up, else 1
#   scripts/services.sh env       print the export lines only (no side effects)
#   scripts/services.sh build     (re)build the launcher if stale
#
# `eval "$(scripts/services.sh start)"` sets the variables in the calling shell: stdout carries only
# `export ...` lines, all progress goes to stderr.
#
# Knobs (environment):
#   NEO4J_BOLT_PORT       Bolt port (default 7687)
#   NEO4J_PASSWORD        if set and non-empty: auth on, user neo4j / this password (default: auth off)
#   NEO4J_PAGECACHE       page cache size (default 256m; the store and its indexes outgrow 64m with
#                         one 500-file sync bench tenant, ~120 MB on disk)
#   NEO4J_HEAP            max JVM heap, -Xmx (default 1g; 256m OOMs on a 300k-row UNWIND parameter, and
#                         with 512m a 500-file sync spent ~12% of its time in 130 GC pauses, 11 of them full)
#   NEO4J_HEAP_INITIAL    initial JVM heap, -Xms (default 512m; the heap grows on demand)
#   NEO4J_JVM             'test' (default): SerialGC and C1 only, quick to start, for the test suites;
#                         'server': a Neo4j server's full JIT (C2) with the throughput collector, for `npm run bench`
#   NEO4J_JAVA_OPTS       extra JVM flags, appended last
#   NEO4J_START_TIMEOUT   seconds to wait for Bolt (default 120)
#   NEO4J_CLEAN=1         wipe .services/neo4j before starting (only when not already running)
#   KOS_SERVICES_DIR      state dir (default <repo>/.services, git-ignored)
#   JAVA_HOME / JAVA      JVM to run (Neo4j 5.26 supports Java 17 and 21; default: java on PATH)
#   SKIP_POSTGRES=1       do not touch PostgreSQL
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES_DIR="${KOS_SERVICES_DIR:-$ROOT/.services}"
LAUNCHER_DIR="$ROOT/test/neo4j"
NEO4J_HOME_DIR="$SERVICES_DIR/neo4j"
PID_FILE="$SERVICES_DIR/neo4j.pid"
LOG_FILE="$SERVICES_DIR/neo4j.log"
LOCK_FILE="$SERVICES_DIR/.services.lock"
BUILD_STAMP="$LAUNCHER_DIR/target/.build-stamp"
MAIN_CLASS="dev.knowledgeos.neo4j.Neo4jLauncher"

BOLT_HOST=127.0.0.1
BOLT_PORT="${NEO4J_BOLT_PORT:-7687}"
PG_HOST=127.0.0.1
PG_PORT=5432
START_TIMEOUT="${NEO4J_START_TIMEOUT:-120}"
HEAP="${NEO4J_HEAP:-1g}"
HEAP_INITIAL="${NEO4J_HEAP_INITIAL:-512m}"
PAGECACHE="${NEO4J_PAGECACHE:-256m}"

if [[ -n "${JAVA:-}" ]]; then :;
elif [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java";
else JAVA=java; fi

# 'test': small + quick to start. SerialGC and C1-only JIT measured ~1 s faster to READY and ~80 MB
# smaller RSS than G1 + C2 on this 2-core box, with equal or better times for short test runs.
# 'server': a Neo4j server's full tiered JIT and trusted final fields (its neo4j.conf), with
# ParallelGC: C1-only code wrote ~1.5-2x slower once warm, and neo4j.conf's G1 took ~50% more
# CPU than ParallelGC for the same 1,000-document write on this 2-core box (its concurrent
# threads compete with the writes), so throughput is measured with this (docs/benchmarks.md).
# The --add-opens are what the Neo4j server itself passes on Java 17. Without them Neo4j still
# works but falls back to slower paths and logs "Reflection access to java.nio.DirectByteBuffer
# is not available" and "Unable to advise ... Incorrect file descriptor" warnings.
case "${NEO4J_JVM:-test}" in
  test) JIT_GC=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1) ;;
  server) JIT_GC=(-XX:+UseParallelGC -XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields) ;;
  *) printf 'services: ERROR: NEO4J_JVM must be test or server, not %s\n' "$NEO4J_JVM" >&2; exit 2 ;;
esac
JVM_FLAGS=(
  "-Xms$HEAP_INITIAL" "-Xmx$HEAP"
  "${JIT_GC[@]}"
  -XX:-OmitStackTraceInFastThrow -XX:+ExitOnOutOfMemoryError
  -Djdk.nio.maxCachedBufferSize=1024
  -Dio.netty.tryReflectionSetAccessible=true
  -Dlog4j2.disable.jmx=true
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
)
# shellcheck disable=SC2206 # word splitting of user-supplied flags is intended
[[ -n "${NEO4J_JAVA_OPTS:-}" ]] && JVM_FLAGS+=(${NEO4J_JAVA_OPTS})

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- helpers

tcp_open() { # host port -> 0 if something accepts TCP connections there
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

port_owner() { # human-readable description of who listens on the port, if we can tell
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$1" 2>/dev/null | sed 's/^/    /' >&2 || true
  fi
}

# PID of our running launcher (from the pid file), or nothing. Cleans up stale pid files.
neo4j_pid() {
  [[ -f "$PID_FILE" ]] || return 0
  local pid args
  pid="$(tr -dc '0-9' < "$PID_FILE" || true)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    args="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    if [[ "$args" == *"$MAIN_CLASS"* && "$args" == *"$NEO4J_HOME_DIR"* ]]; then
      echo "$pid"
      return 0
    fi
  fi
  log "removing stale pid file $PID_FILE (pid ${pid:-?} is not our Neo4j)"
  rm -f "$PID_FILE"
}

print_env() {
  echo "export KNOWLEDGE_TEST_POSTGRES_URL=postgres://postgres@$PG_HOST:$PG_PORT/test"
  echo "export KNOWLEDGE_TEST_NEO4J_URL=bolt://$BOLT_HOST:$BOLT_PORT"
  if [[ -n "${NEO4J_PASSWORD:-}" ]]; then
    echo "export KNOWLEDGE_TEST_NEO4J_USER=neo4j"
    echo "export KNOWLEDGE_TEST_NEO4J_PASSWORD=$NEO4J_PASSWORD"
  fi
}

# ---------------------------------------------------------------- build

launcher_stale() {
  [[ -f "$BUILD_STAMP" ]] || return 0
  [[ -f "$LAUNCHER_DIR/target/classes/dev/knowledgeos/neo4j/Neo4jLauncher.class" ]] || return 0
  compgen -G "$LAUNCHER_DIR/target/lib/neo4j-kernel-*.jar" >/dev/null || return 0
  [[ -n "$(find "$LAUNCHER_DIR/pom.xml" "$LAUNCHER_DIR/src" -newer "$BUILD_STAMP" -print -quit)" ]]
}

build_launcher() {
  if ! launcher_stale; then return 0; fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (Debian: apt-get install -y maven)"
  log "building Neo4j launcher (mvn package; first run downloads ~170 MB into ~/.m2)..."
  local t0=$SECONDS
  # Stale jars of an older Neo4j version would end up on the classpath: start lib/ afresh.
  rm -rf "$LAUNCHER_DIR/target/lib"
  # (Debian's Maven 3.8 prints stray ANSI resets even with -q -B: strip them.)
  if ! mvn -q -B -f "$LAUNCHER_DIR/pom.xml" package -DskipTests 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' >&2; then
    die "Maven build of test/neo4j failed"
  fi
  touch "$BUILD_STAMP"
  log "launcher built in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------- postgres

ensure_postgres() {
  [[ "${SKIP_POSTGRES:-}" == 1 ]] && return 0
  if pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then return 0; fi
  command -v pg_ctlcluster >/dev/null 2>&1 || die "PostgreSQL is not up on $PG_HOST:$PG_PORT and pg_ctlcluster is missing"
  local ver
  ver="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
  [[ -n "$ver" ]] || die "PostgreSQL is not up and /etc/postgresql has no cluster"
  log "starting PostgreSQL $ver/main"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start >&2 || true
  local i
  for ((i = 0; i < 30; i++)); do
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && return 0
    sleep 1
  done
  die "PostgreSQL did not come up on $PG_HOST:$PG_PORT"
}

# ---------------------------------------------------------------- neo4j

start_neo4j() {
  local pid
  pid="$(neo4j_pid)"
  if [[ -n "$pid" ]]; then
    if tcp_open "$BOLT_HOST" "$BOLT_PORT"; then
      log "Neo4j already running (pid $pid, bolt://$BOLT_HOST:$BOLT_PORT)"
      return 0
    fi
    # Running but not (yet) accepting: e.g. a concurrent start still booting. Wait for it.
    log "Neo4j pid $pid is running but bolt://$BOLT_HOST:$BOLT_PORT is not accepting yet; waiting"
    wait_ready "$pid" "$SECONDS"
    return
  fi

  if tcp_open "$BOLT_HOST" "$BOLT_PORT"; then
    log "port $BOLT_HOST:$BOLT_PORT is already in use by something that is not this checkout's Neo4j:"
    port_owner "$BOLT_PORT"
    die "cannot start Neo4j on port $BOLT_PORT (stop that process, or set NEO4J_BOLT_PORT)"
  fi

  build_launcher

  if [[ "${NEO4J_CLEAN:-}" == 1 ]]; then
    log "NEO4J_CLEAN=1: wiping $NEO4J_HOME_DIR"
    rm -rf "$NEO4J_HOME_DIR"
  fi
  mkdir -p "$NEO4J_HOME_DIR"
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"

  local args=(--data-dir "$NEO4J_HOME_DIR" --host "$BOLT_HOST" --port "$BOLT_PORT"
              --pagecache "$PAGECACHE" --pid-file "$PID_FILE" --ready-timeout "$START_TIMEOUT")
  if [[ -n "${NEO4J_PASSWORD:-}" ]]; then args+=(--password "$NEO4J_PASSWORD"); else args+=(--no-auth); fi

  log "starting Neo4j on bolt://$BOLT_HOST:$BOLT_PORT (data $NEO4J_HOME_DIR, log $LOG_FILE)"
  local t0=$SECONDS
  # setsid: own session + process group (pgid == java's pid), detached from our terminal and
  # from the caller's process group, so `stop` can kill exactly this group.
  # In a non-interactive script a background job is never a group leader, so setsid does not
  # fork and $! is java's pid.
  (
    cd "$LAUNCHER_DIR"
    exec 9>&- # do not let Neo4j inherit (and hold) the services lock
    exec setsid "$JAVA" "${JVM_FLAGS[@]}" -cp "target/classes:target/lib/*" "$MAIN_CLASS" "${args[@]}"
  ) </dev/null >"$LOG_FILE" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"
  wait_ready "$pid" "$t0"
}

wait_ready() { # pid t0
  local pid=$1 t0=$2
  while ((SECONDS - t0 < START_TIMEOUT)); do
    if grep -q '^NEO4J_READY ' "$LOG_FILE" 2>/dev/null && tcp_open "$BOLT_HOST" "$BOLT_PORT"; then
      log "Neo4j ready in $((SECONDS - t0)) s (pid $pid)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log "Neo4j exited during startup; last log lines:"
      tail -n 30 "$LOG_FILE" >&2 || true
      if grep -q 'already in use' "$LOG_FILE" 2>/dev/null; then port_owner "$BOLT_PORT"; fi
      die "Neo4j failed to start (full log: $LOG_FILE, $NEO4J_HOME_DIR/logs/debug.log)"
    fi
    sleep 0.5
  done
  log "Neo4j not ready after ${START_TIMEOUT} s; last log lines:"
  tail -n 30 "$LOG_FILE" >&2 || true
  stop_neo4j
  die "Neo4j start timed out"
}

stop_neo4j() {
  local pid i
  pid="$(neo4j_pid)"
  if [[ -z "$pid" ]]; then
    log "Neo4j not running"
    return 0
  fi
  log "stopping Neo4j (process group $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do # 30 s for a clean shutdown (normally < 1 s)
    if ! kill -0 -- "-$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log "Neo4j stopped"
      return 0
    fi
    sleep 0.1
  done
  log "Neo4j did not stop within 30 s; sending SIGKILL to process group $pid"
  kill -KILL -- "-$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 0.1
  done
  rm -f "$PID_FILE"
  kill -0 -- "-$pid" 2>/dev/null && die "process group $pid still alive after SIGKILL"
  log "Neo4j killed"
}

status() {
  local rc=0 pid
  pid="$(neo4j_pid)"
  if [[ -n "$pid" ]] && tcp_open "$BOLT_HOST" "$BOLT_PORT"; then
    local rss
    rss="$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ')"
    echo "neo4j:      running, pid $pid, bolt://$BOLT_HOST:$BOLT_PORT, RSS $((${rss:-0} / 1024)) MiB, data $NEO4J_HOME_DIR"
  elif [[ -n "$pid" ]]; then
    echo "neo4j:      starting (pid $pid), bolt://$BOLT_HOST:$BOLT_PORT not accepting yet"; rc=1
  elif tcp_open "$BOLT_HOST" "$BOLT_PORT"; then
    echo "neo4j:      not ours, but something listens on $BOLT_HOST:$BOLT_PORT:"; port_owner "$BOLT_PORT" 2>&1; rc=1
  else
    echo "neo4j:      stopped"; rc=1
  fi
  if pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then
    echo "postgresql: running, $PG_HOST:$PG_PORT"
  else
    echo "postgresql: not accepting connections on $PG_HOST:$PG_PORT"; rc=1
  fi
  return $rc
}

with_lock() {
  mkdir -p "$SERVICES_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 300 9 || die "could not get $LOCK_FILE within 300 s"
  "$@"
}

# ---------------------------------------------------------------- main

cmd="${1:-}"
case "$cmd" in
  start)   with_lock start_neo4j; ensure_postgres; print_env ;;
  stop)    with_lock stop_neo4j ;;
  restart) with_lock stop_neo4j; with_lock start_neo4j; ensure_postgres; print_env ;;
  status)  status ;;
  env)     print_env ;;
  build)   with_lock build_launcher ;;
  *)       echo "usage: $0 start|stop|restart|status|env|build" >&2; exit 2 ;;
esac
