#!/usr/bin/env python3
"""The classical anchor the default model is measured against (issue: a model people can trust).

Char 1-3-gram TF-IDF (sublinear tf, min_df 2, at most 1M features) + logistic regression (C=4), trained on
../shared/data/sentiment/train.tsv and measured on the three development sets; with --three-class, the same recipe on
../shared/data/sentiment3. Debian's python3-sklearn, like the PyTorch oracle: a reference, never part of what users run.

    /usr/bin/python3 tools/baseline/anchor.py [--shared ../shared] [--three-class] [--json OUT]
"""
import argparse, csv, json, os, sys, time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score


def read(path):
    labels, texts = [], []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            labels.append(int(row["label"]))
            texts.append(row["text"])
    return labels, texts


def ece(probs, labels, bins=10):
    """Expected calibration error of the top probability over equal-width bins."""
    total, n = 0.0, len(labels)
    top = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i in range(n) if (top[i] > lo or b == 0) and top[i] <= hi]
        if idx:
            acc = sum(pred[i] == labels[i] for i in idx) / len(idx)
            conf = sum(top[i] for i in idx) / len(idx)
            total += len(idx) / n * abs(acc - conf)
    return total


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
    p.add_argument("--three-class", action="store_true")
    p.add_argument("--json")
    a = p.parse_args()
    data = os.path.join(a.shared, "data", "sentiment3" if a.three_class else "sentiment")
    if not os.path.isdir(data):
        sys.exit(f"anchor.py: {data} does not exist; pass --shared DIR")
    started = time.time()
    y, x = read(os.path.join(data, "train.tsv"))
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, max_features=1_000_000)
    model = LogisticRegression(C=4, max_iter=1000)
    model.fit(vec.fit_transform(x), y)
    devs = ["dev.tsv"] if a.three_class else ["dev.tsv", "dev_weibo.tsv", "dev_product.tsv"]
    results = {}
    for name in devs:
        yd, xd = read(os.path.join(data, name))
        probs = model.predict_proba(vec.transform(xd))
        pred = probs.argmax(axis=1)
        results[name] = {"rows": len(yd), "accuracy": round(accuracy_score(yd, pred), 4),
                         "macro_f1": round(f1_score(yd, pred, average="macro"), 4), "ece": round(ece(probs, yd), 4)}
        print(f"{name}: rows {len(yd)}  accuracy {results[name]['accuracy']:.4f}  macro-F1 {results[name]['macro_f1']:.4f}  ECE {results[name]['ece']:.4f}")
    print(f"trained and measured in {time.time() - started:.0f} s")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
