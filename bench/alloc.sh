#!/usr/bin/env bash
# Heap bytes allocated per request on the worker threads of the example servers, in steady state:
# the server (one worker, core 0) is warmed up with one load run, then the worker thread's
# allocation counter is read (`jcmd <pid> Thread.print -e`, the JVM's per-thread allocated bytes),
# a measured load run follows, and the counter is read again. Bytes per request = the difference /
# the requests of the measured run. The measured run opens fresh connections: their setup is
# included (amortized over all of the run's requests) and reported as such.
#
#   bench/alloc.sh [--quick]          (echo 64 B, RESP GET and SET; both backends)
#
# Environment (all optional): EXAMPLES_JAR, BENCH_JAR (default */target), JAVA_HOME,
# ALLOC_SECONDS (measured seconds per echo run: 10, quick 4), ALLOC_REQUESTS (redis-benchmark -n:
# 2000000, quick 500000), BASE_PORT (17300).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUICK=0
[ "${1:-}" = --quick ] && QUICK=1
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"; JCMD="$JAVA_HOME/bin/jcmd"
EXAMPLES_JAR="${EXAMPLES_JAR:-$ROOT/ringline-examples/target/ringline-examples.jar}"
BENCH_JAR="${BENCH_JAR:-$ROOT/ringline-bench/target/ringline-bench.jar}"
SECS="${ALLOC_SECONDS:-$([ $QUICK = 1 ] && echo 4 || echo 10)}"
NREQ="${ALLOC_REQUESTS:-$([ $QUICK = 1 ] && echo 500000 || echo 2000000)}"
PORT="${BASE_PORT:-17300}"
for f in "$EXAMPLES_JAR" "$BENCH_JAR"; do
    [ -f "$f" ] || { echo "missing $f: build with mvn -B -q -DskipTests package" >&2; exit 2; }
done
command -v redis-benchmark >/dev/null || { echo "needs redis-benchmark (apt-get install redis-tools)" >&2; exit 2; }

SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

# worker_allocated: bytes the worker thread allocated so far (jcmd prints allocated=<n>[KMG]B)
worker_allocated() {
    "$JCMD" "$SERVER_PID" Thread.print -e 2>/dev/null | grep -- '-worker-0"' | head -n 1 \
        | sed -n 's/.* allocated=\([0-9.]*\)\([KMG]\?\)B\? .*/\1 \2/p' \
        | awk '{m=1; if ($2=="K") m=1024; else if ($2=="M") m=1048576; else if ($2=="G") m=1073741824; printf "%.0f\n", $1*m}'
}

start_server() { # backend command args...
    local backend="$1"; shift
    PORT=$((PORT + 1))
    taskset -c 0 "$JAVA" -Xms256m -Xmx1g --enable-native-access=ALL-UNNAMED -Dringline.backend="$backend" \
        -jar "$EXAMPLES_JAR" "$@" --port "$PORT" --workers 1 --host 127.0.0.1 >/dev/null 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0; sleep 0.05; done
    echo "server $* on $backend did not listen" >&2; exit 1
}

stop_server() { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

echo_run() { # seconds -> prints requests
    taskset -c 1 "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$BENCH_JAR" load-echo --host 127.0.0.1 \
        --port "$PORT" --connections 64 --size 64 --duration "$1" --warmup 0 2>/dev/null \
        | sed -n 's/.*"requests":\([0-9]*\).*"errors":\([0-9]*\).*/\1 \2/p'
}

report() { # label requests before after
    awk -v l="$1" -v n="$2" -v a="$3" -v b="$4" \
        'BEGIN { printf "| %s | %d | %.1f MB | %.1f |\n", l, n, (b - a) / 1048576, (b - a) / n }'
}

echo "| server (1 worker) | requests measured | worker allocation | bytes per request |"
echo "|---|---|---|---|"
for backend in io_uring nio; do
    start_server "$backend" echo
    echo_run 2 >/dev/null # warm-up
    before="$(worker_allocated)"
    read -r n errors <<<"$(echo_run "$SECS")"
    after="$(worker_allocated)"
    [ "${errors:-1}" = 0 ] || { echo "echo on $backend: load errors" >&2; exit 1; }
    report "echo 64 B, 64 connections, $backend" "$n" "$before" "$after"
    stop_server

    start_server "$backend" resp
    taskset -c 1 redis-benchmark -p "$PORT" -c 50 -P 16 -n 500000 -t set,get -q >/dev/null 2>&1 # warm-up
    for t in get set; do
        before="$(worker_allocated)"
        taskset -c 1 redis-benchmark -p "$PORT" -c 50 -P 16 -n "$NREQ" -t "$t" -q >/dev/null 2>&1
        after="$(worker_allocated)"
        report "RESP $(echo $t | tr a-z A-Z) -P 16, 50 connections, $backend" "$NREQ" "$before" "$after"
    done
    stop_server
done
