#!/usr/bin/env bash
# Times `zhsenti score` on N generated review rows (short Chinese texts, CSV) and prints rows/s and peak memory.
# Usage: tools/score-bench.sh [ROWS] [MODEL_DIR] [extra score options...]
# Default model: the shipped one (models/default beside the built zhsenti).
set -euo pipefail
rows=${1:-100000}
model=${2:-}
shift $(( $# > 2 ? 2 : $# ))
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet build "$root/src/ZhSentiment" -c Release -v q -nologo >/dev/null
zhsenti="$root/src/ZhSentiment/bin/Release/net10.0/zhsenti"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$rows" > "$work/in.csv" <<'PY'
import sys
n = int(sys.argv[1])
phrases = ["质量很好，物流也快", "太差了，再也不买", "包装破损，客服不理人", "性价比高，推荐购买", "一般般吧，凑合用",
           "屏幕清晰，电池耐用", "房间干净，服务热情", "味道难吃，价格还贵", "发货慢，但东西不错", "非常满意，下次再来"]
print("id,text")
for i in range(n):
    print(f"{i},{phrases[i % 10]}{phrases[(i * 7 + 3) % 10]}")
PY
args=(score --input "$work/in.csv" --output "$work/out.csv" "$@")
[[ -n "$model" ]] && args+=(--model "$model")
start=$(date +%s.%N)
/usr/bin/time -f %M -o "$work/rss" "$zhsenti" "${args[@]}" 2> "$work/log" || { cat "$work/log" >&2; exit 1; }
end=$(date +%s.%N)
cat "$work/log" >&2
lines=$(($(wc -l < "$work/out.csv") - 1))
python3 -c "import sys; r, s, m = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]); print(f'{r} rows in {s:.1f} s (process, model load included): {r / s:,.0f} rows/s, peak RSS {m / 1024:.0f} MiB')" "$lines" "$(echo "$end - $start" | bc)" "$(tail -1 "$work/rss")"
