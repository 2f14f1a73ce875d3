#!/usr/bin/env bash
# Load and fault measurements of 'resnet4j serve' (written up in docs/serve/load.md). Loopback only;
# every step is bounded in time. Needs Debian's wrk and curl.
#   tools/serve/load.sh [OUT_DIR]   (DURATION=20s per wrk run, FAULT_REQUESTS=20000,
#                                    STEPS="throughput faults overload" to run only some)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/target/serve-load}"
DURATION="${DURATION:-20s}"
FAULT_REQUESTS="${FAULT_REQUESTS:-20000}"
PHOTO="${PHOTO:-$ROOT/../shared/images/chelsea.png}"
STEPS="${STEPS:-throughput faults overload}"
PORT=18480
mkdir -p "$OUT"
cd "$ROOT"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
mvn -q -B -o -DskipTests package test-compile
CP="core/target/test-classes:core/target/classes:core/target/lib/*"
tool() { java -cp "$CP" io.resnet4j.serve.ServeLoad "$@"; }

[[ -f "$OUT/resnet50-random.safetensors" ]] || tool weights resnet50 "$OUT/resnet50-random.safetensors"
tool jpeg "$PHOTO" "$OUT/photo.jpg"
tool jpeg "$PHOTO" "$OUT/photo32.jpg" 32
RESNET20="src/test/resources/weights/resnet20_wrapped.pth"

PID=
start_server() { # NAME WEIGHTS [serve options...]
  local name="$1" weights="$2"
  shift 2
  bin/resnet4j serve --weights "$weights" --name "$name" --port "$PORT" "$@" >"$OUT/serve-$name.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 180); do
    curl -sf "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null && return 0
    sleep 1
  done
  echo "server $name did not start; see $OUT/serve-$name.log" >&2
  exit 1
}
stop_server() {
  kill -TERM "$PID"
  local code=0
  wait "$PID" || code=$?
  echo "server exit code after SIGTERM: $code" | tee -a "$OUT/summary.txt"
}

throughput() { # NAME IMAGE
  local name="$1" image="$2"
  IMAGE="$image" wrk -t 1 -c 4 -d 5s -s tools/serve/post-image.lua "http://127.0.0.1:$PORT/v1/models/$name/predict" >/dev/null
  for c in 1 8 32; do
    local threads=$(( c < 2 ? 1 : 2 ))
    IMAGE="$image" wrk -t "$threads" -c "$c" -d "$DURATION" --timeout 30s --latency -s tools/serve/post-image.lua \
      "http://127.0.0.1:$PORT/v1/models/$name/predict" >"$OUT/wrk-$name-c$c.txt"
    printf '%s c=%-2s %s  p50 %s  p99 %s  %s\n' "$name" "$c" \
      "$(grep 'Requests/sec' "$OUT/wrk-$name-c$c.txt")" \
      "$(awk '$1=="50%"{print $2}' "$OUT/wrk-$name-c$c.txt")" "$(awk '$1=="99%"{print $2}' "$OUT/wrk-$name-c$c.txt")" \
      "$(grep -E 'Non-2xx|Socket errors' "$OUT/wrk-$name-c$c.txt" | tr '\n' ' ')" | tee -a "$OUT/summary.txt"
  done
}

: >>"$OUT/summary.txt"
{ lscpu | grep -E 'Model name|^CPU\(s\)'; grep -o 'avx512[a-z_0-9]*' /proc/cpuinfo | sort -u | tr '\n' ' '; echo; } \
  | tee -a "$OUT/summary.txt"

[[ "$STEPS" == *throughput* ]] && for model in resnet50 resnet20; do
  bin/resnet4j bench infer --model "$model" --batch-size 16 --json >"$OUT/bench-$model-before.json"
  if [[ "$model" == resnet50 ]]; then
    start_server resnet50 "$OUT/resnet50-random.safetensors"
    throughput resnet50 "$OUT/photo.jpg"
  else
    start_server resnet20 "$RESNET20"
    throughput resnet20 "$OUT/photo32.jpg"
  fi
  stop_server
  bin/resnet4j bench infer --model "$model" --batch-size 16 --json >"$OUT/bench-$model-after.json"
  echo "bench infer $model batch 16: before $(cat "$OUT/bench-$model-before.json"), after $(cat "$OUT/bench-$model-after.json")" \
    | tee -a "$OUT/summary.txt"
done

# Faults: good and bad bodies mixed, on a small heap so that growing memory would show.
if [[ "$STEPS" == *faults* ]]; then
  RESNET4J_JAVA_OPTS="-Xmx1g" start_server resnet20 "$RESNET20" --queue 16
  tool faults "http://127.0.0.1:$PORT/" resnet20 "$OUT/photo.jpg" "$PID" "$FAULT_REQUESTS" 32 15 | tee "$OUT/faults.txt"
  stop_server
fi

# Overload: far more clients than the queue holds; the refusals must be 503s, nothing else.
if [[ "$STEPS" == *overload* ]]; then
  start_server resnet50 "$OUT/resnet50-random.safetensors" --queue 8
  IMAGE="$OUT/photo.jpg" wrk -t 2 -c 64 -d 15s --timeout 30s -s tools/serve/post-image.lua \
    "http://127.0.0.1:$PORT/v1/models/resnet50/predict" >"$OUT/wrk-overload.txt"
  curl -s "http://127.0.0.1:$PORT/metrics" | grep '^resnet4j_requests_total' | tee "$OUT/overload-statuses.txt"
  stop_server
fi
