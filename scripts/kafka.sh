#!/usr/bin/env bash
# Test broker for sluice: a real Apache Kafka (KRaft, single node, combined broker + controller) on loopback.
#
#   scripts/kafka.sh start    fetch the jars if not cached, format the storage if new, start, wait until it serves
#   scripts/kafka.sh stop     stop the broker (success when it is not running)
#   scripts/kafka.sh status   one line: kafka up|down, ports, version (exit 0 when up, 3 when not)
#   scripts/kafka.sh reset    stop and delete the broker's data (next start formats a fresh cluster)
#
# Listeners (127.0.0.1 only):
#   PLAINTEXT       ${SLUICE_KAFKA_PORT:-19092}
#   SASL_PLAINTEXT  ${SLUICE_KAFKA_SASL_PORT:-19093}   SCRAM-SHA-256 (sluice256/sluice256-pw), SCRAM-SHA-512 (sluice512/sluice512-pw)
#   CONTROLLER      ${SLUICE_KAFKA_CONTROLLER_PORT:-19094}
#
# Jars: ${SLUICE_CACHE:-$HOME/.cache/sluice}/kafka-<version>/libs (fetched once by Maven from scripts/kafka/pom.xml).
# Runtime (config, data, pid, server log): ${SLUICE_RUN:-$HOME/.cache/sluice/run}/kafka/
# Java: $KAFKA_JAVA, else $JAVA_HOME/bin/java, else java (Kafka 4.x brokers need Java 17+).
set -euo pipefail

KAFKA_VERSION=4.4.0
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEMPLATES="$HERE/kafka"

CACHE="${SLUICE_CACHE:-$HOME/.cache/sluice}"
LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"
RUN_DIR="${SLUICE_RUN:-$HOME/.cache/sluice/run}/kafka"
DATA_DIR="$RUN_DIR/data"
CONFIG="$RUN_DIR/server.properties"
PID_FILE="$RUN_DIR/kafka.pid"
LOG_DIR="$RUN_DIR/logs"
OUT_FILE="$LOG_DIR/kafka.out"

HOST=127.0.0.1
PLAINTEXT_PORT="${SLUICE_KAFKA_PORT:-19092}"
SASL_PORT="${SLUICE_KAFKA_SASL_PORT:-19093}"
CONTROLLER_PORT="${SLUICE_KAFKA_CONTROLLER_PORT:-19094}"
START_TIMEOUT="${SLUICE_KAFKA_START_TIMEOUT:-90}"
HEAP_OPTS="${SLUICE_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"

if [[ -n "${KAFKA_JAVA:-}" ]]; then JAVA="$KAFKA_JAVA"
elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"
else JAVA=java; fi

log() { printf 'kafka: %s\n' "$*" >&2; }
die() { printf 'kafka: error: %s\n' "$*" >&2; exit 1; }

# --- helpers ---------------------------------------------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Prints the pid of our broker if it is running (pid file names a live java running kafka.Kafka with our config).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *kafka.Kafka*"$CONFIG"* ]] || return 1
  echo "$pid"
}

libs_present() {
  [[ -f "$LIBS/.complete" && -f "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]]
}

fetch_libs() {
  libs_present && return 0
  command -v mvn >/dev/null || die "mvn not found; it is needed once to fetch the Kafka jars into $LIBS"
  log "fetching Apache Kafka $KAFKA_VERSION jars with Maven into $LIBS (first start only)"
  local tmp="$LIBS.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # Maven's output goes to a file (shown only on failure): even -q -B prints stray ANSI resets here.
  if ! mvn -q -B -Dstyle.color=never -f "$TEMPLATES/pom.xml" dependency:copy-dependencies \
        -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.mvn.log" 2>&1; then
    cat "$tmp.mvn.log" >&2
    rm -rf "$tmp" "$tmp.mvn.log"
    die "mvn dependency:copy-dependencies failed"
  fi
  rm -f "$tmp.mvn.log"
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || { rm -rf "$tmp"; die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn"; }
  touch "$tmp/.complete"
  rm -rf "$LIBS"
  mkdir -p "$(dirname "$LIBS")"
  mv "$tmp" "$LIBS"
  log "$(find "$LIBS" -name '*.jar' | wc -l) jars, $(du -sh "$LIBS" | cut -f1)"
}

render_config() {
  mkdir -p "$RUN_DIR" "$DATA_DIR" "$LOG_DIR"
  sed -e "s#@PLAINTEXT_PORT@#$PLAINTEXT_PORT#g" \
      -e "s#@SASL_PORT@#$SASL_PORT#g" \
      -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" \
      -e "s#@DATA_DIR@#$DATA_DIR#g" \
      "$TEMPLATES/server.properties.in" >"$CONFIG.tmp"
  mv "$CONFIG.tmp" "$CONFIG"
}

java_opts() {
  # shellcheck disable=SC2206
  local heap=($HEAP_OPTS)
  JAVA_OPTS=(
    "${heap[@]}"
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent
    -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$TEMPLATES/log4j2.properties"
    -Dkafka.logs.dir="$LOG_DIR"
    -cp "$LIBS/*"
  )
}

# A random cluster id: 16 random bytes, URL-safe base64 without padding (as kafka-storage random-uuid prints).
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && { echo "$id"; return; }
  done
}

format_storage() {
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  local cid
  cid="$(new_cluster_id)"
  log "formatting KRaft storage in $DATA_DIR (cluster id $cid) with SCRAM users sluice256, sluice512"
  # No meta.properties: whatever is there is a half-done format (or nothing); start clean.
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"
  java_opts
  # The tool's own heap comes last and wins over the broker's heap options.
  if ! "$JAVA" "${JAVA_OPTS[@]}" -Xms64m -Xmx256m kafka.tools.StorageTool format \
        --config "$CONFIG" --cluster-id "$cid" --standalone \
        --add-scram 'SCRAM-SHA-256=[name=sluice256,password=sluice256-pw]' \
        --add-scram 'SCRAM-SHA-512=[name=sluice512,password=sluice512-pw]' \
        >"$LOG_DIR/format.out" 2>&1; then
    cat "$LOG_DIR/format.out" >&2
    rm -rf "$DATA_DIR"
    die "kafka-storage format failed"
  fi
}

# Readiness: the broker listens on both client ports, says "Kafka Server started", and (when kafkajs can be
# loaded from the repo) answers a metadata request on the plaintext port.
ready_probe_js() {
  cat <<'EOF'
const { createRequire } = require('node:module');
const r = createRequire(process.argv[1] + '/');
const { Kafka, logLevel } = r('kafkajs');
const kafka = new Kafka({ clientId: 'sluice-kafka-sh', brokers: [process.argv[2]], logLevel: logLevel.NOTHING,
  connectionTimeout: 2000, requestTimeout: 3000, retry: { retries: 0 } });
const admin = kafka.admin();
admin.connect().then(() => admin.describeCluster()).then(async (c) => {
  await admin.disconnect();
  process.exit(c.brokers.length > 0 ? 0 : 1);
}).catch(() => process.exit(1));
setTimeout(() => process.exit(1), 8000).unref();
EOF
}

probe_metadata() {
  local repo
  repo="$(cd "$HERE/.." && pwd)"
  if command -v node >/dev/null && [[ -d "$repo/node_modules/kafkajs" ]]; then
    node -e "$(ready_probe_js)" "$repo" "$HOST:$PLAINTEXT_PORT" >/dev/null 2>&1
  else
    return 0 # no client available: the log line and the open ports have to do
  fi
}

server_started_logged() {
  grep -q 'Kafka Server started' "$LOG_DIR/server.log" 2>/dev/null
}

fail_with_logs() {
  log "$1"
  log "---- tail of $LOG_DIR/server.log ----"
  tail -n 40 "$LOG_DIR/server.log" >&2 2>/dev/null || true
  log "---- tail of $OUT_FILE ----"
  tail -n 20 "$OUT_FILE" >&2 2>/dev/null || true
  exit 1
}

# --- commands --------------------------------------------------------------------------------------------------

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    if port_open "$PLAINTEXT_PORT" && port_open "$SASL_PORT"; then
      log "already running (pid $pid)"
      cmd_status
      return 0
    fi
    # Started but not serving yet (a concurrent start?): fall through to waiting on it.
  else
    for p in "$PLAINTEXT_PORT" "$SASL_PORT" "$CONTROLLER_PORT"; do
      port_open "$p" && die "port $HOST:$p is taken by another process (not this script's broker)"
    done
    command -v "$JAVA" >/dev/null || die "java not found ($JAVA)"
    fetch_libs
    render_config
    format_storage
    java_opts
    : >"$LOG_DIR/server.log"
    log "starting Apache Kafka $KAFKA_VERSION (KRaft) on $HOST:$PLAINTEXT_PORT, SASL $HOST:$SASL_PORT"
    # setsid: the broker outlives this shell and the caller's process group (CI steps, test runners).
    setsid "$JAVA" "${JAVA_OPTS[@]}" -Dsluice.service=kafka kafka.Kafka "$CONFIG" \
      >"$OUT_FILE" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
  fi

  local deadline=$((SECONDS + START_TIMEOUT))
  while :; do
    if [[ ! -d "/proc/$pid" ]]; then
      rm -f "$PID_FILE"
      fail_with_logs "the broker exited during startup"
    fi
    if server_started_logged && port_open "$PLAINTEXT_PORT" && port_open "$SASL_PORT" && probe_metadata; then
      break
    fi
    (( SECONDS < deadline )) || fail_with_logs "not serving after ${START_TIMEOUT}s (pid $pid still running; stop it with: $0 stop)"
    sleep 0.5
  done
  cmd_status
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while [[ -d "/proc/$pid" ]] && (( SECONDS < deadline )); do sleep 0.3; done
  if [[ -d "/proc/$pid" ]]; then
    log "still running after 60s, killing"
    kill -KILL "$pid" 2>/dev/null || true
    while [[ -d "/proc/$pid" ]]; do sleep 0.2; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)" && port_open "$PLAINTEXT_PORT"; then
    echo "kafka up $HOST:$PLAINTEXT_PORT plaintext, $HOST:$SASL_PORT sasl_plaintext(scram-sha-256,scram-sha-512), $HOST:$CONTROLLER_PORT controller, version $KAFKA_VERSION, pid $pid"
  elif pid="$(running_pid)"; then
    echo "kafka starting $HOST:$PLAINTEXT_PORT plaintext, $HOST:$SASL_PORT sasl_plaintext, version $KAFKA_VERSION, pid $pid (not listening yet)"
    return 3
  else
    echo "kafka down $HOST:$PLAINTEXT_PORT plaintext, $HOST:$SASL_PORT sasl_plaintext, version $KAFKA_VERSION"
    return 3
  fi
}

cmd_reset() {
  cmd_stop
  log "deleting $DATA_DIR"
  rm -rf "$DATA_DIR"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  *) echo "usage: $0 start|stop|status|reset" >&2; exit 2 ;;
esac
