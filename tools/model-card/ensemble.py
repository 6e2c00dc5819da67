#!/usr/bin/env python3
"""The family table's ensemble row: averages the label probabilities several models gave one labelled file
(`zhsenti predict --json` outputs, one per model, in the file's row order) and scores the average as `eval` does:
a two-class file by the polar decision (P(正面) against P(负面)), a three-class file by macro-F1.

    ensemble.py LABELLED.tsv PRED1.jsonl PRED2.jsonl ...   -> prints accuracy % (two classes) or macro-F1 (three)
"""
import csv, json, sys


def main():
    data, preds = sys.argv[1], sys.argv[2:]
    with open(data, encoding="utf-8", newline="") as f:
        gold = [int(r["label"]) for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    runs = [[json.loads(line)["probabilities"] for line in open(p, encoding="utf-8")] for p in preds]
    if any(len(r) != len(gold) for r in runs):
        sys.exit(f"ensemble.py: every prediction file must have {len(gold)} lines")
    mean = [[sum(r[i][k] for r in runs) / len(runs) for k in range(len(runs[0][i]))] for i in range(len(gold))]
    if max(gold) <= 1:  # a two-class file scored by the polar decision of three-label models
        right = sum((p[-1] > p[0]) == (g == 1) for p, g in zip(mean, gold))
        print(f"{100 * right / len(gold):.2f}")
        return
    pred = [max(range(len(p)), key=p.__getitem__) for p in mean]
    f1s = []
    for c in sorted(set(gold)):
        tp = sum(p == c and g == c for p, g in zip(pred, gold))
        fp = sum(p == c and g != c for p, g in zip(pred, gold))
        fn = sum(p != c and g == c for p, g in zip(pred, gold))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    print(f"{sum(f1s) / len(f1s):.4f}")


if __name__ == "__main__":
    main()
