#!/usr/bin/env bash
# Compares ringline's example servers with Netty 4.2 peers (io_uring, epoll, nio), native reference
# servers (C liburing and C epoll echo from bench/native, redis-server) under the same load, in one run:
# server pinned to one core, client to another, warm-up, then measurement. Echo load comes from the
# native client bench/native/echo-client.c (built here with gcc). Prints one Markdown table per scenario
# and writes them to bench/results/<ts>.md.
#
#   bench/compare.sh [--quick | --headline] [--runs N] [--only echo|resp|http|tls|udp[,...]]
#
# --headline: the issue-9 headline rows only (echo 64 B at 1, 64 and 256 connections, 64 connections
# pipelined x16, 16 KiB at 64 connections; RESP -P 1 and -P 16; HTTP plain and pipelined), 6 s warm-up (a JVM
# pinned to one core compiles its hot path on that core: 2 s are not enough, see BENCHMARKS.md),
# 3 s measured, Netty with Unsafe on. --runs N repeats every scenario N times, the servers interleaved
# round by round (server A, B, C, then A, B, C again, so a slow minute hits every server alike); the
# table then shows the median of each column, the req/s spread (min-max) and ratios of medians.
#
# tls (part of the full run; --quick and --headline leave it out unless --only names it; tls-echo, tls-http,
# tls-resp name one part): echo 1 KiB x 64
# connections over TLS 1.3 (echo-client --tls), HTTP plaintext over https (wrk, plain and pipelined) and
# RESP SET/GET over TLS (redis-benchmark --tls --insecure, -P 1 and -P 16). Servers: ringline io_uring and
# nio with each provider of TLS_PROVIDERS (--tls-provider jdk|openssl), Netty epoll and io_uring with
# SslHandler and the same provider (Unsafe on unless NETTY_UNSAFE=off; echo and HTTP), redis-server
# --tls-port (RESP). Extra columns: ratios vs the best Netty row with the same provider.
#
# udp (part of the full run; --quick and --headline leave it out unless --only names it): UDP echo of 64 B and
# 1400 B datagrams, closed loop, bench/native/udp-echo-client (UDP_SOCKETS connected sockets x UDP_INFLIGHT
# datagrams in flight, recvmmsg/sendmmsg, a datagram not echoed within 100 ms counted lost and re-sent).
# Servers, 1 worker/event loop each: ringline udp-echo on io_uring and nio, Netty netty-udp-echo on epoll and
# io_uring (EpollDatagramChannel / IoUringDatagramChannel, SO_REUSEPORT, batched reads of 16 x 2048 B, Unsafe
# on unless NETTY_UNSAFE=off). req/s = datagrams echoed per second; CPU s / M req = server CPU per million
# datagrams; losses in the note. UDP_SECONDS measured (default 5: --only udp --runs 3 takes about 4 minutes).
#
# Environment (all optional):
#   BENCH_SECONDS   measurement seconds per run, integer (quick: 3, full: 10)
#   WARMUP_SECONDS  warm-up seconds per run, integer (quick: 1, full: 3)
#   ECHO_CONNS / ECHO_SIZES   the full run's echo sweep ("1 16 64 256" / "64 1024 16384")
#   ECHO_PIPELINE   requests in flight per connection in the pipelined echo scenarios (16)
#   SERVER_CPU / CLIENT_CPU   cores for taskset (0 / 1)
#   JVM_OPTS        extra JVM flags for every Java server (default: -Xms256m -Xmx1g)
#   NETTY_UNSAFE    on|off|both: Netty peers with -Dio.netty.noUnsafe=false (on), default JDK 25
#                   behaviour (off), or both rows (quick: on, full: both)
#   REDIS_N_P16 / REDIS_N_P1  requests per redis-benchmark test (default scales with BENCH_SECONDS)
#   JAVA_HOME       a JDK 25 (default /usr/lib/jvm/temurin-25-jdk-amd64 when present)
#   OPEN_RATE       offered load of the full run's open-loop echo scenario (50000 req/s; Java load-echo)
#   BASE_PORT       first TCP port to use (17100)
#   SKIP_BUILD=1    never run mvn (ringline rows are skipped when ringline-examples.jar is missing)
#   BENCH_JAR / EXAMPLES_JAR  use these jars instead of the ones under */target
#   TLS_CERT / TLS_KEY   PEM certificate and key of the TLS rows (testdata/tls/server.crt / server.key)
#   TLS_PROVIDERS   providers of the TLS rows ("jdk openssl")
#   UDP_SECONDS / UDP_WARMUP_SECONDS   measurement / warm-up seconds of a UDP row (BENCH_SECONDS, else 5 / the warm-up)
#   UDP_SOCKETS / UDP_INFLIGHT   client sockets and datagrams in flight per socket of the UDP rows (16 / 4)
#   UDP_SIZES       datagram sizes of the UDP rows ("64 1400")
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

QUICK=0
HEADLINE=0
RUNS=1
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --headline) HEADLINE=1 ;;
    --runs) RUNS="$2"; shift ;;
    --runs=*) RUNS="${1#--runs=}" ;;
    --only) ONLY="$2"; shift ;;
    --only=*) ONLY="${1#--only=}" ;;
    -h|--help) sed -n '2,52p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "--runs must be a positive integer, was '$RUNS'" >&2; exit 2; }
if [ -z "$ONLY" ]; then
  if [ "$HEADLINE" = 1 ] || [ "$QUICK" = 1 ]; then ONLY="echo,resp,http"; else ONLY="echo,resp,http,tls,udp"; fi
fi
for scenario in ${ONLY//,/ }; do
  case "$scenario" in echo|resp|http|tls|tls-echo|tls-http|tls-resp|udp) ;;
    *) echo "--only takes echo, resp, http, tls (or one part: tls-echo, tls-http, tls-resp), udp, was '$scenario'" >&2; exit 2 ;; esac
done
if [ "$HEADLINE" = 1 ]; then
  SECS="${BENCH_SECONDS:-3}"; WARM="${WARMUP_SECONDS:-6}"; UNSAFE_MODE="${NETTY_UNSAFE:-on}"
elif [ "$QUICK" = 1 ]; then
  SECS="${BENCH_SECONDS:-3}"; WARM="${WARMUP_SECONDS:-1}"; UNSAFE_MODE="${NETTY_UNSAFE:-on}"
else
  SECS="${BENCH_SECONDS:-10}"; WARM="${WARMUP_SECONDS:-3}"; UNSAFE_MODE="${NETTY_UNSAFE:-both}"
fi
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
JVM_OPTS="${JVM_OPTS:--Xms256m -Xmx1g}"
PORT="${BASE_PORT:-17100}"
CLK_TCK="$(getconf CLK_TCK)"
TLS_CERT="${TLS_CERT:-$ROOT/testdata/tls/server.crt}"
TLS_KEY="${TLS_KEY:-$ROOT/testdata/tls/server.key}"
TLS_PROVIDERS="${TLS_PROVIDERS:-jdk openssl}"
UDP_SECS="${UDP_SECONDS:-${BENCH_SECONDS:-5}}"
UDP_WARM="${UDP_WARMUP_SECONDS:-$WARM}"
UDP_SOCKETS="${UDP_SOCKETS:-16}"
UDP_INFLIGHT="${UDP_INFLIGHT:-4}"
UDP_SIZES="${UDP_SIZES:-64 1400}"
for v in UDP_SECS UDP_WARM UDP_SOCKETS UDP_INFLIGHT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "$v must be a non-negative integer, was '${!v}'" >&2; exit 2; }
done
for p in $TLS_PROVIDERS; do
  case "$p" in jdk|openssl) ;; *) echo "TLS_PROVIDERS takes jdk and/or openssl, was '$TLS_PROVIDERS'" >&2; exit 2 ;; esac
done

if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ -n "${JAVA_HOME:-}" ]; then export JAVA_HOME; export PATH="$JAVA_HOME/bin:$PATH"; fi
JAVA="$(command -v java)"

BENCH_JAR="${BENCH_JAR:-$ROOT/ringline-bench/target/ringline-bench.jar}"
EXAMPLES_JAR="${EXAMPLES_JAR:-$ROOT/ringline-examples/target/ringline-examples.jar}"
RESULTS_DIR="$ROOT/bench/results"
TS="$(date +%Y%m%d-%H%M%S)"
RESULT_FILE="$RESULTS_DIR/$TS.md"
WORK="$(mktemp -d /tmp/ringline-bench.XXXXXX)"
T0=$SECONDS

log() { echo "[compare $(( SECONDS - T0 ))s] $*" >&2; }

# ---------------------------------------------------------------- cleanup: never leave servers behind
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools
ensure_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v redis-benchmark >/dev/null || missing+=(redis-tools)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v gcc >/dev/null || missing+=(gcc)
  [ -f /usr/include/liburing.h ] || missing+=(liburing-dev)
  [ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} with apt-get"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 \
      || { echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
  fi
}

ensure_jars() {
  if [ "${SKIP_BUILD:-0}" != 1 ] && { [ ! -f "$BENCH_JAR" ] || [ ! -f "$EXAMPLES_JAR" ]; }; then
    log "building (mvn -B -q -DskipTests package)"
    if ! mvn -B -q -DskipTests package >&2; then
      log "full build failed; building ringline-bench alone"
      mvn -B -q -DskipTests -pl ringline-bench -am package >&2 || { echo "cannot build ringline-bench" >&2; exit 1; }
    fi
  fi
  [ -f "$BENCH_JAR" ] || { echo "missing $BENCH_JAR" >&2; exit 1; }
}

# Builds bench/native/*.c into $NATIVE_BIN (a temp dir). The client is required; a server that does not
# build is a skipped row (its reason in $NATIVE_BIN/<name>.err).
NATIVE_BIN="$WORK/native"
build_native() {
  mkdir -p "$NATIVE_BIN"
  local src name libs
  for src in "$ROOT"/bench/native/echo-client.c "$ROOT"/bench/native/echo-epoll.c "$ROOT"/bench/native/echo-uring.c \
      "$ROOT"/bench/native/udp-echo-client.c; do
    name="$(basename "$src" .c)"; libs=""
    [ "$name" = echo-uring ] && libs="-luring"
    [ "$name" = echo-client ] && libs="-lssl -lcrypto"
    # shellcheck disable=SC2086
    gcc -O2 -Wall -Werror -o "$NATIVE_BIN/$name" "$src" $libs 2>"$NATIVE_BIN/$name.err" \
      || log "cannot build $name: $(head -c 300 "$NATIVE_BIN/$name.err")"
  done
  [ -x "$NATIVE_BIN/echo-client" ] || { echo "cannot build bench/native/echo-client.c" >&2; exit 1; }
  if has udp && [ ! -x "$NATIVE_BIN/udp-echo-client" ]; then
    echo "cannot build bench/native/udp-echo-client.c: $(head -c 300 "$NATIVE_BIN/udp-echo-client.err")" >&2; exit 1
  fi
}

# ---------------------------------------------------------------- process helpers
next_port() { PORT=$((PORT + 1)); echo "$PORT"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# listener_owned PORT PID: 0 when PID holds the socket listening on 127.0.0.1/0.0.0.0/[::]:PORT. Other
# sessions may benchmark on this machine at the same time: an open port alone may be someone else's server.
listener_owned() {
  local hex inodes ino
  hex="$(printf '%04X' "$1")"
  inodes="$(awk -v p=":$hex" '$2 ~ p "$" && $4 == "0A" { print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)"
  for ino in $inodes; do
    ls -l "/proc/$2/fd" 2>/dev/null | grep -q "socket:\[$ino\]" && return 0
  done
  return 1
}

# wait_port PORT PID DEADLINE_SECONDS: 0 when PID listens on PORT, 1 when the process died or the deadline passed
wait_port() {
  local port=$1 pid=$2 deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    port_open "$port" && listener_owned "$port" "$pid" && return 0
    sleep 0.05
  done
  return 1
}

# udp_inodes PORT: socket inodes of the UDP sockets bound to local port PORT (any address, IPv4 or IPv6)
udp_inodes() {
  local hex; hex="$(printf '%04X' "$1")"
  awk -v p=":$hex" '$2 ~ p "$" { print $10 }' /proc/net/udp /proc/net/udp6 2>/dev/null
}

udp_port_taken() { [ -n "$(udp_inodes "$1")" ]; }

# wait_udp_port PORT PID DEADLINE_SECONDS: 0 when PID holds a UDP socket bound to PORT (as wait_port for TCP)
wait_udp_port() {
  local port=$1 pid=$2 deadline=$((SECONDS + $3)) ino
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    for ino in $(udp_inodes "$port"); do
      ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "socket:\[$ino\]" && return 0
    done
    sleep 0.05
  done
  return 1
}

cpu_ticks() { # utime+stime of a pid (fields 14 and 15, counted after the ')' closing the name)
  local stat rest
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo -1; return; }
  rest="${stat##*) }"
  # shellcheck disable=SC2086
  set -- $rest
  echo $(( ${12} + ${13} ))
}

vmhwm_mib() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "-"; }

# Server catalogue: name|kind(ringline|netty|native)|launcher
# A launcher is a function taking KIND PORT LOG that starts the server in the background, pinned.
NETTY_BASE_FLAGS="--enable-native-access=ALL-UNNAMED"
NETTY_UNSAFE_FLAGS="-Dio.netty.noUnsafe=false --sun-misc-unsafe-memory-access=allow"

launch_ringline() { # BACKEND KIND PORT LOG [EXTRA_ARGS...]
  local backend=$1 kind=$2 port=$3 logf=$4
  shift 4
  if [ ! -f "$EXAMPLES_JAR" ]; then echo "ringline-examples.jar missing" >"$logf"; return 1; fi
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CPU" "$JAVA" $JVM_OPTS --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    "-Dringline.backend=$backend" -jar "$EXAMPLES_JAR" "$kind" --port "$port" --workers 1 "$@" >"$logf" 2>&1 &
  SERVER_PID=$!
}

launch_netty() { # TRANSPORT UNSAFE(on|off) KIND PORT LOG [EXTRA_ARGS...]
  local transport=$1 unsafe=$2 kind=$3 port=$4 logf=$5 flags="$NETTY_BASE_FLAGS"
  shift 5
  [ "$unsafe" = on ] && flags="$flags $NETTY_UNSAFE_FLAGS"
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CPU" "$JAVA" $JVM_OPTS $flags -jar "$BENCH_JAR" "netty-$kind" --port "$port" \
    --transport "$transport" --threads 1 "$@" >"$logf" 2>&1 &
  SERVER_PID=$!
}

# TLS servers: the same launchers with the PEM certificate and key and a provider (jdk|openssl)
launch_ringline_tls() { # BACKEND PROVIDER KIND PORT LOG
  launch_ringline "$1" "$3" "$4" "$5" --tls-cert "$TLS_CERT" --tls-key "$TLS_KEY" --tls-provider "$2"
}

TLS_NETTY_UNSAFE="$( [ "$UNSAFE_MODE" = off ] && echo off || echo on )"
launch_netty_tls() { # TRANSPORT PROVIDER KIND PORT LOG
  launch_netty "$1" "$TLS_NETTY_UNSAFE" "$3" "$4" "$5" --tls-cert "$TLS_CERT" --tls-key "$TLS_KEY" --tls-provider "$2"
}

launch_native() { # BINARY KIND PORT LOG
  local bin=$1 port=$3 logf=$4
  if [ ! -x "$NATIVE_BIN/$bin" ]; then echo "$bin did not build: $(head -c 150 "$NATIVE_BIN/$bin.err")" >"$logf"; return 1; fi
  taskset -c "$SERVER_CPU" "$NATIVE_BIN/$bin" --port "$port" >"$logf" 2>&1 &
  SERVER_PID=$!
}

launch_redis() { # KIND PORT LOG
  local port=$2 logf=$3
  taskset -c "$SERVER_CPU" redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --protected-mode no --daemonize no --io-threads 1 >"$logf" 2>&1 &
  SERVER_PID=$!
}

launch_redis_tls() { # KIND PORT LOG: TLS only (Debian's redis-server is built with OpenSSL)
  local port=$2 logf=$3
  taskset -c "$SERVER_CPU" redis-server --port 0 --tls-port "$port" --tls-cert-file "$TLS_CERT" \
    --tls-key-file "$TLS_KEY" --tls-auth-clients no --bind 127.0.0.1 --save '' --appendonly no \
    --protected-mode no --daemonize no --io-threads 1 >"$logf" 2>&1 &
  SERVER_PID=$!
}

# servers_for PROTOCOL -> lines "name|kind|launcher args..."
servers_for() {
  local proto=$1 u
  echo "ringline-io_uring|ringline|launch_ringline io_uring"
  echo "ringline-nio|ringline|launch_ringline nio"
  local unsafe_list
  case "$UNSAFE_MODE" in on) unsafe_list="on" ;; off) unsafe_list="off" ;; *) unsafe_list="on off" ;; esac
  for t in io_uring epoll nio; do
    for u in $unsafe_list; do
      local suffix=""
      [ "$UNSAFE_MODE" = both ] && suffix="$( [ "$u" = on ] && echo "+unsafe" || echo "-nounsafe")"
      echo "netty-$t$suffix|netty|launch_netty $t $u"
    done
  done
  [ "$proto" = resp ] && echo "redis-server|native|launch_redis"
  if [ "$proto" = echo ]; then
    echo "c-liburing|native|launch_native echo-uring"
    echo "c-epoll|native|launch_native echo-epoll"
  fi
  true
}

# servers_for_tls PROTOCOL -> lines "name|kind|launcher args...|provider" (the provider groups the
# "vs Netty, same provider" ratios)
servers_for_tls() {
  local proto=$1 p t
  for p in $TLS_PROVIDERS; do
    echo "ringline-io_uring+$p|ringline|launch_ringline_tls io_uring $p|$p"
    echo "ringline-nio+$p|ringline|launch_ringline_tls nio $p|$p"
    if [ "$proto" != resp ]; then
      for t in io_uring epoll; do echo "netty-$t+$p|netty|launch_netty_tls $t $p|$p"; done
    fi
  done
  [ "$proto" = resp ] && echo "redis-server|native|launch_redis_tls|"
  true
}

# servers_for_udp -> lines "name|kind|launcher args..." of the UDP echo rows; their KIND is udp-echo
# (ringline-examples.jar udp-echo, ringline-bench.jar netty-udp-echo)
servers_for_udp() {
  echo "ringline-io_uring|ringline|launch_ringline io_uring"
  echo "ringline-nio|ringline|launch_ringline nio"
  local t
  for t in epoll io_uring; do echo "netty-$t|netty|launch_netty $t $TLS_NETTY_UNSAFE"; done
}

# server_list PROTOCOL MODE(plain|tls): the servers of a scenario
server_list() { if [ "$2" = tls ]; then servers_for_tls "$1"; else servers_for "$1"; fi; }

# start_server "launcher args" KIND -> sets SERVER_PID, SERVER_PORT; returns 1 (and sets SKIP_REASON) on failure
start_server() {
  local launcher=$1 kind=$2
  SERVER_PORT=$(next_port)
  while port_open "$SERVER_PORT" || udp_port_taken "$SERVER_PORT"; do SERVER_PORT=$(next_port); done
  SERVER_LOG="$WORK/server-$SERVER_PORT.log"
  SKIP_REASON=""
  # shellcheck disable=SC2086
  if ! $launcher "$kind" "$SERVER_PORT" "$SERVER_LOG"; then
    SKIP_REASON="$(head -c 200 "$SERVER_LOG" | tr '\n|' '  ')"; SERVER_PID=""; return 1
  fi
  local waiter=wait_port
  [ "$kind" = udp-echo ] && waiter=wait_udp_port
  if ! $waiter "$SERVER_PORT" "$SERVER_PID" 20; then
    local why
    why="$(grep -m1 -iE 'unknown|usage|error|exception|unavailable' "$SERVER_LOG")"
    [ -n "$why" ] || why="$(head -1 "$SERVER_LOG")"
    kill -0 "$SERVER_PID" 2>/dev/null && why="no $( [ "$kind" = udp-echo ] && echo "UDP socket" || echo listener) on port $SERVER_PORT after 20 s${why:+: $why}"
    SKIP_REASON="did not start: $(head -c 200 <<<"$why" | tr '|\n' '  ')"
    stop_server
    return 1
  fi
  return 0
}

# Netty servers print a JSON line with their configuration: surface hasUnsafe in the note column.
server_note() { grep -o '"hasUnsafe":[a-z]*' "$SERVER_LOG" 2>/dev/null | head -1 | sed 's/"hasUnsafe":/hasUnsafe=/'; }

# "server core N% busy" from CPU seconds over wall seconds: well under 100% means the client (or the
# network stack) limited the run, not the server.
busy_note() { awk -v c="$1" -v w="$2" 'BEGIN { if (c >= 0 && w > 0) printf "server core %.0f%% busy", 100 * c / w }'; }

# ---------------------------------------------------------------- result rows
# Row file per scenario: name<TAB>kind<TAB>rps<TAB>p50<TAB>p99<TAB>p999<TAB>cpu_s_per_M<TAB>rss_mib<TAB>note[<TAB>group]
# group (optional, the TLS provider): a table with groups gets ratios vs the best Netty row of the same group
add_row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10:-}" >>"$ROWS"; }

json_num() { # KEY JSON -> number or empty
  sed -n "s/.*\"$1\":\\(-\\{0,1\\}[0-9.]*\\).*/\\1/p" <<<"$2" | head -1
}

cpu_per_million() { # CPU_SECONDS REQUESTS
  awk -v c="$1" -v r="$2" 'BEGIN { if (c < 0 || r <= 0) print "-"; else printf "%.3f", c / (r / 1e6) }'
}

begin_scenario() { # TITLE DESCRIPTION
  SCENARIO_TITLE=$1; SCENARIO_DESC=$2
  ROWS="$WORK/rows-$(date +%s%N)"; : >"$ROWS"
  log "scenario: $SCENARIO_TITLE"
}

end_scenario() {
  {
    echo
    echo "### $SCENARIO_TITLE"
    echo
    echo "$SCENARIO_DESC"
    echo
    awk -F'\t' -v runs="$RUNS" '
      # a positive number: a field as printed, or a computed value (awk renders large non-integral
      # numbers as 1.23457e+06 when it compares them as strings)
      function num(x) { return x ~ /^[0-9.]+([eE][+-]?[0-9]+)?$/ && x + 0 > 0 }
      # median of the numeric values in the space-separated list l ("-" when none)
      function median(l,   a, k, i, j, t) {
        k = split(l, a, " "); if (k == 0) return "-"
        for (i = 2; i <= k; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return k % 2 ? a[(k + 1) / 2] + 0 : (a[k / 2] + a[k / 2 + 1]) / 2
      }
      function add(col, i, v) { if (num(v)) vals[col, i] = vals[col, i] " " v }
      { if (!($1 in idx)) { idx[$1] = ++n; name[n] = $1; kind[n] = $2; first[n] = $3; note[n] = $9; grp[n] = $10; if ($10 != "" && $2 == "netty") grouped = 1 }
        i = idx[$1]; seen[i]++
        add("rps", i, $3); add("p50", i, $4); add("p99", i, $5); add("p999", i, $6); add("cpu", i, $7); add("rss", i, $8)
        if (num($3)) { ok[i]++; if (!(i in lo) || $3 + 0 < lo[i]) lo[i] = $3 + 0; if ($3 + 0 > hi[i]) hi[i] = $3 + 0 }
        else if (note[i] == "" || !num(first[i])) note[i] = $9 }
      function show(col, i, fmt,   m) { m = median(vals[col, i]); return m == "-" ? (col == "rps" ? first[i] : "-") : sprintf(fmt, m) }
      END {
        for (i = 1; i <= n; i++) {
          rps[i] = median(vals["rps", i]); cpu[i] = median(vals["cpu", i])
          if ((kind[i] == "netty" || kind[i] == "native") && num(rps[i]) && rps[i] + 0 > best[kind[i]]) { best[kind[i]] = rps[i] + 0; bestname[kind[i]] = name[i] }
          if ((kind[i] == "netty" || kind[i] == "native") && num(cpu[i]) && (bestcpu[kind[i]] == 0 || cpu[i] + 0 < bestcpu[kind[i]])) bestcpu[kind[i]] = cpu[i] + 0
          if (kind[i] == "netty" && grp[i] != "" && num(rps[i]) && rps[i] + 0 > gbest[grp[i]]) { gbest[grp[i]] = rps[i] + 0; gbestname[grp[i]] = name[i] }
          if (kind[i] == "netty" && grp[i] != "" && num(cpu[i]) && (gbestcpu[grp[i]] == 0 || cpu[i] + 0 < gbestcpu[grp[i]])) gbestcpu[grp[i]] = cpu[i] + 0
        }
        multi = runs > 1
        printf "| server | req/s%s |%s p50 (us) | p99 (us) | p99.9 (us) | CPU s / M req | peak RSS (MiB) | req/s vs best Netty | req/s vs best native | CPU/req vs best Netty | CPU/req vs best native |%s note |\n", multi ? " (median)" : "", multi ? " req/s min-max (runs) |" : "", grouped ? " req/s vs best Netty, same provider | CPU/req vs best Netty, same provider |" : ""
        printf "|---|---:|%s---:|---:|---:|---:|---:|---:|---:|---:|---:|%s---|\n", multi ? "---|" : "", grouped ? "---:|---:|" : ""
        for (i = 1; i <= n; i++) {
          spread = ""
          if (multi) spread = (ok[i] > 0 ? sprintf(" %.0f-%.0f (%d/%d, +-%.0f%%)", lo[i], hi[i], ok[i], seen[i], rps[i] > 0 ? 50 * (hi[i] - lo[i]) / rps[i] : 0) : " - (0/" seen[i] ")") " |"
          same = grouped ? sprintf(" %s | %s |", ratio(rps[i], gbest[grp[i]]), ratio(cpu[i], gbestcpu[grp[i]])) : ""
          printf "| %s | %s |%s %s | %s | %s | %s | %s | %s | %s | %s | %s |%s %s |\n", name[i], show("rps", i, "%.0f"), spread,
            show("p50", i, "%.1f"), show("p99", i, "%.1f"), show("p999", i, "%.1f"), show("cpu", i, "%.3f"), show("rss", i, "%.1f"),
            ratio(rps[i], best["netty"]), ratio(rps[i], best["native"]), ratio(cpu[i], bestcpu["netty"]), ratio(cpu[i], bestcpu["native"]), same, note[i]
        }
        line = ""
        if (best["netty"] > 0) line = " Netty " bestname["netty"]
        if (best["native"] > 0) line = line (line != "" ? "," : "") " native " bestname["native"]
        if (line != "") printf "\nBest by %sreq/s:%s.\n", multi ? "median " : "", line
        line = ""
        for (g in gbestname) line = line (line != "" ? "," : "") " " g " " gbestname[g]
        if (line != "") printf "Best Netty per provider by %sreq/s:%s.\n", multi ? "median " : "", line
      }
      function ratio(v, ref) { return num(v) && ref > 0 ? sprintf("%.2fx", v / ref) : "-" }
    ' "$ROWS"
  } | tee -a "$RESULT_FILE"
}

# ---------------------------------------------------------------- echo
kv_num() { # KEY LINE -> value of KEY=value in a key=value line, or empty
  sed -n "s/.*\(^\| \)$1=\(-\{0,1\}[0-9.]*\).*/\2/p" <<<"$2" | head -1
}

# "client core N% busy": near 100% means the client, not the server, limited the row.
client_busy_note() { awk -v c="$1" -v w="$2" 'BEGIN { if (c >= 0 && w > 0) printf "client core %.0f%% busy", 100 * c / w }'; }

run_echo() { # CONNECTIONS SIZE PIPELINE [MODE plain|tls]: closed loop, native client
  local conns=$1 size=$2 pipe=$3 mode=${4:-plain} what="closed loop" over="" client_tls=() tls_desc=""
  [ "$pipe" -gt 1 ] && what="$pipe requests in flight per connection (pipelined), closed loop"
  if [ "$mode" = tls ]; then
    over=" over TLS 1.3"; client_tls=(--tls --tls-version 1.3)
    tls_desc=" TLS: echo-client --tls --tls-version 1.3 (OpenSSL $(openssl version 2>/dev/null | awk '{print $2}'), no verification), every connection's handshake done before the warm-up; the note names the negotiated suite (each server's preference); servers get --tls-cert/--tls-key ($(basename "$TLS_CERT"), RSA 2048) and --tls-provider; Netty adds SslHandler first in the pipeline; ratios vs the best Netty row with the same provider in the last two ratio columns."
  fi
  begin_scenario "echo ${size} B, ${conns} connections$over, $what" \
    "bench/native/echo-client (C, epoll, one thread, every byte verified) on core $CLIENT_CPU: ${WARM} s warm-up then ${SECS} s measured; server on core $SERVER_CPU, fresh server per row. Latency per request from the moment it is queued for sending to the read that completes its echo. Server CPU from /proc/<pid>/stat, sampled by the client at the measurement boundaries.$tls_desc"
  local line name kind launcher group round
  for round in $(seq "$RUNS"); do
  while IFS='|' read -r name kind launcher group; do
    if ! start_server "$launcher" echo; then
      add_row "$name" "$kind" "skipped" "-" "-" "-" "-" "-" "$SKIP_REASON" "$group"; continue
    fi
    line="$(taskset -c "$CLIENT_CPU" "$NATIVE_BIN/echo-client" --host 127.0.0.1 --port "$SERVER_PORT" \
      --connections "$conns" --size "$size" --pipeline "$pipe" --warmup "$WARM" --duration "$SECS" \
      --server-pid "$SERVER_PID" "${client_tls[@]}" 2>"$WORK/client.err" | tail -1)"
    local rss; rss="$(vmhwm_mib "$SERVER_PID")"
    stop_server
    local req; req="$(kv_num requests "$line")"
    if [ -z "$req" ]; then
      add_row "$name" "$kind" "failed" "-" "-" "-" "-" "$rss" "client: $(head -c 160 "$WORK/client.err" | tr '\n|' '  ')" "$group"; continue
    fi
    local srv dur cipher; srv="$(kv_num server_cpu_s "$line")"; dur="$(kv_num duration_s "$line")"
    cipher="$(sed -n 's/.* cipher=\([^ ]*\).*/, \1/p' <<<"$line")"
    add_row "$name" "$kind" "$(kv_num req_per_s "$line")" "$(kv_num p50_us "$line")" "$(kv_num p99_us "$line")" \
      "$(kv_num p999_us "$line")" "$(cpu_per_million "$srv" "$req")" "$rss" \
      "$(server_note) $(busy_note "$srv" "$dur"), $(client_busy_note "$(kv_num client_cpu_s "$line")" "$dur")$cipher" "$group"
  done < <(server_list echo "$mode")
  done
  end_scenario
}

run_echo_open() { # CONNECTIONS SIZE RATE: open loop, Java load-echo (the native client is closed loop only)
  local conns=$1 size=$2 rate=$3
  begin_scenario "echo ${size} B, ${conns} connections, open loop at $rate req/s" \
    "load-echo (ringline-bench, Java NIO, 1 selector thread, every byte verified) on core $CLIENT_CPU: ${WARM} s warm-up then ${SECS} s measured in the same client JVM; server on core $SERVER_CPU, fresh server per row. Open loop: every connection sends on a fixed schedule; latency from the INTENDED send time (coordinated omission corrected); req/s is the achieved rate."
  local line name kind launcher
  while IFS='|' read -r name kind launcher; do
    if ! start_server "$launcher" echo; then
      add_row "$name" "$kind" "skipped" "-" "-" "-" "-" "-" "$SKIP_REASON"; continue
    fi
    local client=(taskset -c "$CLIENT_CPU" "$JAVA" -Xmx512m --enable-native-access=ALL-UNNAMED -jar "$BENCH_JAR"
      load-echo --host 127.0.0.1 --port "$SERVER_PORT" --connections "$conns" --size "$size")
    # One client JVM: its own warm-up phase (JIT) and then the measurement; it samples the server's
    # CPU time over exactly the measurement window (--server-pid).
    line="$("${client[@]}" --rate "$rate" --warmup "$WARM" --duration "$SECS" --server-pid "$SERVER_PID" 2>"$WORK/client.err" | tail -1)"
    local rss; rss="$(vmhwm_mib "$SERVER_PID")"
    stop_server
    local req; req="$(json_num requests "$line")"
    if [ -z "$req" ]; then
      add_row "$name" "$kind" "failed" "-" "-" "-" "-" "$rss" "client: $(head -c 160 "$WORK/client.err" | tr '\n|' '  ')"; continue
    fi
    local errs; errs="$(json_num errors "$line")"
    add_row "$name" "$kind" "$(json_num rps "$line")" "$(json_num p50_us "$line")" "$(json_num p99_us "$line")" \
      "$(json_num p999_us "$line")" "$(cpu_per_million "$(json_num server_cpu_s "$line")" "$req")" "$rss" \
      "$(server_note) $(busy_note "$(json_num server_cpu_s "$line")" "$(json_num duration_s "$line")") $([ "${errs:-0}" = 0 ] || echo "$errs client errors")"
  done < <(servers_for echo)
  end_scenario
}

# ---------------------------------------------------------------- UDP echo (native client)
# ringline udp-echo logs "UDP offloads of worker 0's first socket: GRO on, GSO off": surface it in the note.
udp_offload_note() { sed -n "s/.*UDP offloads of worker 0's first socket: \(.*\)/\1/p" "$SERVER_LOG" 2>/dev/null | head -1; }

run_udp() { # SIZE: closed loop, native client, every server of servers_for_udp
  local size=$1
  begin_scenario "UDP echo ${size} B, ${UDP_SOCKETS} sockets x ${UDP_INFLIGHT} datagrams in flight, closed loop" \
    "bench/native/udp-echo-client (C, epoll, one thread, recvmmsg/sendmmsg, connected sockets, every datagram verified) on core $CLIENT_CPU: ${UDP_WARM} s warm-up then ${UDP_SECS} s measured; server on core $SERVER_CPU with 1 worker / event loop, fresh server per row. req/s = datagrams echoed per second; latency per datagram from its sendmmsg to the recvmmsg of its echo; a datagram not echoed within 100 ms is counted lost and re-sent (echoes arriving after that: late). CPU s / M req = server CPU per million datagrams, from /proc/<pid>/stat sampled by the client at the measurement boundaries. ringline: udp-echo (bindUdp PER_WORKER, trySendTo; the note gives worker 0's GRO/GSO); Netty: netty-udp-echo (one DatagramChannel per event loop with SO_REUSEPORT, batched reads of 16 x 2048 B, reply flushed per read batch)."
  local line name kind launcher round
  for round in $(seq "$RUNS"); do
  while IFS='|' read -r name kind launcher; do
    if ! start_server "$launcher" udp-echo; then
      add_row "$name" "$kind" "skipped" "-" "-" "-" "-" "-" "$SKIP_REASON"; continue
    fi
    line="$(taskset -c "$CLIENT_CPU" "$NATIVE_BIN/udp-echo-client" --host 127.0.0.1 --port "$SERVER_PORT" \
      --sockets "$UDP_SOCKETS" --inflight "$UDP_INFLIGHT" --size "$size" --warmup "$UDP_WARM" --duration "$UDP_SECS" \
      --server-pid "$SERVER_PID" 2>"$WORK/client.err" | tail -1)"
    local rss; rss="$(vmhwm_mib "$SERVER_PID")"
    local offload; offload="$(udp_offload_note)"
    stop_server
    local req; req="$(kv_num requests "$line")"
    if [ -z "$req" ]; then
      add_row "$name" "$kind" "failed" "-" "-" "-" "-" "$rss" "client: $(head -c 160 "$WORK/client.err" | tr '\n|' '  ')"; continue
    fi
    local srv dur extras; srv="$(kv_num server_cpu_s "$line")"; dur="$(kv_num duration_s "$line")"
    extras="$(server_note)"; [ -n "$offload" ] && extras="${extras:+$extras, }$offload"
    add_row "$name" "$kind" "$(kv_num req_per_s "$line")" "$(kv_num p50_us "$line")" "$(kv_num p99_us "$line")" \
      "$(kv_num p999_us "$line")" "$(cpu_per_million "$srv" "$req")" "$rss" \
      "lost $(kv_num lost "$line"), late $(kv_num late "$line"), errors $(kv_num errors "$line"); ${extras:+$extras, }$(busy_note "$srv" "$dur"), $(client_busy_note "$(kv_num client_cpu_s "$line")" "$dur")"
  done < <(servers_for_udp)
  done
  end_scenario
}

# ---------------------------------------------------------------- RESP (redis-benchmark)
run_resp() { # PIPELINE [MODE plain|tls]
  local pipe=$1 mode=${2:-plain} n
  # -n per test: sized so one test lasts about BENCH_SECONDS on a fast server (~300k/s pipelined, ~50k/s not)
  if [ "$pipe" -gt 1 ]; then n="${REDIS_N_P16:-$(( SECS * 300000 ))}"; else n="${REDIS_N_P1:-$(( SECS * 50000 ))}"; fi
  [ "$QUICK" = 1 ] && [ -z "${REDIS_N_P16:-}${REDIS_N_P1:-}" ] && n=$(( n / 2 ))
  local warm_n=$(( n * WARM / SECS + 1000 ))
  local test tests="ping_mbulk set get" client_tls=() over=""
  if [ "$mode" = tls ]; then tests="set get"; client_tls=(--tls --insecure); over=" over TLS"; fi
  local desc="redis-benchmark $(redis-benchmark --version 2>/dev/null | awk '{print $2}') on core $CLIENT_CPU, -c 50 -P $pipe -n $n per test (warm-up: -n $warm_n), -t ${tests// / \/ } run separately so server CPU is attributed per test; req/s, p50 and p99 from --csv (redis-benchmark --csv has no p99.9); server on core $SERVER_CPU, one server per row group (${tests// /, } run against the same server)."
  [ "$mode" = tls ] && desc="$desc TLS: redis-benchmark --tls --insecure (OpenSSL, TLS 1.3 negotiated), every connection's handshake before its test; ringline resp with --tls-cert/--tls-key/--tls-provider; redis-server --port 0 --tls-port --tls-auth-clients no (OpenSSL)."
  log "scenario: RESP -P $pipe$over"
  local name kind launcher group
  local rows_ping="$WORK/resp-ping" rows_set="$WORK/resp-set" rows_get="$WORK/resp-get"
  : >"$rows_ping"; : >"$rows_set"; : >"$rows_get"
  local round
  for round in $(seq "$RUNS"); do
  while IFS='|' read -r name kind launcher group; do
    if ! start_server "$launcher" resp; then
      for test in $tests; do ROWS="$WORK/resp-${test%_mbulk}" add_row "$name" "$kind" "skipped" "-" "-" "-" "-" "-" "$SKIP_REASON" "$group"; done
      continue
    fi
    taskset -c "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$SERVER_PORT" "${client_tls[@]}" -c 50 -P "$pipe" -n "$warm_n" \
      -t "${tests// /,}" -q --csv >/dev/null 2>&1
    for test in $tests; do
      local c0 c1 out row
      ROWS="$WORK/resp-${test%_mbulk}"
      local w0=$EPOCHREALTIME
      c0="$(cpu_ticks "$SERVER_PID")"
      out="$(timeout $(( SECS * 6 + 30 )) taskset -c "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$SERVER_PORT" \
        "${client_tls[@]}" -c 50 -P "$pipe" -n "$n" -t "$test" -q --csv 2>"$WORK/client.err")"
      c1="$(cpu_ticks "$SERVER_PID")"
      local wall; wall="$(awk -v a="$w0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
      # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
      row="$(grep -v '^"test"' <<<"$out" | tail -1 | tr -d '"')"
      if [ -z "$row" ]; then
        add_row "$name" "$kind" "failed" "-" "-" "-" "-" "-" "redis-benchmark: $(head -c 120 "$WORK/client.err" | tr '\n|' '  ')" "$group"
        continue
      fi
      local rps p50 p99 cpu
      rps="$(cut -d, -f2 <<<"$row")"
      p50="$(awk -F, '{ printf "%.0f", $5 * 1000 }' <<<"$row")"
      p99="$(awk -F, '{ printf "%.0f", $7 * 1000 }' <<<"$row")"
      cpu="$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" 'BEGIN { if (a < 0 || b < 0) print -1; else printf "%.3f", (b - a) / t }')"
      add_row "$name" "$kind" "$rps" "$p50" "$p99" "n/a" "$(cpu_per_million "$cpu" "$n")" "$(vmhwm_mib "$SERVER_PID")" "$(server_note) $(busy_note "$cpu" "$wall")" "$group"
    done
    stop_server
  done < <(server_list resp "$mode")
  done
  for test in $tests; do
    test="$(tr a-z A-Z <<<"${test%_mbulk}")"
    begin_scenario "RESP $test$over, redis-benchmark$( [ "$mode" = tls ] && echo " --tls") -c 50 -P $pipe" "$desc"
    cat "$WORK/resp-$(tr A-Z a-z <<<"$test")" >"$ROWS"
    end_scenario
  done
}

# ---------------------------------------------------------------- HTTP (wrk)
run_http() { # PIPELINE(1|16) [MODE plain|tls]
  local pipe=$1 mode=${2:-plain} script="$ROOT/bench/wrk-report.lua" scheme=http over="" tls_desc=""
  [ "$pipe" -gt 1 ] && script="$ROOT/bench/wrk-pipeline.lua"
  if [ "$mode" = tls ]; then
    scheme=https; over=" over TLS"
    tls_desc=" TLS: wrk against https://127.0.0.1:PORT/plaintext (wrk's OpenSSL, TLS 1.3 negotiated, no verification); the 64 handshakes open each wrk run; servers get --tls-cert/--tls-key/--tls-provider, Netty adds SslHandler before HttpServerCodec; ratios vs the best Netty row with the same provider in the last two ratio columns."
  fi
  begin_scenario "HTTP plaintext$over, wrk -t 1 -c 64, $( [ "$pipe" -gt 1 ] && echo "pipelined x$pipe" || echo "no pipelining")" \
    "wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}') on core $CLIENT_CPU, GET /plaintext, ${WARM} s warm-up run, then ${SECS} s measured; server on core $SERVER_CPU. Netty peers use HttpServerCodec (TechEmpower's Netty shape).$( [ "$pipe" -gt 1 ] && echo " wrk's latency with pipelining is per batch and its high percentiles are unreliable (shown as n/a when wrk reports 0).")$tls_desc"
  local name kind launcher group round
  for round in $(seq "$RUNS"); do
  while IFS='|' read -r name kind launcher group; do
    if ! start_server "$launcher" http; then
      add_row "$name" "$kind" "skipped" "-" "-" "-" "-" "-" "$SKIP_REASON" "$group"; continue
    fi
    local url="$scheme://127.0.0.1:$SERVER_PORT/plaintext"
    WRK_PIPELINE=$pipe taskset -c "$CLIENT_CPU" wrk -t 1 -c 64 -d "${WARM}s" -s "$script" "$url" >/dev/null 2>&1
    local c0 c1 out line
    c0="$(cpu_ticks "$SERVER_PID")"
    out="$(WRK_PIPELINE=$pipe taskset -c "$CLIENT_CPU" wrk -t 1 -c 64 -d "${SECS}s" -s "$script" "$url" 2>&1)"
    c1="$(cpu_ticks "$SERVER_PID")"
    local rss; rss="$(vmhwm_mib "$SERVER_PID")"
    stop_server
    line="$(grep '^WRKJSON ' <<<"$out" | sed 's/^WRKJSON //')"
    local req; req="$(json_num requests "$line")"
    if [ -z "$req" ] || [ "$req" = 0 ]; then
      add_row "$name" "$kind" "failed" "-" "-" "-" "-" "$rss" "wrk: $(tail -c 160 <<<"$out" | tr '\n|' '  ')" "$group"; continue
    fi
    local dur rps cpu p99 p999 note errs non2xx
    dur="$(json_num duration_us "$line")"
    rps="$(awk -v r="$req" -v d="$dur" 'BEGIN { printf "%.1f", r / (d / 1e6) }')"
    cpu="$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" 'BEGIN { if (a < 0 || b < 0) print -1; else printf "%.3f", (b - a) / t }')"
    note="$(server_note) $(busy_note "$cpu" "$(awk -v d="$dur" 'BEGIN { print d / 1e6 }')") "
    p99="$(json_num p99_us "$line")"; p999="$(json_num p999_us "$line")"
    [ "$p99" = "0.0" ] && p99="n/a"; [ "$p999" = "0.0" ] && p999="n/a"
    errs="$(json_num errors "$line")"; non2xx="$(json_num non2xx "$line")"
    [ "${errs:-0}" = 0 ] || note="$errs socket errors "
    [ "${non2xx:-0}" = 0 ] || note="$note$non2xx non-2xx"
    add_row "$name" "$kind" "$rps" "$(json_num p50_us "$line")" "$p99" "$p999" "$(cpu_per_million "$cpu" "$req")" "$rss" "$note" "$group"
  done < <(server_list http "$mode")
  done
  end_scenario
}

# ---------------------------------------------------------------- main
has() { [[ ",$ONLY," == *",$1,"* ]]; }

ensure_tools
ensure_jars
build_native
mkdir -p "$RESULTS_DIR"
{
  echo "# ringline vs peers — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "- mode: $( [ "$HEADLINE" = 1 ] && echo headline || { [ "$QUICK" = 1 ] && echo quick || echo full; } ), warm-up ${WARM} s, measurement ${SECS} s per run, $RUNS run(s) per row (servers interleaved round by round)"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(uname -sr)"
  echo "- server pinned to core $SERVER_CPU, client to core $CLIENT_CPU (taskset)"
  echo "- java: $("$JAVA" -version 2>&1 | head -1); JVM_OPTS: \`$JVM_OPTS\`"
  echo "- Netty 4.2.18.Final peers (pooled allocator, TCP_NODELAY, 1 event loop): flags \`$NETTY_BASE_FLAGS\`; +unsafe adds \`$NETTY_UNSAFE_FLAGS\` (NETTY_UNSAFE=$UNSAFE_MODE)"
  echo "- ringline: \`java $JVM_OPTS --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dringline.backend=<io_uring|nio> -jar ringline-examples.jar <echo|resp|http|udp-echo> --port N --workers 1\`"
  echo "- CPU s / M req: server utime+stime (/proc/<pid>/stat) over the measurement / requests x 1e6; peak RSS: VmHWM at the end of the run"
  echo "- native references: bench/native/echo-uring.c (liburing: multishot accept, multishot recv from a provided buffer ring, send of the received buffer), bench/native/echo-epoll.c, redis-server; built with \`gcc -O2\` ($(gcc -dumpfullversion 2>/dev/null))"
  echo "- ratios: req/s of the row / the best Netty row's and the best native row's req/s (higher is better); CPU per request of the row / the lowest Netty and native CPU per request (lower is better)"
  if has udp; then
    echo "- UDP rows: ${UDP_SIZES// / B and } B datagrams, udp-echo-client (built with \`gcc -O2\`) with $UDP_SOCKETS connected sockets x $UDP_INFLIGHT in flight, ${UDP_WARM} s warm-up + ${UDP_SECS} s measured per run; Netty \`netty-udp-echo\` with Unsafe $TLS_NETTY_UNSAFE; ratios vs the best Netty row (no native UDP server)"
  fi
  if [[ "$ONLY" == *tls* ]]; then
    echo "- TLS rows: providers \`$TLS_PROVIDERS\` (ringline \`--tls-provider\`, Netty SslHandler with SslProvider.JDK / OPENSSL = netty-tcnative-boringssl-static), certificate $(basename "$TLS_CERT") (RSA 2048), Netty with Unsafe $TLS_NETTY_UNSAFE; clients: echo-client --tls (OpenSSL $(openssl version 2>/dev/null | awk '{print $2}')), wrk https, redis-benchmark --tls --insecure; \"same provider\" ratios compare with the best Netty row of the row's provider"
  fi
} | tee "$RESULT_FILE"

if has echo; then
  if [ "$HEADLINE" = 1 ]; then
    run_echo 1 64 1
    run_echo 64 64 1
    run_echo 256 64 1
    run_echo 64 64 "${ECHO_PIPELINE:-16}"
    run_echo 64 16384 1
  elif [ "$QUICK" = 1 ]; then
    run_echo 64 64 1
    run_echo 256 64 1
    run_echo 64 64 "${ECHO_PIPELINE:-16}"
  else
    for size in ${ECHO_SIZES:-64 1024 16384}; do for conns in ${ECHO_CONNS:-1 16 64 256}; do run_echo "$conns" "$size" 1; done; done
    run_echo 64 64 "${ECHO_PIPELINE:-16}"
    run_echo 256 64 "${ECHO_PIPELINE:-16}"
    run_echo_open 64 1024 "${OPEN_RATE:-50000}"
  fi
fi
if has resp; then
  run_resp 16
  run_resp 1
fi
if has http; then
  run_http 1
  run_http 16
fi
if has tls || has tls-echo; then
  run_echo 64 1024 1 tls
fi
if has udp; then
  for size in $UDP_SIZES; do run_udp "$size"; done
fi
if has tls || has tls-http; then
  run_http 1 tls
  run_http 16 tls
fi
if has tls || has tls-resp; then
  run_resp 1 tls
  run_resp 16 tls
fi

log "done in $(( SECONDS - T0 )) s; results in $RESULT_FILE"
