#!/usr/bin/env bash
# A/B of two builds of the RESP example under redis-benchmark GET -P 1: the server alone on core 0
# (one worker), the client on core 1, server CPU per request from /proc/<pid>/stat. Alternates the
# two jars ROUNDS times so that machine drift hits both alike.
#
#   bench/resp-p1-ab.sh BEFORE.jar AFTER.jar [backend (io_uring)] [rounds (3)]
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,6p' "$0"; exit 2; }
before="$1"; after="$2"; backend="${3:-io_uring}"; rounds="${4:-3}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
command -v redis-benchmark >/dev/null || { echo "needs redis-benchmark (apt-get install redis-tools)" >&2; exit 2; }
hz="$(getconf CLK_TCK)"
n=300000
one() { # jar port
    local jar="$1" port="$2" pid t0 t1 csv
    taskset -c 0 "$java" -Xms256m -Xmx1g --enable-native-access=ALL-UNNAMED -Dringline.backend="$backend" \
        -jar "$jar" resp --port "$port" --workers 1 >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    taskset -c 1 redis-benchmark -p "$port" -c 50 -P 1 -n 200000 -t set,get -q >/dev/null 2>&1 # warm-up
    t0="$(awk '{print $14+$15}' "/proc/$pid/stat")"
    csv="$(taskset -c 1 redis-benchmark -p "$port" -c 50 -P 1 -n "$n" -t get --csv 2>/dev/null | tail -n 1)"
    t1="$(awk '{print $14+$15}' "/proc/$pid/stat")"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    printf '%-40s req/s %9s  server CPU %6.2f us/request\n' "$jar" "$(echo "$csv" | cut -d, -f2 | tr -d '"')" \
        "$(echo "($t1 - $t0) * 1000000 / $hz / $n" | bc -l)"
}
for r in $(seq "$rounds"); do
    one "$before" 17901
    one "$after" 17902
done
