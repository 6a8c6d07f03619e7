#!/usr/bin/env bash
# Private MariaDB test server on 127.0.0.1:13306 (see DESIGN.md §7 and test/support/services.ts).
#
#   bash scripts/mariadb.sh start|stop|status
#
# Uses Debian's mariadb-server binaries (the system instance on 3306 is left alone). The datadir, socket, pid
# file and logs live under $SLUICE_RUN/mariadb/; the datadir is made once, so a second start takes seconds.
set -euo pipefail
SLUICE_SERVICE=mariadb
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PORT="${SLUICE_MARIADB_PORT:-13306}"
ROOT_PW="$SLUICE_DB_ROOT_PW"

RUN="$SLUICE_RUN/mariadb"
DATA="$RUN/data"
SOCK="$RUN/mariadbd.sock"
PIDF="$RUN/mariadbd.pid"
LOGF="$RUN/mariadbd.err"
CNF="$RUN/my.cnf"
FILES="$RUN/files"                    # secure_file_priv

find_bin() {
  local b
  for b in "$@"; do
    command -v "$b" 2>/dev/null && return 0
    [[ -x "/usr/sbin/$b" ]] && { echo "/usr/sbin/$b"; return 0; }
  done
  return 1
}

need_bins() {
  MARIADBD="$(find_bin mariadbd mysqld)" || die "mariadbd not found: apt-get install mariadb-server"
  INSTALL_DB="$(find_bin mariadb-install-db mysql_install_db)" || die "mariadb-install-db not found: apt-get install mariadb-server"
  CLIENT="$(find_bin mariadb mysql)" || die "mariadb client not found: apt-get install mariadb-client"
}

write_cnf() {
  mkdir -p "$RUN" "$FILES"
  chmod 700 "$FILES"
  cat >"$CNF" <<EOF
# written by scripts/mariadb.sh on every start; edit the script, not this file
[mysqld]
datadir                        = $DATA
socket                         = $SOCK
pid_file                       = $PIDF
log_error                      = $LOGF
secure_file_priv               = $FILES
bind_address                   = 127.0.0.1
port                           = $PORT
skip_name_resolve              = ON
server_id                      = 11
log_bin                        = mariadb-bin
log_bin_index                  = mariadb-bin.index
binlog_format                  = ROW
binlog_row_image               = FULL
binlog_row_metadata            = FULL
binlog_expire_logs_seconds     = 259200
log_slave_updates              = ON
gtid_strict_mode               = ON
gtid_domain_id                 = 0
sync_binlog                    = 0
innodb_flush_log_at_trx_commit = 2
innodb_buffer_pool_size        = 512M
max_allowed_packet             = 64M
max_connections                = 300
character_set_server           = utf8mb4
collation_server               = utf8mb4_general_ci
EOF
}

# SQL that makes the accounts; idempotent, never written to the binlog.
accounts_sql() {
  cat <<EOF
SET SESSION sql_log_bin = 0;
-- mariadb-install-db also makes root@<hostname> and root@::1 without password: not needed on a loopback-only server
DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', '127.0.0.1'));
DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost', '127.0.0.1');
FLUSH PRIVILEGES;
EOF
  db_accounts_sql
}


init_datadir() {
  [[ -f "$DATA/.sluice-init-ok" ]] && return 0
  log "initialising $DATA"
  rm -rf "$DATA"
  accounts_sql >"$RUN/init.sql"
  local -a uf; mapfile -t uf < <(db_user_flag)
  "$INSTALL_DB" --defaults-file="$CNF" "${uf[@]}" --datadir="$DATA" --auth-root-authentication-method=normal \
    --skip-test-db --extra-file="$RUN/init.sql" >"$RUN/install-db.log" 2>&1 \
    || { cat "$RUN/install-db.log" >&2; die "mariadb-install-db failed (log: $RUN/install-db.log)"; }
  rm -f "$RUN/init.sql"
  touch "$DATA/.sluice-init-ok"
}

sql_root() { MYSQL_PWD="$ROOT_PW" "$CLIENT" --no-defaults -uroot -S "$SOCK" -N -B "$@"; }

server_version() { sql_root -e 'SELECT VERSION()' 2>/dev/null || echo '?'; }

do_start() {
  if pid_alive "$PIDF" "$CNF" >/dev/null && port_open "$PORT"; then
    log "already running on 127.0.0.1:$PORT"; return 0
  fi
  if port_open "$PORT"; then die "127.0.0.1:$PORT is taken by another process"; fi
  stop_pid "$PIDF" 30 "$CNF"   # a stale or half-started one
  need_bins
  write_cnf
  init_datadir
  local -a uf; mapfile -t uf < <(db_user_flag)
  log "starting mariadbd on 127.0.0.1:$PORT (datadir $DATA)"
  setsid "$MARIADBD" --defaults-file="$CNF" "${uf[@]}" </dev/null >>"$RUN/mariadbd.out" 2>&1 9>&- &
  db_started mariadbd $!
}

do_stop() { db_stop mariadbd; }

do_status() { db_status mariadb need_bins; }

case "${1:-}" in
  start)  with_lock "$SLUICE_RUN/mariadb.lock" do_start ;;
  stop)   with_lock "$SLUICE_RUN/mariadb.lock" do_stop ;;
  status) do_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
