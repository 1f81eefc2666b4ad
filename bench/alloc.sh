#!/usr/bin/env bash
# Heap bytes allocated per message on the worker thread of the example servers, in steady state:
# io.ringline.bench.alloc.AllocationProbe (ringline-bench) starts each example server in process with
# one worker, drives it from client threads of the same JVM (plain sockets: echo 64 B on 64
# connections; RESP GET, SET and PING on 16 connections and HTTP GET /plaintext on 64, pipelined 1
# and 16 deep), warms it up, then reads the worker thread's allocation counter
# (ThreadMXBean.getThreadAllocatedBytes) around each measured run. Prints a Markdown table with the bytes per message of every run; the smallest is the
# steady state once the hot path is compiled. Connection setup is not measured (done before the warm-up).
#
#   bench/alloc.sh [--quick] [AllocationProbe options, e.g. --backends nio --scenarios get,set]
#
# The nio rows include the JDK's own garbage: its epoll Selector boxes every ready fd above 127 (an
# Integer per ready connection per select); JAVA_OPTS=-XX:AutoBoxCacheMax=65536 removes it (as
# AllocationProbeTest does) to show ringline's allocation alone.
#
# Environment (all optional): BENCH_JAR (default ringline-bench/target/ringline-bench.jar), JAVA_HOME,
# JAVA_OPTS (extra JVM options).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
BENCH_JAR="${BENCH_JAR:-$ROOT/ringline-bench/target/ringline-bench.jar}"
[ -f "$BENCH_JAR" ] || { echo "missing $BENCH_JAR: build with mvn -B -q -DskipTests package" >&2; exit 2; }
SIZE=(--warmup 300000 --messages 1000000 --runs 3)
if [ "${1:-}" = --quick ]; then
    shift
    SIZE=(--warmup 150000 --messages 200000 --runs 2)
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec "$JAVA_HOME/bin/java" -Xms256m -Xmx1g --enable-native-access=ALL-UNNAMED ${JAVA_OPTS:-} \
    -cp "$BENCH_JAR" io.ringline.bench.alloc.AllocationProbe "${SIZE[@]}" "$@"
