#!/usr/bin/env python3
"""Reliability diagrams for the model card, from `zhsenti eval --json` output (its calibration bins).

    /usr/bin/python3 tools/model-card/reliability.py OUT.png EVAL.json [EVAL.json ...]

One panel per file: the accuracy of each bin of top probability against its mean confidence, the diagonal of
perfect calibration, and the bin counts. Needs Debian's python3-matplotlib; a tool, never part of what users run.
"""
import json, os, sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, files = sys.argv[1], sys.argv[2:]
    fig, axes = plt.subplots(1, len(files), figsize=(4.2 * len(files), 4.4), squeeze=False)
    for ax, path in zip(axes[0], files):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        bins = [b for b in doc["calibration"]["bins"] if b["count"] > 0]
        ax.plot([0, 1], [0, 1], color="#999", linestyle="--", linewidth=1, label="perfect calibration")
        ax.bar([(b["low"] + b["high"]) / 2 for b in bins], [b["accuracy"] for b in bins], width=0.1, edgecolor="#1f4e79",
               color="#9ec5e8", label="accuracy in bin")
        ax.plot([b["mean_confidence"] for b in bins], [b["accuracy"] for b in bins], "o", color="#1f4e79", markersize=4,
                label="(mean confidence, accuracy)")
        for b in bins:
            ax.annotate(str(b["count"]), ((b["low"] + b["high"]) / 2, 0.02), ha="center", fontsize=7, color="#333")
        name = os.path.join(os.path.basename(os.path.dirname(doc["data"])), os.path.basename(doc["data"]))
        ax.set_title(f"{name}: accuracy {doc['accuracy']:.3f}, ECE {doc['calibration']['expected_calibration_error']:.3f}", fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("top probability")
        ax.set_ylabel("accuracy")
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(out, dpi=90)


if __name__ == "__main__":
    main()
