#!/usr/bin/env bash
# The model card's family table: trains each family on the same data with the same seed, then measures it with
# `zhsenti eval` on the three binary dev sets and the three-class dev set. Prints one Markdown row per family.
#
#   tools/model-card/families.sh [SHARED_DIR] [OUT_DIR]
#
# A last row averages the probabilities of the three sqrt-pooled families (tools/model-card/ensemble.py).
# Needs the Release build (dotnet build -c Release) and ../shared. Takes a few minutes on the 2-core machine,
# most of it the convolution (whose filters need a small step, --conv-step 0.05, or training diverges).
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${1:-../shared}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
zhsenti=(dotnet src/ZhSentiment/bin/Release/net10.0/zhsenti.dll)
data=(--data "$shared/data/sentiment/train.tsv" --data "$shared/data/sentiment3/train.tsv" --seed 1 --clause-roles --fold-traditional)
declare -A families=(
  ["linear n-grams, mean pooling"]="--dim 0 --linear-step 500 --buckets 4194304"
  ["linear n-grams, sqrt pooling (shipped)"]="--sqrt-pooling --dim 0 --linear-step 5 --buckets 4194304"
  ["bag of embeddings (16) + linear, sqrt pooling"]="--sqrt-pooling --dim 16 --linear-step 5 --buckets 4194304"
  ["convolution (32 × 6 ids) + bag + linear, sqrt pooling, 3 epochs"]="--sqrt-pooling --dim 16 --conv-filters 32 --conv-width 6 --conv-step 0.05 --epochs 3 --linear-step 5 --buckets 4194304"
)
echo "| family | train flags (besides the data, --seed 1 --clause-roles --fold-traditional) | ChnSentiCorp dev | Weibo dev | product dev | 3-class macro-F1 | ECE (3 binary sets) | size | training | p50, short text |"
echo "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |"
i=0
for name in "linear n-grams, mean pooling" "linear n-grams, sqrt pooling (shipped)" "bag of embeddings (16) + linear, sqrt pooling" "convolution (32 × 6 ids) + bag + linear, sqrt pooling, 3 epochs"; do
  i=$((i + 1))
  flags=${families[$name]}
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "${zhsenti[@]}" train "${data[@]}" $flags --output "$out/f$i" > "$out/f$i.log" 2>&1
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  row="| $name | \`$flags\` |"
  ece=""
  for set in sentiment/dev sentiment/dev_weibo sentiment/dev_product sentiment3/dev; do
    "${zhsenti[@]}" eval --data "$shared/data/$set.tsv" --model "$out/f$i" --threads 1 --json > "$out/f$i.json" 2> "$out/f$i.err" \
      || { echo "| $name | eval failed: $(head -c 200 "$out/f$i.err") |"; continue 2; }
    read -r acc f1 e p50 < <(python3 -c "import json;j=json.load(open('$out/f$i.json'));print('%.2f %.4f %.3f %.3f' % (j['accuracy']*100, j['macro_f1'], j['calibration']['expected_calibration_error'], j['timing']['short_text_median_ms']))")
    if [ "$set" = sentiment3/dev ]; then row="$row $f1 |"; else row="$row $acc % |"; ece="$ece${ece:+ / }$e"; fi
  done
  size=$(du -cb "$out/f$i"/model.onnx* | tail -1 | cut -f1)
  echo "$row $ece | $(echo "scale=1; $size / 1000000" | bc) MB | $(printf '%.0f' "$seconds") s | $p50 ms |"
done

# The ensemble: the mean of the sqrt-pooled families' label probabilities (f2, f3, f4), scored as eval scores them.
row="| ensemble: mean probabilities of the three sqrt-pooled families | the three models above |"
for set in sentiment/dev sentiment/dev_weibo sentiment/dev_product sentiment3/dev; do
  for i in 2 3 4; do
    tail -n +2 "$shared/data/$set.tsv" | cut -f3 | "${zhsenti[@]}" predict --model "$out/f$i" --threads 1 --json > "$out/e$i.jsonl"
  done
  score=$(python3 tools/model-card/ensemble.py "$shared/data/$set.tsv" "$out"/e2.jsonl "$out"/e3.jsonl "$out"/e4.jsonl)
  if [ "$set" = sentiment3/dev ]; then row="$row $score |"; else row="$row $score % |"; fi
done
size=$(du -cb "$out"/f2/model.onnx* "$out"/f3/model.onnx* "$out"/f4/model.onnx* | tail -1 | cut -f1)
echo "$row – | $(echo "scale=1; $size / 1000000" | bc) MB | the three's | the three's |"
