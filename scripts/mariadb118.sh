#!/usr/bin/env bash
# Private MariaDB 11.8 test server on 127.0.0.1:13308 (see DESIGN.md §7 and test/support/services.ts).
#
#   bash scripts/mariadb118.sh start|stop|status
#
# This system ships MariaDB 10.11; 11.8 comes from Debian's trixie suite. Like scripts/mysql.sh, the packages
# and their library closure are fetched with `apt-get download` through a private apt configuration (the
# system's apt state is never touched), unpacked with `dpkg -x` under $SLUICE_CACHE/mariadb118-dist/root, and
# every binary runs through the unpacked dynamic loader. mariadb-install-db is a script that calls the
# binaries by path (without the loader), so the datadir is bootstrapped by piping the install SQL into
# `mariadbd --bootstrap` instead. Runtime data lives under $SLUICE_RUN/mariadb118/; a second start takes seconds.
set -euo pipefail
SLUICE_SERVICE=mariadb118
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PORT="${SLUICE_MARIADB118_PORT:-13308}"
ROOT_PW="$SLUICE_DB_ROOT_PW"
SUITE="${SLUICE_MARIADB118_SUITE:-trixie}"
MIRROR="${SLUICE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

DIST="$SLUICE_CACHE/mariadb118-dist"
R="$DIST/root"
LIBDIR="$R/usr/lib/x86_64-linux-gnu"
LOADER="$LIBDIR/ld-linux-x86-64.so.2"
MARIADBD="$R/usr/sbin/mariadbd"
CLIENT="$R/usr/bin/mariadb"
SHARE="$R/usr/share/mariadb"

RUN="$SLUICE_RUN/mariadb118"
DATA="$RUN/data"
SOCK="$RUN/mariadbd.sock"
PIDF="$RUN/mariadbd.pid"
LOGF="$RUN/mariadbd.err"
CNF="$RUN/my.cnf"
FILES="$RUN/files"                    # secure_file_priv
PLUGINS="$RUN/plugin"                 # empty: no plugin is loaded, and the system's 10.11 ones must not be

run_unpacked() { env LC_ALL=C LANG=C "$LOADER" --library-path "$LIBDIR" "$@"; }

dist_ready() { [[ -f "$R/.sluice-dist-ok" && -x "$MARIADBD" && -x "$LOADER" && -x "$CLIENT" ]]; }

fetch_dist() {
  dist_ready && return 0
  debian_unpack "$DIST" "$MIRROR" "$SUITE" mariadb-server-core mariadb-client-core
  local missing
  missing="$("$LOADER" --library-path "$LIBDIR" --list "$MARIADBD" 2>&1; "$LOADER" --library-path "$LIBDIR" --list "$CLIENT" 2>&1)"
  if grep -q 'not found' <<<"$missing"; then
    grep 'not found' <<<"$missing" >&2; die "unpacked MariaDB misses shared libraries"
  fi
  run_unpacked "$MARIADBD" --version >&2 || die "unpacked mariadbd does not run"
  (cd "$DIST/debs" && ls) >"$R/.sluice-dist-ok"
  log "MariaDB $SUITE unpacked in $R ($(du -sh "$R" | cut -f1))"
}

write_cnf() {
  mkdir -p "$RUN" "$FILES" "$PLUGINS"
  chmod 700 "$FILES"
  cat >"$CNF" <<EOF
# written by scripts/mariadb118.sh on every start; edit the script, not this file
[mysqld]
basedir                        = $R/usr
datadir                        = $DATA
plugin_dir                     = $PLUGINS
lc_messages_dir                = $SHARE
character_sets_dir             = $SHARE/charsets
socket                         = $SOCK
pid_file                       = $PIDF
log_error                      = $LOGF
secure_file_priv               = $FILES
bind_address                   = 127.0.0.1
port                           = $PORT
skip_name_resolve              = ON
server_id                      = 13
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
DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', '127.0.0.1'));
DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost', '127.0.0.1');
FLUSH PRIVILEGES;
EOF
  db_accounts_sql
}

# What mariadb-install-db feeds the server, minus the lines that need the host name (it would make
# root@<hostname>, which a loopback-only server does not want).
bootstrap_sql() {
  printf '%s\n' 'CREATE DATABASE IF NOT EXISTS mysql;' 'USE mysql;'
  local f
  for f in mariadb_system_tables mariadb_performance_tables mariadb_system_tables_data fill_help_tables \
           maria_add_gis_sp_bootstrap mariadb_sys_schema; do
    [[ -r "$SHARE/$f.sql" ]] || die "missing $SHARE/$f.sql in the unpacked packages"
    grep -v '@current_hostname' "$SHARE/$f.sql"
  done
}

init_datadir() {
  [[ -f "$DATA/.sluice-init-ok" ]] && return 0
  log "initialising $DATA"
  rm -rf "$DATA"; mkdir -p "$DATA"
  local -a uf; mapfile -t uf < <(db_user_flag)
  # install-db's settings for a root reachable by password only (its --auth-root-authentication-method=normal)
  # (bootstrap mode reads one statement per line).
  { printf '%s\n' 'SET @auth_root_socket=NULL;' 'SET @skip_auth_anonymous=1;'; bootstrap_sql; } \
    | run_unpacked "$MARIADBD" --defaults-file="$CNF" "${uf[@]}" --bootstrap --skip-log-bin \
        --skip-grant-tables --log-warnings=0 >"$RUN/bootstrap.log" 2>&1 \
    || { cat "$RUN/bootstrap.log" >&2; tail -30 "$LOGF" >&2 2>/dev/null; die "mariadbd --bootstrap failed (log: $RUN/bootstrap.log)"; }
  touch "$DATA/.sluice-init-ok"
}

sql_root() { MYSQL_PWD="$ROOT_PW" run_unpacked "$CLIENT" --no-defaults -uroot -S "$SOCK" -N -B "$@"; }

# The bootstrapped root has no password yet; the socket lets the first start set it.
sql_first() { run_unpacked "$CLIENT" --no-defaults -uroot -S "$SOCK" -N -B "$@"; }

server_version() { sql_root -e 'SELECT VERSION()' 2>/dev/null || echo '?'; }

do_start() {
  if pid_alive "$PIDF" "$CNF" >/dev/null && port_open "$PORT"; then
    log "already running on 127.0.0.1:$PORT"; return 0
  fi
  if port_open "$PORT"; then die "127.0.0.1:$PORT is taken by another process"; fi
  stop_pid "$PIDF" 30 "$CNF"   # a stale or half-started one
  with_lock "$SLUICE_CACHE/mariadb118-dist.lock" fetch_dist
  write_cnf
  local fresh=0
  [[ -f "$DATA/.sluice-init-ok" ]] || fresh=1
  init_datadir
  local -a uf; mapfile -t uf < <(db_user_flag)
  log "starting mariadbd $SUITE on 127.0.0.1:$PORT (datadir $DATA)"
  setsid env LC_ALL=C LANG=C "$LOADER" --library-path "$LIBDIR" "$MARIADBD" --defaults-file="$CNF" "${uf[@]}" \
    </dev/null >>"$RUN/mariadbd.out" 2>&1 9>&- &
  local pid=$!
  if (( fresh )); then
    echo "$pid" >"$PIDF"
    wait_for_port "$PORT" 120 127.0.0.1 "$pid" || { tail -40 "$LOGF" >&2; die "mariadbd did not come up (log: $LOGF)"; }
    accounts_sql | sql_first || { tail -20 "$LOGF" >&2; die "could not set the root password on the new datadir"; }
  fi
  db_started mariadbd "$pid"
}

do_stop() { db_stop mariadbd; }

do_status() { db_status mariadb118; }

case "${1:-}" in
  start)  with_lock "$SLUICE_RUN/mariadb118.lock" do_start ;;
  stop)   with_lock "$SLUICE_RUN/mariadb118.lock" do_stop ;;
  status) do_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
