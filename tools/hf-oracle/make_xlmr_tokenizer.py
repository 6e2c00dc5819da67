#!/usr/bin/python3
"""Generates the XLM-RoBERTa tokenizer fixtures: a small SentencePiece Unigram model trained here, written as the
tokenizer.json that transformers' XLMRobertaConverter makes of it, and the Hugging Face Rust tokenizer's output for
the project's test texts.

    cd tools/hf-oracle && npm ci
    apt-get install python3-sentencepiece python3-protobuf      # Debian's; nothing from PyPI
    /usr/bin/python3 tools/hf-oracle/make_xlmr_tokenizer.py

writes tests/ZhSentiment.Tests/Fixtures/tokenizer/xlm-roberta/ and xlm-roberta-strip/ (tokenizer.json,
expected.jsonl). xlm-roberta-base itself (250,002 pieces) cannot be downloaded here, so the vocabulary is small and
trained on the repository's own texts, but everything around it is XLM-R's:

- the precompiled_charsmap is SentencePiece's built-in nmt_nfkc rule (the normalization xlm-roberta-base's
  sentencepiece.bpe.model was trained with): NFKC plus NMT's whitespace and control-character handling, serialized
  by the trainer as a Darts double-array trie and a blob of normalized strings;
- the vocabulary is laid out as XLMRobertaConverter.vocab (transformers' convert_slow_tokenizer.py) lays it out:
  <s>, <pad>, </s>, <unk> at 0-3 with score 0, then SentencePiece's pieces from index 3 on (fairseq's offset of one),
  then <mask>; unk_id 3;
- xlm-roberta/ is the tokenizer.json of xlm-roberta-base on the Hub (converted by transformers 3/4.0): normalizer
  Sequence[Precompiled, Replace(Regex " {2,}" -> " ")], pre_tokenizer Metaspace(replacement "▁",
  add_prefix_space true), TemplateProcessing "<s> $A </s>", added tokens <s> <pad> </s> <unk> and <mask> (lstrip);
- xlm-roberta-strip/ is what today's converter writes (SpmConverter.normalizer/pre_tokenizer): Sequence[Precompiled,
  Strip(right), Replace(Regex " {2,}" -> "▁")], Metaspace(prepend_scheme "always", split true).

Training is deterministic (one thread, fixed seed): the same sentencepiece version writes the same pieces.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(REPO, "tests", "ZhSentiment.Tests", "Fixtures", "tokenizer")
VOCAB_SIZE = 3000

# Texts that probe what is particular to XLM-R's pipeline, added to the shared tokenizer texts (texts.jsonl).
EXTRA_TEXTS = [
    "<s>", "</s>", "<pad>", "<unk>", "<mask>", "好<mask>好", "好 <mask> 好", "好  <mask>", "<mask>  好", "<s>好</s>",
    "＜ｓ＞", "＜ｍａｓｋ＞", "<S>", "▁", "▁▁好", "好▁好", " 好", "好 ", "好  ", "  好  坏  ", "a  b   c", "a\u3000\u3000b",
    "Ａ\u0301", "Ａ\u0301Ｂ", "ｶﾞ", "ｶ\u3099", "ｶﾞｷﾞ", "\u2460\u0301", "㍻", "㈱", "ﬁ\u0301", "e\u0301\u0302", "\r\n", "好\r\n好",
    "\u00a0好\u00a0", "\u2028", "好\u200b\u200b好", "\ufeff\ufeff", "ABC abc ＡＢＣ ａｂｃ", "１２３４５６７８９０", "①②③④⑤",
    "這間餐廳的服務態度非常好，下次還會再來！", "这家酒店位置很好，但是房间太小了。", "I really love this phone!",
    "Ce restaurant est vraiment excellent.", "Das Essen war leider kalt.", "このレストランはとても美味しいです",
    "이 식당 정말 맛있어요", "Отличный сервис, рекомендую!", "😀😀😀好评", "物流快👍🏻👍🏻", "好" * 600,
    "非常满意，" * 120,
]


def read_texts():
    """The project's varied tokenizer texts (tests' texts.jsonl), one JSON string a line."""
    with open(os.path.join(FIXTURES, "texts.jsonl"), encoding="utf-8", errors="surrogatepass") as f:
        return [json.loads(line) for line in f if line.strip()]


def training_lines():
    """Chinese reviews and the test texts of the repository itself, so the fixture rebuilds without ../shared."""
    lines = []
    with open(os.path.join(REPO, "tests", "ZhSentiment.Tests", "Fixtures", "behaviour", "cases.tsv"), encoding="utf-8") as f:
        lines += [row.rstrip("\n").split("\t", 2)[2] for row in list(f)[1:]]
    lines += json.load(open(os.path.join(REPO, "tools", "reference-models", "fixture_texts.json"), encoding="utf-8"))
    for name in sorted(os.listdir(os.path.join(REPO, "aspects"))):
        with open(os.path.join(REPO, "aspects", name), encoding="utf-8") as f:
            lines += [line.strip() for line in f if line.strip() and not line.startswith("#")]
    lines += [t for t in read_texts() + EXTRA_TEXTS if t.strip()]
    # SentencePiece reads UTF-8 lines: unpaired surrogates and line breaks inside a text cannot go in.
    return [" ".join(t.encode("utf-8", "replace").decode("utf-8").split()) for t in lines]


def train(lines, tmp):
    corpus = os.path.join(tmp, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines if line))
    prefix = os.path.join(tmp, "xlmr")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=prefix, model_type="unigram", vocab_size=VOCAB_SIZE, hard_vocab_limit=False,
        normalization_rule_name="nmt_nfkc", character_coverage=0.9995, num_threads=1, seed_sentencepiece_size=100000,
        shuffle_input_sentence=False, minloglevel=2)
    proto = sentencepiece_model_pb2.ModelProto()
    with open(prefix + ".model", "rb") as f:
        proto.ParseFromString(f.read())
    assert proto.normalizer_spec.name == "nmt_nfkc" and proto.normalizer_spec.precompiled_charsmap
    assert [p.piece for p in proto.pieces[:3]] == ["<unk>", "<s>", "</s>"]
    return proto


def added(token_id, content, lstrip=False):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": False,
            "normalized": False, "special": True}


def tokenizer_json(proto, modern):
    """tokenizer.json as XLMRobertaConverter writes it (classic: the Hub's xlm-roberta-base; modern: today's)."""
    vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0]]
    vocab += [[p.piece, p.score] for p in proto.pieces[3:]]
    vocab += [["<mask>", 0.0]]
    charsmap = base64.b64encode(proto.normalizer_spec.precompiled_charsmap).decode("ascii")
    normalizers = [{"type": "Precompiled", "precompiled_charsmap": charsmap}]
    if modern:
        normalizers += [{"type": "Strip", "strip_left": False, "strip_right": True},
                        {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": "▁"}]
        metaspace = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}
    else:
        normalizers += [{"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]
        metaspace = {"type": "Metaspace", "replacement": "▁", "add_prefix_space": True}
    special = lambda t, i: {"id": t, "ids": [i], "tokens": [t]}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added(0, "<s>"), added(1, "<pad>"), added(2, "</s>"), added(3, "<unk>"),
                         added(len(vocab) - 1, "<mask>", lstrip=True)],
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {"</s>": special("</s>", 2), "<s>": special("<s>", 0)},
        },
        "decoder": dict(metaspace),
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab},
    }


def run_oracle(tokenizer_path, texts):
    if not os.path.isdir(os.path.join(HERE, "node_modules", "tokenizers")):
        sys.exit("tools/hf-oracle has no node_modules: run `npm ci` there first")
    stdin = "".join(json.dumps(t) + "\n" for t in texts)
    result = subprocess.run(["node", os.path.join(HERE, "tokenize.mjs"), "--tokenizer", tokenizer_path],
                            input=stdin.encode("utf-8", "surrogatepass"), capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def main():
    texts = read_texts() + EXTRA_TEXTS
    with tempfile.TemporaryDirectory() as tmp:
        proto = train(training_lines(), tmp)
    for name, modern in (("xlm-roberta", False), ("xlm-roberta-strip", True)):
        folder = os.path.join(FIXTURES, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "tokenizer.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(tokenizer_json(proto, modern), f, ensure_ascii=False)
        expected = run_oracle(path, texts)
        assert expected.count("\n") == len(texts)
        with open(os.path.join(folder, "expected.jsonl"), "w", encoding="utf-8") as f:
            f.write(expected)
    print(f"{len(proto.pieces) + 2} pieces, {len(texts)} texts -> {FIXTURES}/xlm-roberta*", file=sys.stderr)


if __name__ == "__main__":
    main()
