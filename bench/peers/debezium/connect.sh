#!/usr/bin/env bash
# The Debezium peer of the benchmark suite (issue 9): Kafka Connect standalone + Debezium's MySQL connector,
# both the published artifacts from Maven Central (pom.xml here), run on loopback against the test services.
#
#   connect.sh fetch            fetch the jars once into ${SLUICE_CACHE:-~/.cache/sluice}/debezium-3.6.1/libs
#   connect.sh start RUN_DIR    render worker + connector properties into RUN_DIR, start the worker in the
#                               background, print its pid (the JVM's own pid; its log is RUN_DIR/connect.log)
#   connect.sh stop RUN_DIR     SIGTERM the worker, SIGKILL after 30 s (success when it is not running)
#
# start reads (defaults in brackets): DBZ_PREFIX [sluice-bench-dbz], DBZ_SERVER_ID [random 7000-7999],
# DBZ_REST_PORT [18083], DBZ_DB [sluice_bench], DBZ_TABLE [orders_std_1m], DBZ_TABLES [DBZ_DB.DBZ_TABLE: the
# connector's table.include.list], DBZ_SNAPSHOT_MODE [initial_only], DBZ_SNAPSHOT_THREADS [2],
# DBZ_MAX_BATCH [8192], DBZ_MAX_QUEUE [32768], DBZ_POLL_MS [5], DBZ_MYSQL_USER [sluice_dbz],
# DBZ_MYSQL_PASSWORD [sluice-dbz-pw], DBZ_HEAP_OPTS [-Xms256m -Xmx1g], SLUICE_MYSQL_PORT [13307],
# SLUICE_KAFKA_PORT [19092].
# start with the RUN_DIR of an earlier (stopped) run resumes from its offsets (connect.offsets).
# The topics must exist beforehand (the test broker has auto topic creation off); the suite creates them.
set -euo pipefail

DEBEZIUM_VERSION=3.6.1.Final
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${SLUICE_CACHE:-$HOME/.cache/sluice}"
LIBS="$CACHE/debezium-3.6.1/libs"

if [[ -n "${KAFKA_JAVA:-}" ]]; then JAVA="$KAFKA_JAVA"
elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"
else JAVA=java; fi

log() { printf 'debezium-peer: %s\n' "$*" >&2; }
die() { printf 'debezium-peer: error: %s\n' "$*" >&2; exit 1; }

CONNECT_VERSION=4.3.1 # keep equal to kafka.version in pom.xml
libs_present() { [[ -f "$LIBS/.complete" && -f "$LIBS/debezium-connector-mysql-$DEBEZIUM_VERSION.jar" && -f "$LIBS/connect-runtime-$CONNECT_VERSION.jar" ]]; }

cmd_fetch() {
  libs_present && return 0
  command -v mvn >/dev/null || die "mvn not found; it is needed once to fetch the Connect and Debezium jars into $LIBS"
  log "fetching Kafka Connect and Debezium $DEBEZIUM_VERSION jars with Maven into $LIBS (first use only)"
  local tmp="$LIBS.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.mvn.log" 2>&1; then
    cat "$tmp.mvn.log" >&2; rm -rf "$tmp" "$tmp.mvn.log"; die "mvn dependency:copy-dependencies failed"
  fi
  rm -f "$tmp.mvn.log"
  [[ -f "$tmp/debezium-connector-mysql-$DEBEZIUM_VERSION.jar" ]] || { rm -rf "$tmp"; die "connector jar missing after mvn"; }
  touch "$tmp/.complete"
  rm -rf "$LIBS"; mkdir -p "$(dirname "$LIBS")"; mv "$tmp" "$LIBS"
  log "$(find "$LIBS" -name '*.jar' | wc -l) jars, $(du -sh "$LIBS" | cut -f1)"
}

render() { # template out
  sed -e "s#@BOOTSTRAP@#127.0.0.1:${SLUICE_KAFKA_PORT:-19092}#g" \
      -e "s#@REST_PORT@#${DBZ_REST_PORT:-18083}#g" \
      -e "s#@RUN_DIR@#$RUN_DIR#g" \
      -e "s#@MYSQL_HOST@#127.0.0.1#g" \
      -e "s#@MYSQL_PORT@#${SLUICE_MYSQL_PORT:-13307}#g" \
      -e "s#@MYSQL_USER@#${DBZ_MYSQL_USER:-sluice_dbz}#g" \
      -e "s#@MYSQL_PASSWORD@#${DBZ_MYSQL_PASSWORD:-sluice-dbz-pw}#g" \
      -e "s#@SERVER_ID@#${DBZ_SERVER_ID:-$((7000 + RANDOM % 1000))}#g" \
      -e "s#@PREFIX@#${DBZ_PREFIX:-sluice-bench-dbz}#g" \
      -e "s#@DB@#${DBZ_DB:-sluice_bench}#g" \
      -e "s#@TABLES@#${DBZ_TABLES:-${DBZ_DB:-sluice_bench}.${DBZ_TABLE:-orders_std_1m}}#g" \
      -e "s#@SNAPSHOT_MODE@#${DBZ_SNAPSHOT_MODE:-initial_only}#g" \
      -e "s#@POLL_MS@#${DBZ_POLL_MS:-5}#g" \
      -e "s#@SNAPSHOT_THREADS@#${DBZ_SNAPSHOT_THREADS:-2}#g" \
      -e "s#@MAX_BATCH@#${DBZ_MAX_BATCH:-8192}#g" \
      -e "s#@MAX_QUEUE@#${DBZ_MAX_QUEUE:-32768}#g" \
      "$1" >"$2"
}

running_pid() {
  [[ -f "$RUN_DIR/connect.pid" ]] || return 1
  local pid; pid="$(cat "$RUN_DIR/connect.pid")"
  [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "ConnectStandalone.*$RUN_DIR/worker.properties" || return 1
  echo "$pid"
}

cmd_start() {
  cmd_fetch
  mkdir -p "$RUN_DIR"
  running_pid >/dev/null && die "a worker already runs for $RUN_DIR"
  render "$HERE/worker.properties.in" "$RUN_DIR/worker.properties"
  render "$HERE/mysql-connector.properties.in" "$RUN_DIR/mysql-connector.properties"
  # shellcheck disable=SC2206
  local heap=(${DBZ_HEAP_OPTS:--Xms256m -Xmx1g})
  # As bin/connect-standalone.sh of the Kafka distribution runs it (G1, its GC flags), with our heap and log file.
  nohup "$JAVA" "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dconnect.log.file="$RUN_DIR/connect.log" \
    -cp "$LIBS/*" org.apache.kafka.connect.cli.ConnectStandalone \
    "$RUN_DIR/worker.properties" "$RUN_DIR/mysql-connector.properties" \
    >"$RUN_DIR/connect.out" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/connect.pid"
  echo $!
}

cmd_stop() {
  local pid
  pid="$(running_pid)" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    [[ -d "/proc/$pid" ]] || return 0
    sleep 0.1
  done
  log "worker $pid did not stop in 30 s; SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) [[ -n "${2:-}" ]] || die "usage: connect.sh start RUN_DIR"; RUN_DIR="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; cmd_start ;;
  stop) [[ -n "${2:-}" ]] || die "usage: connect.sh stop RUN_DIR"; RUN_DIR="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; cmd_stop ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
