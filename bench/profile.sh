#!/usr/bin/env bash
# Profiles one ringline server with JFR under a fixed load and prints the hottest frames.
#   bench/profile.sh resp io_uring     # redis-benchmark -t set -P 16 against ringline resp
#   bench/profile.sh http nio          # wrk -c 64 against ringline http
# Server on core 0, client on core 1 (as compare.sh). Output: bench/results/profile-<cmd>-<backend>.{jfr,txt}
set -euo pipefail
cd "$(dirname "$0")/.."
cmd="${1:-resp}" backend="${2:-io_uring}" seconds="${SECONDS_TO_PROFILE:-10}"
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
jar=ringline-examples/target/ringline-examples.jar
[ -f "$jar" ] || mvn -B -q -DskipTests package
out=bench/results/profile-$cmd-$backend
mkdir -p bench/results
port=$((20000 + RANDOM % 20000))
taskset -c 0 "$java" -Xms256m -Xmx1g --enable-native-access=ALL-UNNAMED \
    -XX:StartFlightRecording=filename=$out.jfr,settings=profile,delay=3s,duration=${seconds}s \
    -Dringline.backend="$backend" -jar "$jar" "$cmd" --port "$port" --workers 1 >"$out.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
end=$((SECONDS + seconds + 4))
while [ $SECONDS -lt $end ]; do
    case "$cmd" in
        resp) taskset -c 1 redis-benchmark -p "$port" -t set -c 50 -P 16 -n 500000 -q >/dev/null ;;
        http) taskset -c 1 wrk -t 1 -c 64 -d 5s "http://127.0.0.1:$port/plaintext" >/dev/null ;;
        echo) taskset -c 1 "$java" -jar ringline-bench/target/ringline-bench.jar load-echo --port "$port" \
                  --connections 64 --size 64 --duration 5 >/dev/null ;;
    esac
done
sleep 2
kill "$pid"; wait "$pid" 2>/dev/null || true
# Top frames (self time) from the execution samples.
"$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample "$out.jfr" \
  | awk '/stackTrace = \[/{getline; sub(/^[ \t]+/, ""); sub(/line:.*/, ""); top[$0]++; n++} END {for (f in top) printf "%6.2f%%  %s\n", 100*top[f]/n, f}' \
  | sort -rn | head -25 | tee "$out.txt"
