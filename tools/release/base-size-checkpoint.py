#!/usr/bin/python3
"""Writes a StructBERT-base-sized ModelScope folder with random weights (12 layers, hidden 768, 21,128-token vocabulary,
102 M parameters): what tools/release/measure.sh --model DIR measures memory and start-up with when no real
checkpoint is at hand. It has the fixture's keys and labels; its predictions mean nothing.
Usage: /usr/bin/python3 tools/release/base-size-checkpoint.py OUT_DIR [VOCAB_TXT]   (needs torch)
VOCAB_TXT: a 21,128-token BERT vocabulary (e.g. bert-base-chinese's) so Chinese text tokenizes as with the real
model; without it the fixture's vocabulary is padded with [unused] tokens and most characters read as [UNK]."""
import json, os, shutil, sys
import torch

H, I, L, P, V = 768, 3072, 12, 512, 21128
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
src = os.path.join(root, "tests", "ZhSentiment.Tests", "Fixtures", "models", "modelscope")
out = sys.argv[1]
os.makedirs(out, exist_ok=True)

config = json.load(open(os.path.join(src, "config.json"), encoding="utf-8"))
small = (config["hidden_size"], config["intermediate_size"])
config.update(hidden_size=H, intermediate_size=I, num_attention_heads=12, num_hidden_layers=L,
              max_position_embeddings=P, vocab_size=V)
json.dump(config, open(os.path.join(out, "config.json"), "w", encoding="utf-8"), ensure_ascii=False, indent=1)
shutil.copy(os.path.join(src, "configuration.json"), out)
if len(sys.argv) > 2:
    shutil.copy(sys.argv[2], os.path.join(out, "vocab.txt"))
else:
    vocab = open(os.path.join(src, "vocab.txt"), encoding="utf-8").read().splitlines()
    vocab += [f"[unused{i}]" for i in range(V - len(vocab))]
    open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8").write("\n".join(vocab) + "\n")
if sum(1 for _ in open(os.path.join(out, "vocab.txt"), encoding="utf-8")) != V:
    sys.exit(f"the vocabulary must have {V} tokens")

generator = torch.Generator().manual_seed(0)
state = {}
for key, tensor in torch.load(os.path.join(src, "pytorch_model.bin"), map_location="cpu").items():
    if ".encoder.layer." in key and ".encoder.layer.0." not in key:
        continue
    if key.endswith("position_ids"):
        state[key] = torch.arange(P).unsqueeze(0)
        continue
    shape = [V if "word_embeddings" in key and i == 0 else P if "position_embeddings" in key and i == 0
             else H if d == small[0] else I if d == small[1] else d for i, d in enumerate(tensor.shape)]
    if "LayerNorm.weight" in key:
        value = torch.ones(shape)
    elif key.endswith("bias"):
        value = torch.zeros(shape)
    else:
        value = torch.randn(shape, generator=generator) * 0.02
    for layer in range(L) if ".encoder.layer.0." in key else [None]:
        state[key if layer is None else key.replace(".layer.0.", f".layer.{layer}.")] = value.clone()
torch.save(state, os.path.join(out, "pytorch_model.bin"))
print(f"{out}: {sum(t.numel() for k, t in state.items() if not k.endswith('position_ids')) / 1e6:.1f} M parameters")
