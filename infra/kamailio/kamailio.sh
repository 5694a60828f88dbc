#!/usr/bin/env bash
# Kamailio 5.x (Debian packages kamailio + kamailio-postgres-modules) as Chorus's reference SIP peer:
# registrar with digest auth and write-through location in PostgreSQL, proxying calls between
# registered users (kamailio.cfg says why each setting is what it is).
#
#   kamailio.sh provision N   create the database if missing, (re)create the kamailio tables from the
#                             SQL files the package ships, and add N subscribers:
#                             username <prefix><i>, password <prefix><i>-pw, i = 1..N (HA1 stored)
#   kamailio.sh start         start in the background (pid file in the run dir), wait until it listens
#   kamailio.sh run           run in the foreground (logs on stderr), for debugging
#   kamailio.sh stop          SIGTERM, wait up to 10 s, then SIGKILL
#   kamailio.sh status        say whether it runs (exit 3 when not)
#
# Environment (defaults in brackets):
#   KAMAILIO_DB_URL      postgres://user:password@host:port/db  [$DATABASE_URL with "_kamailio" appended]
#   KAMAILIO_HOST        address to listen on                    [127.0.0.1]
#   KAMAILIO_PORT        UDP and TCP port                        [5070]
#   KAMAILIO_DOMAIN      SIP domain and digest realm             [example.test]
#   KAMAILIO_USER_PREFIX subscriber name prefix for provision    [user]
#   KAMAILIO_PSTN_GATEWAY host:port that phone-number R-URIs go to [unset: numbers are looked up like users]
#   KAMAILIO_RUN_DIR     pid file, log, runtime files            [infra/kamailio/run]
#   KAMAILIO_READY_TIMEOUT seconds to wait for the listener      [20]
#
# Exit codes: 0 done (also start when already running, stop when not running); 1 failed (reason and
# log tail on stderr); 2 usage error or missing prerequisite; 3 status: not running.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CFG="$HERE/kamailio.cfg"
SCHEMA_DIR=/usr/share/kamailio/postgres
RUN="${KAMAILIO_RUN_DIR:-$HERE/run}"
PID_FILE="$RUN/kamailio.pid"
LOG_FILE="$RUN/kamailio.log"
HOST="${KAMAILIO_HOST:-127.0.0.1}"
PORT="${KAMAILIO_PORT:-5070}"
DOMAIN="${KAMAILIO_DOMAIN:-example.test}"
USER_PREFIX="${KAMAILIO_USER_PREFIX:-user}"
READY_TIMEOUT="${KAMAILIO_READY_TIMEOUT:-20}"
STOP_TIMEOUT=10

log() { printf 'kamailio.sh: %s\n' "$*"; }
die() { printf 'kamailio.sh: %s\n' "$1" >&2; exit "${2:-1}"; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)" 2; }

db_url() {
  if [ -n "${KAMAILIO_DB_URL:-}" ]; then
    printf '%s' "$KAMAILIO_DB_URL"
  elif [ -n "${DATABASE_URL:-}" ]; then
    # A database of its own: kamailio's table names (version, location, subscriber) are generic.
    printf '%s_kamailio' "${DATABASE_URL%%\?*}"
  else
    die "set KAMAILIO_DB_URL (or DATABASE_URL, to which _kamailio is appended)" 2
  fi
}

kamailio_bin() {
  if command -v kamailio >/dev/null 2>&1; then command -v kamailio
  elif [ -x /usr/sbin/kamailio ]; then printf '/usr/sbin/kamailio'
  else die "kamailio not found (apt-get install kamailio kamailio-postgres-modules)" 2
  fi
}

check_modules() {
  local bin dir
  bin="$(kamailio_bin)"
  for dir in /usr/lib/x86_64-linux-gnu/kamailio/modules /usr/lib/aarch64-linux-gnu/kamailio/modules /usr/lib/kamailio/modules; do
    [ -f "$dir/db_postgres.so" ] && return 0
  done
  die "kamailio's db_postgres module is missing (apt-get install kamailio-postgres-modules)" 2
}

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

# ---------------------------------------------------------------------------------------------------
cmd_provision() {
  local n="${1:-}"
  [[ "$n" =~ ^[0-9]+$ ]] || die "usage: kamailio.sh provision N (N subscribers, a whole number)" 2
  need psql "apt-get install postgresql-client"
  [ -d "$SCHEMA_DIR" ] || die "$SCHEMA_DIR missing (apt-get install kamailio-postgres-modules)" 2
  local url base name
  url="$(db_url)"
  base="${url%/*}"
  name="${url##*/}"
  [[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || die "database name '$name' must be letters, digits, underscores" 2
  if ! psql "$base/postgres" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    log "creating database $name"
    psql "$base/postgres" -qc "CREATE DATABASE \"$name\"" >/dev/null
  fi
  # Fresh tables every time: a benchmark or test starts from N subscribers and no bindings.
  {
    echo "SET client_min_messages = warning;"
    echo "DROP TABLE IF EXISTS version, subscriber, location, location_attrs CASCADE;"
    cat "$SCHEMA_DIR/standard-create.sql" "$SCHEMA_DIR/auth_db-create.sql" "$SCHEMA_DIR/usrloc-create.sql"
    # ha1 = MD5(user:realm:password), ha1b = MD5(user@domain:realm:password) (RFC 2617, kamailio's auth_db).
    cat <<SQL
INSERT INTO subscriber (username, domain, password, ha1, ha1b)
SELECT u, :'domain', u || '-pw', md5(u || ':' || :'domain' || ':' || u || '-pw'),
       md5(u || '@' || :'domain' || ':' || :'domain' || ':' || u || '-pw')
  FROM (SELECT :'prefix' || i AS u FROM generate_series(1, :n) AS i) AS users;
SQL
  } | psql "$url" -q -v ON_ERROR_STOP=1 -v domain="$DOMAIN" -v prefix="$USER_PREFIX" -v n="$n" >/dev/null
  log "database $name: $n subscribers ${USER_PREFIX}1..${USER_PREFIX}$n @ $DOMAIN (password <username>-pw)"
}

kamailio_args() {
  local url="$1"
  printf '%s\0' -f "$CFG" -E -DD -n 2 -m 64 -M 8 -Y "$RUN" -P "$PID_FILE" \
    -l "udp:$HOST:$PORT" -l "tcp:$HOST:$PORT" \
    -A "DBURL=\"$url\"" -A "SIPDOMAIN=\"$DOMAIN\""
  if [ -n "${KAMAILIO_PSTN_GATEWAY:-}" ]; then
    printf '%s\0' -A "PSTN_GATEWAY=\"$KAMAILIO_PSTN_GATEWAY\""
  fi
}

cmd_start() {
  check_modules
  local pid url bin args=()
  if pid="$(running_pid)"; then log "already running (pid $pid)"; return 0; fi
  url="$(db_url)"
  bin="$(kamailio_bin)"
  mkdir -p "$RUN"
  while IFS= read -r -d '' a; do args+=("$a"); done < <(kamailio_args "$url")
  "$bin" "${args[@]}" -c >"$LOG_FILE" 2>&1 || { tail -n 20 "$LOG_FILE" >&2; die "kamailio.cfg does not check"; }
  # -DD keeps kamailio in the foreground of this background job, so stderr (-E) stays in the log file.
  nohup "$bin" "${args[@]}" >"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  # kamailio writes -P itself (and refuses to start when the file names a live process).
  local deadline=$((SECONDS + READY_TIMEOUT))
  # Ready = the pid file is written and the TCP listener accepts (opened after the UDP one).
  until [ -s "$PID_FILE" ] && (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then tail -n 30 "$LOG_FILE" >&2; die "kamailio exited during start-up"; fi
    if [ "$SECONDS" -ge "$deadline" ]; then tail -n 30 "$LOG_FILE" >&2; die "not listening on $HOST:$PORT after ${READY_TIMEOUT}s"; fi
    sleep 0.1
  done
  log "running (pid $pid) on udp+tcp $HOST:$PORT, domain $DOMAIN, log $LOG_FILE"
}

cmd_run() {
  check_modules
  local url bin args=()
  url="$(db_url)"
  bin="$(kamailio_bin)"
  mkdir -p "$RUN"
  while IFS= read -r -d '' a; do args+=("$a"); done < <(kamailio_args "$url")
  exec "$bin" "${args[@]}"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then log "not running"; rm -f "$PID_FILE"; return 0; fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then log "still running after ${STOP_TIMEOUT}s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; break; fi
    sleep 0.1
  done
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then log "running (pid $pid), log $LOG_FILE"; else log "not running"; exit 3; fi
}

case "${1:-}" in
  provision) shift; cmd_provision "$@" ;;
  start) cmd_start ;;
  run) cmd_run ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) die "usage: kamailio.sh provision N | start | run | stop | status" 2 ;;
esac
