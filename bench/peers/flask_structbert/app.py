"""The original service's architecture: a Flask app around an eager PyTorch StructBERT classifier, served by gunicorn
(`gunicorn --workers 2 app:app`; each worker imports this module and loads its own copy of the model).

MODEL_DIR names the ModelScope/HF model folder. Routes: POST /predict {"text"} -> {"label", "score"} and
POST /predict_batch {"texts": [...]} -> [{"label", "score"}, ...], the API ZhSentiment serves.
"""
import os
import sys

import torch
from flask import Flask, abort, jsonify, request
from threadpoolctl import threadpool_info

import modeling
from tokenization import BertTokenizer

MODEL_DIR = os.environ["MODEL_DIR"]
CANONICAL = {"正面": "Positive", "负面": "Negative", "positive": "Positive", "negative": "Negative"}

model, config = modeling.load(MODEL_DIR)
tokenizer = BertTokenizer(os.path.join(MODEL_DIR, "vocab.txt"))
max_length = config["max_position_embeddings"]
labels = [CANONICAL.get(config["id2label"][str(i)], config["id2label"][str(i)]) for i in range(len(config["id2label"]))]

# The harness reads this line from the log to prove which BLAS the serving workers really use.
blas = [f"{p['internal_api']} {p.get('version')} threads={p['num_threads']}" for p in threadpool_info() if p["user_api"] == "blas"]
# One write(2) per line: both workers share the log, and print's separate writes of text and newline interleaved.
os.write(2, (f"peer-worker pid={os.getpid()} torch={torch.__version__} intra_op_threads={torch.get_num_threads()} "
             f"blas={'; '.join(blas) or 'none'}\n").encode())

app = Flask(__name__)


def classify(texts):
    """One forward pass over the texts, right-padded with [PAD] to the longest and masked (dynamic padding)."""
    sequences = [tokenizer.encode(t, max_length) for t in texts]
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), tokenizer.pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, s in enumerate(sequences):
        ids[row, :len(s)] = torch.tensor(s)
        mask[row, :len(s)] = 1
    with torch.no_grad():
        probabilities = torch.softmax(model(ids, mask, torch.zeros_like(ids)), dim=-1)
    scores, best = probabilities.max(dim=-1)
    return [{"label": labels[i], "score": round(s, 4)} for i, s in zip(best.tolist(), scores.tolist())]


@app.post("/predict")
def predict():
    body = request.get_json(silent=True) or {}
    text = body.get("text")
    if not isinstance(text, str):
        abort(400)
    return jsonify(classify([text])[0])


@app.post("/predict_batch")
def predict_batch():
    body = request.get_json(silent=True) or {}
    texts = body.get("texts")
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        abort(400)
    return jsonify(classify(texts))
