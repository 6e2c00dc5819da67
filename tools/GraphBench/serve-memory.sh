#!/usr/bin/env bash
# Start-up time and memory of `zhsenti serve` on a model folder: starts the built executable, polls /ready, sends
# one POST /predict, then reads VmRSS/VmHWM/RssAnon/RssFile from /proc and stops the process with SIGTERM.
#   tools/GraphBench/serve-memory.sh MODEL_DIR CACHE_DIR [extra serve flags, e.g. --quantize int8]
# Prints: start to first prediction (s; and the CPU seconds the process used by then, less sensitive to a busy
# machine), RSS and peak (MB), anon/file split (MB); then, after a burst of 64
# concurrent 400-character requests (the batcher packs them into its largest batches), the same again
# (skipped with BURST=0).
set -euo pipefail
model=$1 cache=$2; shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
port=$(( 20000 + RANDOM % 20000 ))
start=$(date +%s.%N)
dotnet "$root/src/ZhSentiment/bin/Release/net10.0/zhsenti.dll" serve --model "$model" --cache-dir "$cache" \
  --urls "http://127.0.0.1:$port" "$@" >/tmp/serve-memory.$$.log 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/ready" >/dev/null; do
  kill -0 $pid 2>/dev/null || { cat /tmp/serve-memory.$$.log; exit 1; }
  sleep 0.02
done
curl -sf -H 'content-type: application/json' -d '{"text":"这家店的服务态度真是太好了"}' "http://127.0.0.1:$port/predict" >/dev/null
end=$(date +%s.%N)
cpu=$(awk '{printf "%.2f", ($14 + $15) / 100}' /proc/$pid/stat)
sleep 1
status() { awk -v k="$1:" '$1==k {printf "%d", $2/1024}' /proc/$pid/status; }
printf 'start-to-first-prediction %.2f s (%s s CPU); RSS %s MB (peak %s), anon %s + file %s MB\n' \
  "$(echo "$end - $start" | bc)" "$cpu" "$(status VmRSS)" "$(status VmHWM)" "$(status RssAnon)" "$(status RssFile)"
body=$(python3 -c 'import json; print(json.dumps({"text": ("这家酒店的位置很好，服务也不错，房间干净整洁，早餐种类丰富，下次还会再来。" * 11)[:400]}))')
if [ "${BURST:-1}" = 0 ]; then kill -TERM $pid; wait $pid || true; trap - EXIT; exit 0; fi
cputicks() { awk '{print $14 + $15}' /proc/$pid/stat; }
seq 64 | xargs -P 64 -I{} curl -s -o /dev/null -w "%{http_code}\n" -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$port/predict" | sort | uniq -c | tr "\n" " "; echo
# Requests that timed out leave their batch running: wait until the process is idle (< 5 ms CPU in a second).
prev=$(cputicks); sleep 1
while now=$(cputicks); [ $((now - prev)) -gt 0 ]; do prev=$now; sleep 1; done
printf 'after burst: RSS %s MB (peak %s), anon %s + file %s MB\n' "$(status VmRSS)" "$(status VmHWM)" "$(status RssAnon)" "$(status RssFile)"
kill -TERM $pid; wait $pid || true
trap - EXIT
rm -f /tmp/serve-memory.$$.log
