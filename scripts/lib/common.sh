# shellcheck shell=bash
# Shared helpers for the test-service scripts (scripts/*.sh). Source it; it sets no options of its own
# beyond what it documents, and defines only functions and a few SLUICE_* variables.
#
#   SLUICE_CACHE  downloads and unpacked binaries, kept across clones   (default ~/.cache/sluice)
#   SLUICE_RUN    runtime data: datadirs, sockets, pid files, logs       (default $SLUICE_CACHE/run)
#
# Everything the services listen on is loopback only.

SLUICE_CACHE="${SLUICE_CACHE:-${HOME:-/root}/.cache/sluice}"
SLUICE_RUN="${SLUICE_RUN:-$SLUICE_CACHE/run}"
SLUICE_HOST="${SLUICE_HOST:-127.0.0.1}"
export SLUICE_CACHE SLUICE_RUN

# log/warn/die print to stderr with the calling script's name, so stdout stays for `status` lines.
sluice_tag() { basename "${SLUICE_SERVICE:-${0:-service}}" .sh; }
log()  { printf '[%s %s] %s\n' "$(sluice_tag)" "$(date +%H:%M:%S)" "$*" >&2; }
warn() { printf '[%s %s] WARN: %s\n' "$(sluice_tag)" "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '[%s %s] ERROR: %s\n' "$(sluice_tag)" "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# cache_dir NAME... -> creates and prints $SLUICE_CACHE/NAME
cache_dir() { local d="$SLUICE_CACHE/$1"; mkdir -p "$d" && printf '%s\n' "$d"; }
# run_dir SERVICE -> creates and prints $SLUICE_RUN/SERVICE
run_dir() { local d="$SLUICE_RUN/$1"; mkdir -p "$d" && printf '%s\n' "$d"; }

# port_open PORT [HOST] -> 0 when something accepts TCP connections there (bash /dev/tcp, no nc needed).
port_open() {
  local port="$1" host="${2:-$SLUICE_HOST}"
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# wait_for_port PORT [TIMEOUT_S] [HOST] [PID] -> waits until the port accepts connections.
# When PID is given, gives up early if that process dies.
wait_for_port() {
  local port="$1" timeout="${2:-60}" host="${3:-$SLUICE_HOST}" pid="${4:-}"
  local deadline=$(( $(date +%s) + timeout ))
  while ! port_open "$port" "$host"; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      warn "process $pid exited before $host:$port opened"; return 1
    fi
    if (( $(date +%s) >= deadline )); then
      warn "timed out after ${timeout}s waiting for $host:$port"; return 1
    fi
    sleep 0.2
  done
}

# wait_for_port_closed PORT [TIMEOUT_S] [HOST]
wait_for_port_closed() {
  local port="$1" timeout="${2:-30}" host="${3:-$SLUICE_HOST}"
  local deadline=$(( $(date +%s) + timeout ))
  while port_open "$port" "$host"; do
    (( $(date +%s) >= deadline )) && { warn "$host:$port still open after ${timeout}s"; return 1; }
    sleep 0.2
  done
}

# pid_alive PIDFILE [PATTERN] -> 0 and prints the pid when the file names a live process (whose command line
# contains PATTERN, when given: a stale pid file must never make us signal an unrelated process).
pid_alive() {
  local f="$1" pat="${2:-}" pid
  [[ -s "$f" ]] || return 1
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  if [[ -n "$pat" && -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pat" || return 1
  fi
  printf '%s\n' "$pid"
}

# stop_pid PIDFILE [TIMEOUT_S] [PATTERN] -> TERM the process, wait, then KILL; removes the pid file. Idempotent.
stop_pid() {
  local f="$1" timeout="${2:-60}" pat="${3:-}" pid deadline
  pid="$(pid_alive "$f" "$pat")" || { rm -f "$f"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(( $(date +%s) + timeout ))
  while kill -0 "$pid" 2>/dev/null; do
    if (( $(date +%s) >= deadline )); then
      warn "pid $pid did not stop in ${timeout}s; sending KILL"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; break
    fi
    sleep 0.2
  done
  rm -f "$f"
}

# status_line SERVICE up|down PORT [VERSION] -> the one-line status format shared by all service scripts.
status_line() { printf '%-13s %-4s %s:%s %s\n' "$1" "$2" "$SLUICE_HOST" "$3" "${4:--}"; }

# with_lock FILE CMD... -> runs CMD holding an exclusive flock on FILE (serialises concurrent starts).
# The lock is fd 9: a daemon launched inside CMD must be started with `9>&-`, or it keeps the lock for life.
with_lock() {
  local f="$1"; shift
  mkdir -p "$(dirname "$f")"
  if command -v flock >/dev/null 2>&1; then
    ( flock -w 900 9 || die "could not lock $f"; "$@" ) 9>"$f"
  else
    "$@"
  fi
}

# The test accounts both database services carry (test/support/services.ts holds the same facts):
# root for preparing data, and `sluice` with exactly the DTS grants. Idempotent SQL, for init files and re-runs.
SLUICE_DB_ROOT_PW='sluice-root'
SLUICE_DB_USER='sluice'
SLUICE_DB_PW='sluice-pw'
db_accounts_sql() {
  cat <<EOF
CREATE USER IF NOT EXISTS 'root'@'localhost' IDENTIFIED BY '$SLUICE_DB_ROOT_PW';
ALTER USER 'root'@'localhost' IDENTIFIED BY '$SLUICE_DB_ROOT_PW';
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '$SLUICE_DB_ROOT_PW';
ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '$SLUICE_DB_ROOT_PW';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS '$SLUICE_DB_USER'@'%' IDENTIFIED BY '$SLUICE_DB_PW';
ALTER USER '$SLUICE_DB_USER'@'%' IDENTIFIED BY '$SLUICE_DB_PW';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW, SELECT ON *.* TO '$SLUICE_DB_USER'@'%';
CREATE USER IF NOT EXISTS '$SLUICE_DB_USER'@'localhost' IDENTIFIED BY '$SLUICE_DB_PW';
ALTER USER '$SLUICE_DB_USER'@'localhost' IDENTIFIED BY '$SLUICE_DB_PW';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SHOW VIEW, SELECT ON *.* TO '$SLUICE_DB_USER'@'localhost';
EOF
}

# mysqld/mariadbd refuse to run as root without --user=root.
db_user_flag() { [[ "$(id -u)" == 0 ]] && echo --user=root || true; }

# The lifecycle both database scripts share. They use the calling script's PORT, PIDF, CNF and LOGF and its
# accounts_sql, sql_root and server_version functions.

# db_started NAME PID: after launching the server in the background, waits for its port (giving up early if
# PID dies), applies the accounts, and logs the version.
db_started() {
  local name="$1" pid="$2"
  echo "$pid" >"$PIDF"   # the server rewrites it with the same pid
  if ! wait_for_port "$PORT" 120 127.0.0.1 "$pid"; then
    tail -40 "$LOGF" >&2; die "$name did not come up (log: $LOGF)"
  fi
  accounts_sql | sql_root || { tail -20 "$LOGF" >&2; die "could not apply accounts as root"; }
  log "up: $(server_version)"
}

# db_stop NAME: TERM, wait, KILL if needed; success when already down.
db_stop() {
  local pid
  if pid="$(pid_alive "$PIDF" "$CNF")"; then
    log "stopping $1 (pid $pid)"
    stop_pid "$PIDF" 120 "$CNF"
  fi
  return 0
}

# db_status NAME [PREPARE-CMD]: one status line; exit 3 when down (LSB "not running", like scripts/kafka.sh).
db_status() {
  if pid_alive "$PIDF" "$CNF" >/dev/null && port_open "$PORT"; then
    [[ -n "${2:-}" ]] && "$2"
    status_line "$1" up "$PORT" "$(server_version)"
  else
    status_line "$1" down "$PORT" "-"
    return 3
  fi
}

# debian_unpack DIST MIRROR SUITE PKG... -> fetches PKG... and their library closure from a Debian suite
# through a private apt configuration under DIST/apt (own sources list, lists and cache: the system's apt
# state is never touched) and unpacks them with `dpkg -x` into DIST/root, replacing it only when all worked.
# perl and its libraries are left out: they serve helper scripts the tests never run.
debian_apt_opts() {
  local aptdir="$1"
  printf '%s\n' \
    -o "Dir::Etc::sourcelist=$aptdir/sources.list" -o Dir::Etc::sourceparts=- \
    -o "Dir::Etc::preferencesparts=$aptdir/preferences.d" \
    -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache" \
    -o APT::Architecture=amd64 -o APT::Architectures::=amd64 \
    -o APT::Sandbox::User=root -o Acquire::Languages=none -q
}
debian_unpack() {
  local dist="$1" mirror="$2" suite="$3"; shift 3
  local aptdir="$dist/apt" debs="$dist/debs" keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  command -v apt-get >/dev/null || die "apt-get is needed to fetch $* from Debian $suite"
  [[ -r "$keyring" ]] || die "missing $keyring (package debian-archive-keyring)"
  log "fetching $* from Debian $suite into $dist (cold cache)"
  mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/preferences.d" "$debs"
  echo "deb [signed-by=$keyring] $mirror $suite main" >"$aptdir/sources.list"
  local -a O; mapfile -t O < <(debian_apt_opts "$aptdir")
  apt-get "${O[@]}" update >"$dist/apt-update.log" 2>&1 || { cat "$dist/apt-update.log" >&2; die "apt-get update ($suite) failed"; }
  local pkgs
  pkgs="$(apt-cache "${O[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
            --no-replaces --no-enhances "$@" \
          | grep -v '^ ' | grep -v '^<' | grep -Ev '^(perl|perl-.*|libperl.*|libdb5.*|libgdbm.*)$' | sort -u)"
  [[ -n "$pkgs" ]] || die "could not resolve $* in $suite"
  rm -f "$debs"/*.deb
  # shellcheck disable=SC2086
  (cd "$debs" && apt-get "${O[@]}" download $pkgs) >"$dist/apt-download.log" 2>&1 \
    || { cat "$dist/apt-download.log" >&2; die "apt-get download ($suite) failed"; }
  local tmp="$dist/root.tmp.$$" f
  rm -rf "$tmp"; mkdir -p "$tmp"
  for f in "$debs"/*.deb; do dpkg -x "$f" "$tmp"; done
  rm -rf "$dist/root"; mv "$tmp" "$dist/root"
}
