#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft: one JVM that is both broker and controller) for
# Chorus's Pool-edition tests. The jars come from Maven Central via pom.xml; nothing is downloaded
# any other way. Everything the broker writes (config, data, logs, pid) stays in infra/kafka/run/.
#
#   kafka.sh install   copy the broker's jars into lib/ (skipped when lib/ matches pom.xml)
#   kafka.sh start     write run/server.properties, format storage once, start, wait until ready
#   kafka.sh stop      SIGTERM, wait up to 30 s, then SIGKILL
#   kafka.sh restart   stop + start, keeping topics and committed offsets (for broker-restart tests)
#   kafka.sh status    say whether the broker runs and answers
#   kafka.sh reset     stop and delete run/ (data, logs, cluster id): the next start is a new cluster
#   kafka.sh topics …  org.apache.kafka.tools.TopicCommand against this broker (e.g. `topics --list`)
#   kafka.sh groups …  org.apache.kafka.tools.consumer.group.ConsumerGroupCommand against this broker
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP_OPTS (-Xms256m -Xmx512m),
# KAFKA_READY_TIMEOUT seconds (90). Clients connect to 127.0.0.1:$KAFKA_PORT; tests read KAFKA_BROKERS.
#
# Exit codes: 0 done (also: start when already running, stop when not running);
#             1 failed (the reason, and on a failed start the log tails, on stderr);
#             2 usage error, missing prerequisite (java, mvn, lib/, node_modules/kafkajs), a port held
#               by another process, or run/ formatted for other ports;
#             3 status: not running.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
LIB="$HERE/lib"
PARTIAL="$HERE/target/lib.partial" # target/ is git-ignored too
RUN="$HERE/run"
DATA="$RUN/data"
PID_FILE="$RUN/kafka.pid"
CONFIG="$RUN/server.properties"
SERVER_LOG="$RUN/server.log" # log4j2 (see log4j2.properties)
JVM_OUT="$RUN/kafka.out"     # the JVM's own stdout/stderr: what dies before log4j is up lands here
LISTENERS_FILE="$RUN/formatted-listeners"

HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
STOP_TIMEOUT=30

log() { printf 'kafka: %s\n' "$*"; }
die() { printf 'kafka: %s\n' "$1" >&2; exit "${2:-1}"; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)" 2; }

# ---------------------------------------------------------------------------------------------------
# install

# lib/.complete records the pom.xml it was resolved from and every jar copied, so a changed pom or a
# deleted jar means "resolve again" rather than a broker that dies with NoClassDefFoundError.
pom_digest() { sha256sum "$HERE/pom.xml" | cut -d' ' -f1; }

lib_complete() {
  local stamp="$LIB/.complete" jar
  [ -f "$stamp" ] || return 1
  [ "$(head -n 1 "$stamp")" = "pom $(pom_digest)" ] || return 1
  while IFS= read -r jar; do
    [ -f "$LIB/$jar" ] || return 1
  done < <(tail -n +2 "$stamp")
}

cmd_install() {
  need java "install a JDK 17+"
  need mvn "apt-get install maven"
  if lib_complete; then
    log "lib/ already matches pom.xml ($(($(wc -l <"$LIB/.complete") - 1)) jars): nothing to do"
    return 0
  fi
  log "resolving broker jars with Maven into lib/"
  # Into a scratch folder first: an interrupted copy must never look like a complete lib/.
  rm -rf "$PARTIAL"
  mkdir -p "$HERE/target"
  # Maven's output is kept for the failure case only (even -q prints stray colour codes).
  local out
  out="$(cd "$HERE" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$PARTIAL" 2>&1)" ||
    { printf '%s\n' "$out" >&2; die "mvn dependency:copy-dependencies failed"; }
  {
    echo "pom $(pom_digest)"
    (cd "$PARTIAL" && ls -1 -- *.jar)
  } >"$PARTIAL/.complete"
  rm -rf "$LIB"
  mv "$PARTIAL" "$LIB"
  log "lib/ ready ($(($(wc -l <"$LIB/.complete") - 1)) jars)"
}

# ---------------------------------------------------------------------------------------------------
# process bookkeeping

# Prints the broker's pid when the process named in the pid file is alive AND is this broker. Checking
# the command line guards against a recycled pid (and a zombie, whose command line is empty).
broker_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "kafka.Kafka $CONFIG" || return 1
  printf '%s\n' "$pid"
}

# Liveness of a process this shell started itself: until the shell reaps it, its pid cannot be reused,
# so no command-line check is needed (and none is possible for the first milliseconds, before nohup
# has exec'd java). A zombie has exited.
child_alive() { [ -r "/proc/$1/status" ] && ! grep -qE '^State:[[:space:]]+Z' "/proc/$1/status"; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

jvm_logging_opts() {
  printf '%s\n' "-Dlog4j2.configurationFile=$HERE/log4j2.properties" "-Dkafka.logs.dir=$1"
}

print_log_tails() {
  local f
  for f in "$JVM_OUT" "$SERVER_LOG"; do
    [ -s "$f" ] || continue
    printf '\n----- last 40 lines of %s -----\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
}

# ---------------------------------------------------------------------------------------------------
# start

write_config() {
  cat >"$CONFIG" <<EOF
# Written by infra/kafka/kafka.sh on every start: change the script, not this file.
# Single node, KRaft combined mode: this process is the only broker and the only controller.
node.id=1
process.roles=broker,controller
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
# Kafka 4.x dynamic quorum (KIP-853): formatted with --standalone, found through this address.
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
log.dirs=$DATA

# Chorus creates its topics explicitly; a typo in a topic name must fail, not create a topic.
auto.create.topics.enable=false
num.partitions=6

# One node: internal topics cannot have more than one replica. Fewer partitions than the default 50
# make the first consumer group / transaction on a fresh broker wait less for its coordinator.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Tests join consumer groups constantly; the default 3 s wait for more members would be paid every time.
group.initial.rebalance.delay.ms=0

# Sized for a 2-core test machine rather than a production host.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
}

# Storage is formatted once per run/ folder: restarts keep topics, offsets and the cluster id.
format_storage_once() {
  [ -f "$DATA/meta.properties" ] && return 0
  local cluster_id
  # A Kafka cluster id is 16 random bytes in unpadded base64url (what `kafka-storage random-uuid` prints).
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  log "formatting storage (cluster id $cluster_id)"
  local opts
  mapfile -t opts < <(jvm_logging_opts "$RUN")
  java -Xmx256m "${opts[@]}" -cp "$LIB/*" kafka.tools.StorageTool \
    format --cluster-id "$cluster_id" --config "$CONFIG" --standalone >"$RUN/format.out" 2>&1 ||
    { cat "$RUN/format.out" >&2; die "formatting storage failed"; }
  printf '%s\n' "$PORT $CONTROLLER_PORT" >"$LISTENERS_FILE"
}

# Polls until the broker serves metadata (see wait-ready.mjs), the process dies, or the deadline passes.
wait_ready() {
  local pid="$1" deadline=$((SECONDS + READY_TIMEOUT)) probe="port $PORT not accepting connections yet"
  while :; do
    if ! child_alive "$pid"; then
      local status=0
      wait "$pid" 2>/dev/null || status=$?
      print_log_tails
      rm -f "$PID_FILE"
      die "broker process $pid exited during start-up (exit status $status)"
    fi
    if port_open "$PORT"; then
      if probe="$(cd "$REPO" && node "$HERE/wait-ready.mjs" "$HOST:$PORT" 2>&1)"; then
        log "$probe (pid $pid, ${SECONDS}s)"
        return 0
      fi
    fi
    if ((SECONDS >= deadline)); then
      print_log_tails
      printf 'kafka: not ready after %ss (last probe: %s); stopping it\n' "$READY_TIMEOUT" "$probe" >&2
      cmd_stop >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

cmd_start() {
  need java "install a JDK 17+"
  need node "the readiness probe uses kafkajs"
  lib_complete || die "lib/ is missing or stale: run 'bash infra/kafka/kafka.sh install' first" 2
  [ -f "$REPO/node_modules/kafkajs/package.json" ] ||
    die "node_modules/kafkajs missing: run 'npm ci' first (the readiness probe uses it)" 2
  mkdir -p "$RUN"
  SECONDS=0
  # The standalone quorum stores the controller's address when storage is formatted, and a broker that
  # is already running listens where it was started: other ports need a fresh run/ folder.
  if [ -f "$LISTENERS_FILE" ]; then
    local formatted
    formatted="$(cat "$LISTENERS_FILE")"
    [ "$formatted" = "$PORT $CONTROLLER_PORT" ] ||
      die "run/ belongs to a broker on ports '$formatted' (broker, controller), not '$PORT $CONTROLLER_PORT': run 'kafka.sh reset' first" 2
  fi

  local pid
  if pid="$(broker_pid)"; then
    log "already running (pid $pid)"
    wait_ready "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  local p
  for p in "$PORT" "$CONTROLLER_PORT"; do
    if port_open "$p"; then die "port $p on $HOST is taken by another process (not the broker in $RUN)" 2; fi
  done

  write_config
  format_storage_once

  # A failed start prints the log tails: they must be this start's, not the previous run's shutdown.
  if [ -f "$SERVER_LOG" ]; then mv -f "$SERVER_LOG" "$SERVER_LOG.previous"; fi
  local opts
  mapfile -t opts < <(jvm_logging_opts "$RUN")
  # Word splitting of HEAP_OPTS is wanted: it holds several JVM flags.
  # shellcheck disable=SC2086
  nohup java $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true "${opts[@]}" -cp "$LIB/*" kafka.Kafka "$CONFIG" \
    >"$JVM_OUT" 2>&1 </dev/null &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  log "started pid $pid on $HOST:$PORT (controller $HOST:$CONTROLLER_PORT), waiting up to ${READY_TIMEOUT}s"
  wait_ready "$pid"
}

# ---------------------------------------------------------------------------------------------------
# stop / status / reset / tools

cmd_stop() {
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping pid $pid (SIGTERM, up to ${STOP_TIMEOUT}s)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while broker_pid >/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if broker_pid >/dev/null; then
    log "still running after ${STOP_TIMEOUT}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      broker_pid >/dev/null || break
      sleep 0.1
    done
    broker_pid >/dev/null && die "pid $pid survived SIGKILL"
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if ! pid="$(broker_pid)"; then
    log "not running"
    return 3
  fi
  if port_open "$PORT"; then
    log "running (pid $pid) on $HOST:$PORT"
  else
    log "process $pid is up but $HOST:$PORT does not accept connections"
    return 1
  fi
}

cmd_reset() {
  cmd_stop
  rm -rf "$RUN"
  log "run/ deleted: the next start formats a new cluster"
}

run_tool() {
  local main="$1"
  shift
  lib_complete || die "lib/ is missing or stale: run 'bash infra/kafka/kafka.sh install' first" 2
  local opts
  # The tools log to their own folder so their lines never mix into the broker's server.log.
  mapfile -t opts < <(jvm_logging_opts "$RUN/tools")
  exec java -Xmx256m "${opts[@]}" -cp "$LIB/*" "$main" --bootstrap-server "$HOST:$PORT" "$@"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop && cmd_start ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  topics) shift && run_tool org.apache.kafka.tools.TopicCommand "$@" ;;
  groups) shift && run_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@" ;;
  *) usage ;;
esac
