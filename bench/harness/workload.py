"""The request workload: real reviews from ../shared/data/sentiment/dev.tsv in length classes, their token counts
under the model's own tokenizer, and the JSON bodies the load generator sends."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "peers", "flask_structbert"))
from tokenization import BertTokenizer  # noqa: E402  (the peer's tokenizer, checked against the HF oracle below)

# (key, description, inclusive character-length range). "40–80" is the workload the targets are stated for.
CLASSES = [
    ("short", "≤ 32 characters", 1, 32),
    ("target", "40–80 characters", 40, 80),
    ("100", "90–110 characters", 90, 110),
    ("400", "350–450 characters", 350, 450),
]


def read_reviews(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        column = header.index("text")
        return [line.rstrip("\n").split("\t")[column] for line in f if line.strip()]


def classify_lengths(texts):
    """{class key: [texts]} in file order; texts outside every class are not used."""
    return {key: [t for t in texts if lo <= len(t) <= hi] for key, _, lo, hi in CLASSES}


def token_counts(texts, vocab_path, max_length):
    tokenizer = BertTokenizer(vocab_path)
    return [len(tokenizer.encode(t, max_length)) for t in texts]


def oracle_parity(texts, vocab_path, repo):
    """Compares the peer's tokenizer with the HF Rust tokenizer (tools/hf-oracle) on every text, untruncated.
    Returns (texts compared, texts that differ, first difference or None)."""
    oracle_dir = os.path.join(repo, "tools", "hf-oracle")
    if not os.path.isdir(os.path.join(oracle_dir, "node_modules")):
        subprocess.run(["npm", "ci", "--silent"], cwd=oracle_dir, check=True)
    stdin = "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in texts)
    out = subprocess.run(["node", os.path.join(oracle_dir, "tokenize.mjs"), "--vocab", vocab_path, "--lowercase"],
                         input=stdin, capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in out.split("\n") if line]  # not splitlines(): texts may hold U+2028
    tokenizer = BertTokenizer(vocab_path)
    differ = [(t, r["ids"]) for t, r in zip(texts, rows) if tokenizer.encode(t, 1 << 30) != r["ids"]]
    first = {"text": differ[0][0], "oracle": differ[0][1], "peer": tokenizer.encode(differ[0][0], 1 << 30)} if differ else None
    return len(rows), len(differ), first


def write_bodies(texts, path):
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
