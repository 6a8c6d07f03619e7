#!/usr/bin/env bash
# Starts, stops or reports on every test service sluice's tests use, on loopback only:
#   MariaDB 10.11 127.0.0.1:13306, Oracle MySQL 9.x 127.0.0.1:13307 (GTID on, FULL row metadata),
#   MariaDB 11.8 127.0.0.1:13308, MySQL 9.x 5.7-shaped 127.0.0.1:13309 (GTID off, MINIMAL row metadata),
#   Kafka 127.0.0.1:19092 (PLAINTEXT) / 19093 (SASL).
# Usage: scripts/services.sh start|stop|status [mariadb|mysql|mariadb118|mysql-minimal|kafka ...]
# Downloads are cached under ${SLUICE_CACHE:-~/.cache/sluice}, so a second start takes seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
action="${1:-status}"
shift || true
services=("$@")
[[ ${#services[@]} -gt 0 ]] || services=(mariadb mysql mariadb118 mysql-minimal kafka)

case "$action" in
  start)
    # They start in parallel: downloads and initialisation overlap, and a warm start stays short.
    pids=()
    for s in "${services[@]}"; do
      bash "$here/$s.sh" start &
      pids+=("$!")
    done
    rc=0
    for i in "${!pids[@]}"; do
      if ! wait "${pids[$i]}"; then
        echo "services: ${services[$i]} failed to start" >&2
        rc=1
      fi
    done
    for s in "${services[@]}"; do bash "$here/$s.sh" status || true; done
    exit "$rc"
    ;;
  stop)
    for s in "${services[@]}"; do bash "$here/$s.sh" stop; done
    ;;
  status)
    rc=0
    for s in "${services[@]}"; do bash "$here/$s.sh" status || rc=1; done
    exit "$rc"
    ;;
  *)
    echo "usage: $0 start|stop|status [mariadb|mysql|mariadb118|mysql-minimal|kafka ...]" >&2
    exit 2
    ;;
esac
