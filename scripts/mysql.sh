#!/usr/bin/env bash
# Private Oracle MySQL 9.x test server on 127.0.0.1:13307 (see DESIGN.md §7 and test/support/services.ts).
#
#   bash scripts/mysql.sh start|stop|status
#
# MySQL 9.x comes from Debian's unstable suite and needs a newer C library than this system, so the
# packages and their library dependencies are fetched with `apt-get download` through a private apt
# configuration (own sources list, lists and cache: the system's apt state is never touched), unpacked with
# `dpkg -x` under $SLUICE_CACHE/mysql-dist/root, and mysqld runs through the unpacked dynamic loader.
# Runtime data (datadir, socket, pid, logs, TLS certificates made at initialisation) lives under
# $SLUICE_RUN/mysql/. A second start reuses both and takes seconds.
#
# SLUICE_MYSQL_SHAPE=minimal (scripts/mysql-minimal.sh) runs a second instance from the same binaries, shaped
# like MySQL 5.7 as far as CDC sees it: GTID off and binlog_row_metadata=MINIMAL, on 127.0.0.1:13309 with its
# own datadir under $SLUICE_RUN/mysql-minimal/ (MySQL 5.7/8.0 binaries cannot be had here).
set -euo pipefail
SHAPE="${SLUICE_MYSQL_SHAPE:-full}"
case "$SHAPE" in
  full)    SLUICE_SERVICE=mysql;         PORT="${SLUICE_MYSQL_PORT:-13307}";         SERVER_ID=12; GTID=ON;  ROW_METADATA=FULL ;;
  minimal) SLUICE_SERVICE=mysql-minimal; PORT="${SLUICE_MYSQL_MINIMAL_PORT:-13309}"; SERVER_ID=14; GTID=OFF; ROW_METADATA=MINIMAL ;;
  *) echo "SLUICE_MYSQL_SHAPE must be full or minimal, not $SHAPE" >&2; exit 2 ;;
esac
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROOT_PW="$SLUICE_DB_ROOT_PW"
SUITE="${SLUICE_MYSQL_SUITE:-unstable}"
MIRROR="${SLUICE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

DIST="$SLUICE_CACHE/mysql-dist"
DEBS="$DIST/debs"
R="$DIST/root"                        # unpacked packages
LIBDIR="$R/usr/lib/x86_64-linux-gnu"
LOADER="$LIBDIR/ld-linux-x86-64.so.2"
MYSQLD="$R/usr/sbin/mysqld"
CLIENT="$R/usr/bin/mysql"

RUN="$SLUICE_RUN/$SLUICE_SERVICE"
DATA="$RUN/data"
SOCK="$RUN/mysqld.sock"
PIDF="$RUN/mysqld.pid"
LOGF="$RUN/mysqld.err"
CNF="$RUN/my.cnf"
FILES="$RUN/files"                    # secure_file_priv

# Runs a program from the unpacked tree with its own C library.
run_unpacked() {
  env LC_ALL=C LANG=C GCONV_PATH="$LIBDIR/gconv" OPENSSL_MODULES="$LIBDIR/ossl-modules" \
    "$LOADER" --library-path "$LIBDIR" "$@"
}

dist_ready() { [[ -f "$R/.sluice-dist-ok" && -x "$MYSQLD" && -x "$LOADER" ]]; }

fetch_dist() {
  dist_ready && return 0
  debian_unpack "$DIST" "$MIRROR" "$SUITE" mysql-server-core mysql-client-core
  # Every shared library mysqld and the client need must resolve inside the tree.
  local missing
  missing="$("$LOADER" --library-path "$LIBDIR" --list "$MYSQLD" 2>&1; "$LOADER" --library-path "$LIBDIR" --list "$CLIENT" 2>&1)"
  if grep -q 'not found' <<<"$missing"; then
    grep 'not found' <<<"$missing" >&2; die "unpacked MySQL misses shared libraries"
  fi
  run_unpacked "$MYSQLD" --version >&2 || die "unpacked mysqld does not run"
  (cd "$DEBS" && ls) >"$R/.sluice-dist-ok"
  log "MySQL unpacked in $R ($(du -sh "$R" | cut -f1))"
}

write_cnf() {
  mkdir -p "$RUN" "$FILES"
  chmod 700 "$FILES"
  cat >"$CNF" <<EOF
# written by scripts/mysql.sh ($SHAPE) on every start; edit the script, not this file
[mysqld]
basedir                        = $R/usr
datadir                        = $DATA
plugin_dir                     = $R/usr/lib/mysql/plugin
lc_messages_dir                = $R/usr/share/mysql
character_sets_dir             = $R/usr/share/mysql/charsets
socket                         = $SOCK
pid_file                       = $PIDF
log_error                      = $LOGF
secure_file_priv               = $FILES
bind_address                   = 127.0.0.1
port                           = $PORT
mysqlx                         = OFF
skip_name_resolve              = ON
server_id                      = $SERVER_ID
log_bin                        = binlog
binlog_format                  = ROW
binlog_row_image               = FULL
binlog_row_metadata            = $ROW_METADATA
binlog_expire_logs_seconds     = 259200
gtid_mode                      = $GTID
enforce_gtid_consistency       = $GTID
log_replica_updates            = ON
sync_binlog                    = 0
innodb_flush_log_at_trx_commit = 2
innodb_buffer_pool_size        = 512M
max_allowed_packet             = 64M
max_connections                = 300
character_set_server           = utf8mb4
collation_server               = utf8mb4_0900_ai_ci
EOF
}

# SQL that makes the accounts; idempotent, never written to the binlog.
accounts_sql() {
  cat <<EOF
SET SESSION sql_log_bin = 0;
EOF
  db_accounts_sql
}


init_datadir() {
  [[ -f "$DATA/.sluice-init-ok" ]] && return 0
  log "initialising $DATA"
  rm -rf "$DATA"
  accounts_sql >"$RUN/init.sql"
  local -a uf; mapfile -t uf < <(db_user_flag)
  run_unpacked "$MYSQLD" --defaults-file="$CNF" "${uf[@]}" --initialize-insecure --init-file="$RUN/init.sql" \
    || { tail -30 "$LOGF" >&2; die "mysqld --initialize failed (log: $LOGF)"; }
  rm -f "$RUN/init.sql"
  touch "$DATA/.sluice-init-ok"
}

sql_root() { MYSQL_PWD="$ROOT_PW" run_unpacked "$CLIENT" --no-defaults -uroot -S "$SOCK" -N -B "$@"; }

server_version() { sql_root -e 'SELECT VERSION()' 2>/dev/null || echo '?'; }

do_start() {
  if pid_alive "$PIDF" "$CNF" >/dev/null && port_open "$PORT"; then
    log "already running on 127.0.0.1:$PORT"; return 0
  fi
  if port_open "$PORT"; then die "127.0.0.1:$PORT is taken by another process"; fi
  stop_pid "$PIDF" 30 "$CNF"   # a stale or half-started one
  with_lock "$SLUICE_CACHE/mysql-dist.lock" fetch_dist
  write_cnf
  init_datadir
  local -a uf; mapfile -t uf < <(db_user_flag)
  log "starting mysqld on 127.0.0.1:$PORT (datadir $DATA)"
  setsid env LC_ALL=C LANG=C GCONV_PATH="$LIBDIR/gconv" OPENSSL_MODULES="$LIBDIR/ossl-modules" \
    "$LOADER" --library-path "$LIBDIR" "$MYSQLD" --defaults-file="$CNF" "${uf[@]}" \
    </dev/null >>"$RUN/mysqld.out" 2>&1 9>&- &
  db_started mysqld $!
}

do_stop() { db_stop mysqld; }

do_status() { db_status "$SLUICE_SERVICE"; }

case "${1:-}" in
  start)  with_lock "$SLUICE_RUN/$SLUICE_SERVICE.lock" do_start ;;
  stop)   with_lock "$SLUICE_RUN/$SLUICE_SERVICE.lock" do_stop ;;
  status) do_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
