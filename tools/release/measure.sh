#!/usr/bin/env bash
# Size on disk, start-up time to /ready and RSS at ready: the release (tools/release/publish.sh) against the
# framework-dependent build (dotnet zhsenti.dll). Median of RUNS starts each, with a warm model cache (one unmeasured
# start builds it first), so start-up is the service's, not the one-time model conversion's. Then the peak RSS after
# one /predict_batch that fills a model batch: what a memory limit must hold.
# Usage: tools/release/measure.sh [--model DIR] [--runs N]   (default model: models/default, else a test fixture)
set -euo pipefail
cd "$(dirname "$0")/../.."
model=""
runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ -z "$model" ]; then
  if [ -d models/default ]; then model=models/default; else model=tests/ZhSentiment.Tests/Fixtures/models/modelscope; fi
fi
release=artifacts/zhsenti-linux-x64
fdd=src/ZhSentiment/bin/Release/net10.0
[ -x "$release/zhsenti" ] || tools/release/publish.sh >/dev/null
dotnet build src/ZhSentiment/ZhSentiment.csproj -c Release -nologo -v quiet >/dev/null

work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# One start: prints "MS RSS_KIB".
start_once() {
  local cache="$1"; shift
  local t0 t1 rss
  t0=$(date +%s%N)
  ZHSENTI_CACHE="$cache" "$@" serve --model "$model" --urls "http://127.0.0.1:$port" --request-timeout 300 >"$work/log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/ready"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  # The peak after a request that fills model batches (MaxBatchTokens, 2048 by default): the working set a memory limit must hold.
  curl -sSf -o /dev/null --max-time 300 -H 'Content-Type: application/json' --data-binary @"$work/batch.json" \
    "http://127.0.0.1:$port/predict_batch" || { echo "the batch request failed" >&2; exit 1; }
  peak=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  echo "$(( (t1 - t0) / 1000000 )) $rss $peak"
}
# 16 texts of 475 characters: 16 windows of ~480 tokens for a 512-token model (8 of 64 tokens each for the fixture).
text=$(printf '这家店的服务态度真是太好了，菜也很好吃，下次还来。%.0s' $(seq 19))
{ printf '{"texts":['; for i in $(seq 16); do [ "$i" -gt 1 ] && printf ','; printf '"%s%d"' "$text" "$i"; done; printf ']}'; } >"$work/batch.json"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

measure() {
  local name="$1"; shift
  local cache="$work/cache-$name"
  start_once "$cache" "$@" >/dev/null
  for _ in $(seq "$runs"); do start_once "$cache" "$@"; done >"$work/$name.txt"
  printf '%-22s ready %5s ms   RSS at ready %4s MiB   peak after a full batch %4s MiB\n' "$name" \
    "$(cut -d' ' -f1 "$work/$name.txt" | median)" \
    "$(( $(cut -d' ' -f2 "$work/$name.txt" | median | cut -d. -f1) / 1024 ))" \
    "$(( $(cut -d' ' -f3 "$work/$name.txt" | median | cut -d. -f1) / 1024 ))"
}

# The newest installed version of each shared framework the framework-dependent build needs.
framework() { dotnet --list-runtimes | awk -v n="$1" '$1 == n {v=$2; d=$3} END {gsub(/[][]/, "", d); print d "/" v}'; }
mib_sum() { echo "$@" | awk '{for (i = 1; i <= NF; i++) s += $i} END {printf "%.1f MiB", s/1048576}'; }
mib() { mib_sum $(du -sb "$@" | cut -f1); }
echo "model: $model (median of $runs starts, warm model cache)"
echo "size   release: $(mib "$release") (model included: $( [ -d "$release/models/default" ] && mib "$release/models/default" || echo none))"
echo "size   framework-dependent: app $(mib "$fdd" --exclude=linux-x64) (with linux-x64's natives only: $(mib_sum $(du -sb --exclude=runtimes --exclude=linux-x64 "$fdd" | cut -f1) $(du -sb "$fdd/runtimes/linux-x64" | cut -f1)))" \
  "+ shared runtime $(mib "$(framework Microsoft.NETCore.App)" "$(framework Microsoft.AspNetCore.App)")"
echo "load   $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (start-up times grow with it)"
measure "release (AOT)" "$release/zhsenti"
measure "framework-dependent" dotnet "$fdd/zhsenti.dll"
