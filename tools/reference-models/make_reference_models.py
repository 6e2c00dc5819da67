#!/usr/bin/python3
"""Generates the reference model fixtures: small random BERT sequence classifiers in every checkpoint layout
the engine reads, with the logits PyTorch computes for the fixture texts.

    /usr/bin/python3 tools/reference-models/make_reference_models.py [--only xlm-roberta unsupported emotion]
        writes tests/ZhSentiment.Tests/Fixtures/models/ (run `npm ci` in tools/hf-oracle first), or only the
        folders named
    /usr/bin/python3 tools/reference-models/make_reference_models.py --base-model OUT_DIR [--with-safetensors]
        writes a StructBERT-base-shaped random checkpoint (ModelScope layout, bert-base-chinese vocab from
        ../shared) into OUT_DIR for benchmarks; never commit it

Everything is deterministic: the same torch version writes the same bytes.
"""
import argparse
import collections
import dataclasses
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import torch

import checkpoint_writers as cw
import eager_bert as eb

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(REPO, "tests", "ZhSentiment.Tests", "Fixtures", "models")
ORACLE = os.path.join(REPO, "tools", "hf-oracle", "tokenize.mjs")
SEED = 20240601
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
HF_LABELS = {"0": "Negative", "1": "Positive"}
MODELSCOPE_LABELS = {"0": "负面", "1": "正面"}


# ---------------------------------------------------------------- vocabulary and tokenization

def build_vocab(texts):
    """[PAD] at 0 as BERT has it, but [UNK]/[CLS]/[SEP] at 1-3 rather than bert-base-chinese's 100-102, so
    that a consumer hard-coding those ids fails. Then ASCII, a few English words and ## pieces, every CJK
    character of the fixture texts except a handful left out on purpose (they must become [UNK]), two emoji,
    and the start of the CJK block up to about 2,500 tokens."""
    left_out = set("鼑龘靐齉爩")
    tokens = list(SPECIAL)
    ascii_chars = [chr(c) for c in range(33, 127) if not chr(c).isupper()]
    tokens += ascii_chars + ["##" + c for c in ascii_chars if c.isalnum()]
    tokens += ["good", "bad", "very", "nice", "great", "food", "was", "the", "experience", "app", "wifi", "pro",
               "iphone", "ok", "mah", "cafe", "http", "com", "##ing", "##ed", "##ly", "##s", "##er", "15", "299",
               "100", "2024", "5000", "¥", "…", "★", "“", "”", "～", "【", "】", "《", "》", "（", "）", "，",
               "。", "！", "？", "：", "；", "😀", "👍"]
    cjk = sorted({ch for t in texts for ch in t if "\u4e00" <= ch <= "\u9fff"} - left_out)
    code = 0x4E00
    while len(tokens) + len(cjk) < 2500:
        ch = chr(code)
        if ch not in cjk and ch not in left_out:
            cjk.append(ch)
        code += 1
    seen, vocab = set(), []
    for t in tokens + sorted(cjk):
        if t not in seen:
            seen.add(t)
            vocab.append(t)
    return vocab


def tokenizer_json(vocab):
    """tokenizer.json as transformers writes it for BertTokenizerFast (the same document tools/hf-oracle builds)."""
    ids = {t: i for i, t in enumerate(vocab)}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for t in SPECIAL],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids},
    }


def run_oracle(texts, args):
    if not os.path.isdir(os.path.join(os.path.dirname(ORACLE), "node_modules")):
        sys.exit("tools/hf-oracle has no node_modules: run `npm ci` there first")
    stdin = "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in texts)
    out = subprocess.run(["node", ORACLE, *args], input=stdin, capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line]
    assert [r["text"] for r in rows] == texts
    return [r["ids"] for r in rows]


def truncate(ids, max_length):
    """What truncation=True, max_length=N does to one sequence: keep [CLS], the first N-2 tokens and [SEP]."""
    return ids if len(ids) <= max_length else ids[:max_length - 1] + ids[-1:]


# ---------------------------------------------------------------- reference logits

def logits_alone(weights, shape, sequences):
    rows = []
    with torch.no_grad():
        for ids in sequences:
            x = torch.tensor([ids], dtype=torch.long)
            rows.append(eb.forward(weights, shape, x, torch.ones_like(x), torch.zeros_like(x))[0].tolist())
    return rows


def logits_padded_batch(weights, shape, sequences):
    """All sequences in one batch, right-padded with [PAD] (id 0; XLM-R's <pad>, its padding index) to the longest,
    masked out."""
    length = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), length), shape.padding_idx or 0, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, s in enumerate(sequences):
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    with torch.no_grad():
        logits = eb.forward(weights, shape, ids, mask, torch.zeros_like(ids))
        independent = eb.forward_with_torch_modules(weights, shape, ids, mask, torch.zeros_like(ids))
    gap = (logits - independent).abs().max().item()
    assert gap < 1e-5, f"hand-written BERT and torch.nn.TransformerEncoderLayer disagree by {gap}"
    return logits.tolist(), length


def round_to(weights, dtype):
    return {n: t.to(dtype).to(torch.float32) for n, t in weights.items()}


# ---------------------------------------------------------------- files

def tensor_summary(t):
    """A checksum and a few elements of a tensor as the C# reader must see it (float types widened to fp32)."""
    flat = t.reshape(-1)
    values = flat.to(torch.float64) if t.is_floating_point() else flat.to(torch.int64)
    n = flat.numel()
    picks = sorted({0, n - 1, n // 3, (7 * n) // 11, n // 2}) if n else []
    as_number = float if t.is_floating_point() else int
    return {
        "dtype": cw.SAFETENSORS_DTYPES[t.dtype],
        "shape": list(t.shape),
        "sum": float(values.sum()),
        "abs_sum": float(values.abs().sum()),
        "values": {str(i): as_number(values[i].item()) for i in picks},
    }


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
        f.write("\n")


def hf_config(shape, labels, architecture="BertForSequenceClassification", model_type="bert"):
    return {
        "architectures": [architecture],
        "model_type": model_type,
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": shape.hidden_size,
        "id2label": labels,
        "label2id": {v: int(k) for k, v in labels.items()},
        "initializer_range": 0.02,
        "intermediate_size": shape.intermediate_size,
        "layer_norm_eps": shape.layer_norm_eps,
        "max_position_embeddings": shape.max_position_embeddings,
        "num_attention_heads": shape.num_attention_heads,
        "num_hidden_layers": shape.num_hidden_layers,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "type_vocab_size": shape.type_vocab_size,
        "vocab_size": shape.vocab_size,
    }


def modelscope_configuration(head_model=False):
    """configuration.json as ModelScope's sentiment models ship it (see README.md for the sources)."""
    model = {"type": "structbert"}
    if head_model:
        model = {"type": "text-classification", "backbone": {"type": "structbert", "prefix": "bert"},
                 "head": {"type": "text-classification"}}
    return {
        "framework": "pytorch",
        "task": "text-classification",
        "pipeline": {"type": "sentiment-classification"},
        "model": model,
        "preprocessor": {"type": "sen-cls-tokenizer", "first_sequence": "sentence", "label": "label"},
        "dataset": {"train": {"labels": ["负面", "正面"], "first_sequence": "sentence", "label": "label"}},
    }


def tokenizer_config(max_length):
    return {"do_lower_case": True, "model_max_length": max_length, "tokenizer_class": "BertTokenizer",
            "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
            "mask_token": "[MASK]", "tokenize_chinese_chars": True, "strip_accents": None}


SPECIAL_TOKENS_MAP = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
                      "mask_token": "[MASK]"}


def position_ids_buffer(shape):
    # As BertEmbeddings registers it: arange(...).expand((1, -1)), a stride-0 view in the saved file.
    return torch.arange(shape.max_position_embeddings).expand((1, -1))


class FixtureSet:
    def __init__(self, texts, vocab, shape, sequences, full_lengths, seed=SEED):
        self.texts, self.vocab, self.shape = texts, vocab, shape
        self.sequences, self.full_lengths = sequences, full_lengths
        self.weights = eb.random_weights(shape, seed)
        # Centre the classifier so the fixture texts fall on every side of the decision boundaries: each class's
        # logit less the median of its lead over class 0.
        logits = torch.tensor(logits_alone(self.weights, shape, sequences))
        for c in range(1, shape.num_labels):
            self.weights["classifier.bias"][c] -= (logits[:, c] - logits[:, 0]).quantile(0.5)
        self.logits = {}

    def reference(self, dtype):
        if dtype not in self.logits:
            weights = self.weights if dtype == torch.float32 else round_to(self.weights, dtype)
            alone = logits_alone(weights, self.shape, self.sequences)
            batch, length = logits_padded_batch(weights, self.shape, self.sequences)
            self.logits[dtype] = (alone, batch, length)
        return self.logits[dtype]

    def expected(self, folder, description, weights_file, file_format, dtype, labels, tensors, weights=None,
                 max_length=None, shape=None):
        """expected.json; ``weights`` (fp32), ``shape`` and ``max_length`` (where the pipeline truncates) for a
        variant of the fixture model, else the shared model at its full length."""
        shape = shape or self.shape
        max_length = max_length or self.shape.max_position_embeddings
        sequences = [truncate(ids, max_length) for ids in self.sequences]
        if weights is None:
            alone, batch, length = self.reference(dtype)
        else:
            alone = logits_alone(weights, shape, sequences)
            batch, length = logits_padded_batch(weights, shape, sequences)
        write_json(os.path.join(folder, "expected.json"), {
            "description": description,
            "weights": weights_file,
            "format": file_format,
            "dtype": cw.SAFETENSORS_DTYPES[dtype],
            "max_length": max_length,
            "labels": labels if isinstance(labels, list) else [labels[str(i)] for i in range(len(labels))],
            "batch_padded_length": length,
            "texts": [{"text": t, "ids": ids, "full_length": n, "logits": a, "batch_logits": b}
                      for t, ids, n, a, b in zip(self.texts, sequences, self.full_lengths, alone, batch)],
            "tensors": {name: tensor_summary(t) for name, t in tensors.items()} if tensors is not None else None,
        })

    def folder(self, name, vocab_files=("vocab.txt",)):
        path = os.path.join(FIXTURES, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        if "vocab.txt" in vocab_files:
            with open(os.path.join(path, "vocab.txt"), "w", encoding="utf-8") as f:
                f.write("".join(t + "\n" for t in self.vocab))
        if "tokenizer.json" in vocab_files:
            write_json(os.path.join(path, "tokenizer.json"), tokenizer_json(self.vocab))
        return path

    def hf_state(self, dtype=torch.float32, prefix=True, position_ids=True):
        tensors = collections.OrderedDict(
            (n if prefix else n.removeprefix("bert."), t.to(dtype)) for n, t in self.weights.items())
        if position_ids:
            key = "bert.embeddings.position_ids" if prefix else "embeddings.position_ids"
            tensors[key] = position_ids_buffer(self.shape)
            return cw.as_module_state_dict(tensors, buffers=(key,))
        return tensors


def write_hf_folder(fs, name, description, weights_file, file_format, state, dtype=torch.float32,
                    vocab_files=("vocab.txt",)):
    path = fs.folder(name, vocab_files)
    write_json(os.path.join(path, "config.json"), hf_config(fs.shape, HF_LABELS))
    write_json(os.path.join(path, "tokenizer_config.json"), tokenizer_config(fs.shape.max_position_embeddings))
    write_json(os.path.join(path, "special_tokens_map.json"), SPECIAL_TOKENS_MAP)
    target = os.path.join(path, weights_file)
    {"torch-zip": cw.save_torch_zip, "torch-legacy": cw.save_torch_legacy,
     "safetensors": lambda s, p: cw.save_safetensors(s, p, {"format": "pt"})}[file_format](state, target)
    fs.expected(path, description, weights_file, file_format, dtype, HF_LABELS, state)


def write_modelscope_folder(fs, name, description, state, head_model=False):
    path = fs.folder(name)
    write_json(os.path.join(path, "config.json"),
               hf_config(fs.shape, MODELSCOPE_LABELS, "SbertForSequenceClassification", "structbert"))
    write_json(os.path.join(path, "configuration.json"), modelscope_configuration(head_model))
    cw.save_torch_zip(state, os.path.join(path, "pytorch_model.bin"))
    fs.expected(path, description, "pytorch_model.bin", "torch-zip", torch.float32, MODELSCOPE_LABELS, state)


class ExportedBert(torch.nn.Module):
    def __init__(self, weights, shape):
        super().__init__()
        self.shape = shape
        self.names = list(weights)
        self.params = torch.nn.ParameterList([torch.nn.Parameter(weights[n], requires_grad=False) for n in self.names])

    def forward(self, input_ids, attention_mask, token_type_ids):
        return eb.forward(dict(zip(self.names, self.params)), self.shape, input_ids, attention_mask, token_type_ids)


def write_onnx_folder(fs):
    path = fs.folder("onnx-export", ("vocab.txt", "tokenizer.json"))
    write_json(os.path.join(path, "config.json"), hf_config(fs.shape, HF_LABELS))
    write_json(os.path.join(path, "tokenizer_config.json"), tokenizer_config(fs.shape.max_position_embeddings))
    write_json(os.path.join(path, "special_tokens_map.json"), SPECIAL_TOKENS_MAP)
    example = torch.tensor([fs.sequences[0]], dtype=torch.long)
    dynamic = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(ExportedBert(fs.weights, fs.shape).eval(), (example, torch.ones_like(example), torch.zeros_like(example)),
                      os.path.join(path, "model.onnx"), input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["logits"], opset_version=14, do_constant_folding=True,
                      dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "token_type_ids": dynamic,
                                    "logits": {0: "batch_size"}})
    fs.expected(path, "torch.onnx.export of the same model (opset 14, dynamic batch and sequence axes)",
                "model.onnx", "onnx", torch.float32, HF_LABELS, None)


# ---------------------------------------------------------------- folders as published models have them

def with_classes(fs, n, seed):
    """The fixture model with an n-class head (fresh classifier rows, the backbone unchanged)."""
    g = torch.Generator().manual_seed(seed)
    weights = dict(fs.weights)
    weights["classifier.weight"] = 0.3 * torch.randn((n, fs.shape.hidden_size), generator=g)
    weights["classifier.bias"] = 0.1 * torch.randn((n,), generator=g)
    return weights


def renamed(weights, rename):
    return collections.OrderedDict((rename(n), t) for n, t in weights.items())


def task_model_key(name, prefix):
    """A ModelScope task model's key (task_model.py: backbone under its prefix, head under 'head.')."""
    return "head." + name if name.startswith("classifier.") else prefix + name.removeprefix("bert.")


def write_variant(fs, name, description, weights, labels, state, config=None, configuration=None, max_length=None,
                  files=()):
    """A folder holding ``state`` as pytorch_model.bin, config.json and/or configuration.json, the vocabulary, and
    the logits PyTorch computes from ``weights`` (the same tensors under the eager model's names)."""
    path = fs.folder(name)
    if config is not None:
        write_json(os.path.join(path, "config.json"), config)
    if configuration is not None:
        write_json(os.path.join(path, "configuration.json"), configuration)
    for file_name, value in files:
        write_json(os.path.join(path, file_name), value)
    cw.save_torch_zip(state, os.path.join(path, "pytorch_model.bin"))
    fs.expected(path, description, "pytorch_model.bin", "torch-zip", torch.float32, labels, None, weights, max_length)


def trainer_configuration(labels, backbone=None, preprocessor_extra=None):
    """configuration.json as ModelScope's trainer leaves it after fine-tuning: the fine-tune's labels under
    model.label2id/id2label and dataset.train.labels (modelscope/utils/hub.py parse_label_mapping reads the first;
    trainers/nlp_trainer.py and utils/checkpoint.py save_pretrained write the configuration, and copy config.json
    unchanged), a backbone/head task model (models/nlp/task_models/text_classification.py)."""
    configuration = modelscope_configuration(head_model=True)
    configuration["model"]["label2id"] = {label: i for i, label in enumerate(labels)}
    configuration["model"]["id2label"] = {str(i): label for i, label in enumerate(labels)}
    configuration["model"]["num_labels"] = len(labels)
    configuration["dataset"]["train"]["labels"] = labels
    if backbone is not None:
        configuration["model"]["backbone"] = backbone
    configuration["preprocessor"].update(preprocessor_extra or {})
    return configuration


def write_published_layouts(fs):
    """The folders of issue 16's table: ModelScope fine-tunes, task models and inline configurations, and the label
    sets of published Hugging Face sentiment models."""
    stale = hf_config(fs.shape, MODELSCOPE_LABELS, "SbertForSequenceClassification", "structbert")

    # ModelScope's trainer on labels ['正面', '负面']: config.json still says 0 负面 / 1 正面 (the base model's).
    labels = ["正面", "负面"]
    write_variant(fs, "modelscope-trainer", "ModelScope trainer output: labels 正面/负面 in configuration.json, the "
                  "base model's config.json (负面/正面) left stale", fs.weights, labels,
                  renamed(fs.hf_state(), lambda n: task_model_key(n, "bert.")), stale,
                  trainer_configuration(labels, {"type": "structbert", "prefix": "bert"}))

    # The same trainer with three labels: a [3, hidden] head, labels in configuration.json only.
    labels = ["负面", "中性", "正面"]
    weights = with_classes(fs, 3, SEED + 3)
    write_variant(fs, "modelscope-3class", "ModelScope trainer output with three labels (负面/中性/正面) and "
                  "config.json still naming two", weights, labels,
                  renamed(weights, lambda n: task_model_key(n, "bert.")), stale,
                  trainer_configuration(labels, {"type": "structbert", "prefix": "bert"}))

    # A task model whose configuration names no backbone prefix: EncoderModel's default, 'encoder'.
    labels = ["负面", "正面"]
    write_variant(fs, "modelscope-encoder", "ModelScope task model with encoder.* and head.classifier.* keys "
                  "(model.backbone without prefix)", fs.weights, labels,
                  renamed(fs.weights, lambda n: task_model_key(n, "encoder.")), stale,
                  trainer_configuration(labels, {"type": "structbert"}))

    # configuration.json only: the backbone's configuration inline under model.backbone, labels under
    # preprocessor.label2id, and a preprocessor max_length below the model's positions (the pipeline truncates there).
    backbone = {k: v for k, v in stale.items() if k not in ("architectures", "model_type", "id2label", "label2id")}
    backbone.update({"type": "structbert", "prefix": "encoder"})
    inline = trainer_configuration(labels, backbone, {"max_length": 48, "label2id": {"负面": 0, "正面": 1}})
    for key in ("label2id", "id2label", "num_labels"):
        del inline["model"][key]
    write_variant(fs, "modelscope-inline", "ModelScope folder with configuration.json only (backbone configuration "
                  "inline), labels from preprocessor.label2id, truncated at the preprocessor's max_length 48",
                  fs.weights, labels, renamed(fs.weights, lambda n: task_model_key(n, "encoder.")),
                  configuration=inline, max_length=48)

    # uer/roberta-base-finetuned-jd-full-chinese: id2label 'star 1' ... 'star 5' (config.json as mirrored with its
    # _name_or_path at huggingface.co/techthiyanes/chinese_sentiment); BertForSequenceClassification, model_type bert.
    labels = [f"star {i}" for i in range(1, 6)]
    weights = with_classes(fs, 5, SEED + 5)
    config = hf_config(fs.shape, {str(i): label for i, label in enumerate(labels)})
    write_variant(fs, "hf-stars", "5-class star-rating BERT (uer jd-full's labels 'star 1' ... 'star 5')", weights,
                  labels, fs.hf_state() | {"classifier.weight": weights["classifier.weight"],
                                           "classifier.bias": weights["classifier.bias"]}, config)


# iic/nlp_structbert_emotion-classification_chinese-base's seven labels in class-index order. Its model card lists them
# as 恐惧、愤怒、厌恶、喜好、悲伤、高兴、惊讶. ModelScope's TextClassificationPipeline.postprocess lists every class by
# np.argpartition(probs, -k)[-k:] reversed. For seven classes numpy's partition only swaps the least probable class into
# place 0, so the pipeline lists the classes in reverse index order, except that the least probable class and class 0
# trade places. Two outputs of this model quoted in public code fit that rule with the card's order as the index
# order: ['恐惧', '高兴', '悲伤', '喜好', '厌恶', '愤怒', '惊讶'] (惊讶 least probable) and
# ['惊讶', '高兴', '悲伤', '喜好', '厌恶', '愤怒', '恐惧'] (恐惧 least probable). The only other order they fit is the
# card's with 恐惧 and 惊讶 exchanged.
MODELSCOPE_EMOTIONS = ["恐惧", "愤怒", "厌恶", "喜好", "悲伤", "高兴", "惊讶"]
# j-hartmann/emotion-english-distilroberta-base's id2label (Ekman's six emotions and neutral, in alphabetical order),
# the label set that BERT emotion fine-tunes copy.
EKMAN_EMOTIONS = ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"]
# GoEmotions' Ekman grouping (google-research/goemotions ekman_mapping.json: anger, disgust, fear, joy, sadness,
# surprise) plus its neutral, a multi-label set.
GOEMOTIONS_EKMAN = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]


def centred_head(fs, n, seed):
    """The fixture backbone with a fresh n-class head (with_classes) whose biases are shifted so that every class has
    the same median logit over the fixture texts: each class is then the top class of some texts."""
    weights = with_classes(fs, n, seed)
    logits = torch.tensor(logits_alone(weights, fs.shape, fs.sequences))
    weights["classifier.bias"] -= logits.quantile(0.5, dim=0)
    return weights


def write_emotion_folders(fs):
    """Emotion classifiers as they are published: ModelScope's seven-emotion StructBERT, a Hugging Face BERT emotion
    fine-tune, and a multi-label (sigmoid) emotion model."""
    # ModelScope's seven-emotion StructBERT (iic/nlp_structbert_emotion-classification_chinese-base, formerly damo/):
    # a task=text-classification folder with config.json (structbert, SbertForSequenceClassification), configuration.json
    # and vocab.txt. Its labels come from config.json: code that loads the folder with transformers'
    # BertForSequenceClassification prints model.config.id2label[argmax] as the emotion, so config.json names them.
    # ModelScope's parse_label_mapping finds no label_mapping.json and no labels in configuration.json, so it falls to
    # config.json (label2id, else id2label). Not verified against the published files, which could not be fetched here.
    labels = MODELSCOPE_EMOTIONS
    weights = centred_head(fs, len(labels), SEED + 100)
    config = hf_config(fs.shape, {str(i): label for i, label in enumerate(labels)}, "SbertForSequenceClassification",
                       "structbert")
    configuration = {"framework": "pytorch", "task": "text-classification", "pipeline": {"type": "text-classification"},
                     "model": {"type": "structbert"},
                     "preprocessor": {"type": "sen-cls-tokenizer", "first_sequence": "sentence", "label": "label"}}
    state = fs.hf_state() | {"classifier.weight": weights["classifier.weight"], "classifier.bias": weights["classifier.bias"]}
    write_variant(fs, "modelscope-emotion", "ModelScope seven-emotion StructBERT (iic/nlp_structbert_emotion-"
                  "classification_chinese-base's labels 恐惧/愤怒/厌恶/喜好/悲伤/高兴/惊讶 in config.json)", weights, labels,
                  state, config, configuration)

    # A Hugging Face BERT emotion fine-tune: BertForSequenceClassification with the Ekman-7 labels in config.json, the
    # BERT tokenizer files and model.safetensors as transformers >= 4.31 saves it (no position_ids buffer).
    labels = EKMAN_EMOTIONS
    weights = centred_head(fs, len(labels), SEED + 110)
    path = fs.folder("hf-emotion")
    write_json(os.path.join(path, "config.json"),
               hf_config(fs.shape, {str(i): label for i, label in enumerate(labels)})
               | {"problem_type": "single_label_classification"})
    write_json(os.path.join(path, "tokenizer_config.json"), tokenizer_config(fs.shape.max_position_embeddings))
    write_json(os.path.join(path, "special_tokens_map.json"), SPECIAL_TOKENS_MAP)
    cw.save_safetensors(collections.OrderedDict(weights), os.path.join(path, "model.safetensors"), {"format": "pt"})
    fs.expected(path, "Hugging Face BERT emotion fine-tune (j-hartmann's Ekman-7 labels anger/disgust/fear/joy/neutral/"
                "sadness/surprise in config.json id2label), model.safetensors", "model.safetensors", "safetensors",
                torch.float32, labels, None, weights)

    # A multi-label emotion model: problem_type multi_label_classification, as GoEmotions fine-tunes set it (e.g.
    # SamLowe/roberta-base-go_emotions; the HF pipeline then scores each class with its own sigmoid), with GoEmotions'
    # Ekman labels, on the BERT layout above. The head is three times as large as with_classes draws it, so that
    # sigmoids reach near 0 and 1 as a trained multi-label head's do. Each class's logit is centred on its median over
    # the texts, less 1 and the log of the number of classes on its sentiment side (joy 1; anger, disgust, fear and
    # sadness 4; surprise and neutral 2): a side's summed sigmoids grow with its classes, and these offsets let every
    # side win for some texts, with 0 to 3 classes above one half.
    labels = GOEMOTIONS_EKMAN
    side_classes = {"joy": 1, "anger": 4, "disgust": 4, "fear": 4, "sadness": 4, "surprise": 2, "neutral": 2}
    weights = with_classes(fs, len(labels), SEED + 120)
    weights["classifier.weight"] *= 3
    weights["classifier.bias"] *= 3
    logits = torch.tensor(logits_alone(weights, fs.shape, fs.sequences))
    weights["classifier.bias"] -= logits.quantile(0.5, dim=0) + 1 + torch.tensor([math.log(side_classes[l]) for l in labels])
    path = fs.folder("hf-emotion-multilabel")
    write_json(os.path.join(path, "config.json"),
               hf_config(fs.shape, {str(i): label for i, label in enumerate(labels)})
               | {"problem_type": "multi_label_classification"})
    write_json(os.path.join(path, "tokenizer_config.json"), tokenizer_config(fs.shape.max_position_embeddings))
    write_json(os.path.join(path, "special_tokens_map.json"), SPECIAL_TOKENS_MAP)
    cw.save_safetensors(collections.OrderedDict(weights), os.path.join(path, "model.safetensors"), {"format": "pt"})
    fs.expected(path, "multi-label BERT emotion model (GoEmotions' Ekman labels anger/disgust/fear/joy/sadness/surprise/"
                "neutral, problem_type multi_label_classification: independent sigmoids), model.safetensors",
                "model.safetensors", "safetensors", torch.float32, labels, None, weights)


def write_ernie_folder(fs):
    """ERNIE 3.0 as nghuyong/ernie-3.0-base-zh publishes it (config.json on huggingface.co: model_type ernie,
    use_task_id true, task_type_vocab_size 3, type_vocab_size 4, layer_norm_eps 1e-05), fine-tuned as
    ErnieForSequenceClassification (transformers' modeling_ernie: base_model_prefix 'ernie', task_type_embeddings
    in ErnieEmbeddings, BERT's encoder, pooler and classifier)."""
    g = torch.Generator().manual_seed(SEED + 30)
    weights = dict(fs.weights)
    h = fs.shape.hidden_size
    weights["bert.embeddings.token_type_embeddings.weight"] = 0.5 * torch.randn((4, h), generator=g)
    weights[eb.TASK_TYPE] = 0.5 * torch.randn((3, h), generator=g)
    shape = dataclasses.replace(fs.shape, layer_norm_eps=1e-5, type_vocab_size=4)
    config = hf_config(shape, HF_LABELS, "ErnieForSequenceClassification", "ernie")
    config.update({"use_task_id": True, "task_type_vocab_size": 3})
    path = fs.folder("ernie")
    write_json(os.path.join(path, "config.json"), config)
    state = renamed(weights, lambda n: n.replace("bert.", "ernie.", 1))
    cw.save_torch_zip(state, os.path.join(path, "pytorch_model.bin"))
    fs.expected(path, "ERNIE 3.0 (ernie-3.0-base-zh's configuration values, task-type embeddings)",
                "pytorch_model.bin", "torch-zip", torch.float32, HF_LABELS, None, weights, shape=shape)


def narrow_embeddings(fs, weights, width, seed):
    """ELECTRA's and ALBERT's factorised embeddings: tables and their LayerNorm ``width`` wide, projected to the
    encoder's width by eb.PROJECTION."""
    g = torch.Generator().manual_seed(seed)
    weights = dict(weights)
    for name in [n for n in weights if n.startswith("bert.embeddings.")]:
        rows = weights[name].shape[0]
        weights[name] = (1.0 + 0.1 * torch.randn((width,), generator=g) if name.endswith("LayerNorm.weight")
                         else 0.1 * torch.randn((width,), generator=g) if name.endswith("LayerNorm.bias")
                         else 0.5 * torch.randn((rows, width), generator=g))
    weights[eb.PROJECTION + ".weight"] = 0.3 * torch.randn((fs.shape.hidden_size, width), generator=g)
    weights[eb.PROJECTION + ".bias"] = 0.1 * torch.randn((fs.shape.hidden_size,), generator=g)
    return weights


def write_architecture_folder(fs, name, description, weights, shape, config, rename, labels):
    """A Hugging Face folder of another BERT-family architecture: ``weights`` under the eager model's names, saved
    under the architecture's (``rename`` returns None for a tensor the checkpoint does not hold)."""
    path = fs.folder(name)
    write_json(os.path.join(path, "config.json"), config)
    state = collections.OrderedDict((rename(n), t) for n, t in weights.items() if rename(n) is not None)
    cw.save_torch_zip(state, os.path.join(path, "pytorch_model.bin"))
    fs.expected(path, description, "pytorch_model.bin", "torch-zip", torch.float32, labels, None, weights, shape=shape)


DISTILBERT_LAYER = {"attention.self.query": "attention.q_lin", "attention.self.key": "attention.k_lin",
                    "attention.self.value": "attention.v_lin", "attention.output.dense": "attention.out_lin",
                    "attention.output.LayerNorm": "sa_layer_norm", "intermediate.dense": "ffn.lin1",
                    "output.dense": "ffn.lin2", "output.LayerNorm": "output_layer_norm"}
ALBERT_LAYER = {"attention.self.query": "attention.query", "attention.self.key": "attention.key",
                "attention.self.value": "attention.value", "attention.output.dense": "attention.dense",
                "attention.output.LayerNorm": "attention.LayerNorm", "intermediate.dense": "ffn",
                "output.dense": "ffn_output", "output.LayerNorm": "full_layer_layer_norm"}


def layer_part(name, table, layer_prefix):
    """bert.encoder.layer.N.PART.LEAF through ``table``, or None for other names."""
    if not name.startswith("bert.encoder.layer."):
        return None
    layer, rest = name.removeprefix("bert.encoder.layer.").split(".", 1)
    part, leaf = rest.rsplit(".", 1)
    return layer_prefix(int(layer)) + table[part] + "." + leaf


def write_other_architectures(fs):
    h = fs.shape.hidden_size

    # lxyuan/distilbert-base-multilingual-cased-sentiments-student (config.json on huggingface.co, also mirrored
    # as Xenova/...): DistilBERT keys (modeling_distilbert: distilbert.transformer.layer.N.attention.q_lin, ...,
    # pre_classifier, classifier), labels positive/neutral/negative, activation gelu, sinusoidal_pos_embds false.
    # Sizes are the fixture's; the tokenizer is the fixture vocabulary, lower-cased (the real one is cased).
    labels = ["positive", "neutral", "negative"]
    weights = with_classes(fs, 3, SEED + 40)
    del weights["bert.embeddings.token_type_embeddings.weight"]
    config = {"_name_or_path": "lxyuan/distilbert-base-multilingual-cased-sentiments-student", "activation": "gelu",
              "architectures": ["DistilBertForSequenceClassification"], "attention_dropout": 0.1, "dim": h,
              "dropout": 0.1, "hidden_dim": fs.shape.intermediate_size,
              "id2label": {str(i): label for i, label in enumerate(labels)}, "initializer_range": 0.02,
              "label2id": {label: i for i, label in enumerate(labels)},
              "max_position_embeddings": fs.shape.max_position_embeddings, "model_type": "distilbert",
              "n_heads": fs.shape.num_attention_heads, "n_layers": fs.shape.num_hidden_layers, "output_past": True,
              "pad_token_id": 0, "qa_dropout": 0.1, "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": False,
              "tie_weights_": True, "vocab_size": fs.shape.vocab_size}

    def distilbert(n):
        if n.startswith("bert.pooler.dense."):
            return "pre_classifier." + n.rsplit(".", 1)[1]
        if n.startswith("bert.embeddings."):
            return "distilbert." + n.removeprefix("bert.")
        return layer_part(n, DISTILBERT_LAYER, lambda i: f"distilbert.transformer.layer.{i}.") or n
    write_architecture_folder(fs, "distilbert", "DistilBERT (lxyuan multilingual sentiment student's configuration)",
                              weights, dataclasses.replace(fs.shape, pooler_act="relu"), config, distilbert, labels)

    # hfl/chinese-electra-180g-small-discriminator fine-tuned as ElectraForSequenceClassification (config.json as
    # fine-tunes publish it, e.g. huggingface.co/hsiehpinghan/model_3: embedding_size 128 against hidden_size 256,
    # "_num_labels": 2 and no id2label, so the labels are LABEL_0/LABEL_1). Keys per modeling_electra:
    # electra.embeddings.*, electra.embeddings_project, electra.encoder.layer.N.* (BERT's), classifier.dense,
    # classifier.out_proj; the head applies GELU (ElectraClassificationHead).
    weights = narrow_embeddings(fs, fs.weights, h // 2, SEED + 50)
    config = {"_name_or_path": "hfl/chinese-electra-180g-small-discriminator", "_num_labels": 2,
              "architectures": ["ElectraForSequenceClassification"], "attention_probs_dropout_prob": 0.1,
              "embedding_size": h // 2, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": h,
              "initializer_range": 0.02, "intermediate_size": fs.shape.intermediate_size, "layer_norm_eps": 1e-12,
              "max_position_embeddings": fs.shape.max_position_embeddings, "model_type": "electra",
              "num_attention_heads": fs.shape.num_attention_heads, "num_hidden_layers": fs.shape.num_hidden_layers,
              "output_past": True, "pad_token_id": 0, "position_embedding_type": "absolute",
              "summary_activation": "gelu", "summary_last_dropout": 0.1, "summary_type": "first",
              "summary_use_proj": True, "type_vocab_size": 2, "vocab_size": fs.shape.vocab_size}

    def electra(n):
        if n.startswith("bert.pooler.dense."):
            return "classifier.dense." + n.rsplit(".", 1)[1]
        if n.startswith("classifier."):
            return "classifier.out_proj." + n.rsplit(".", 1)[1]
        return "electra." + n.removeprefix("bert.")
    write_architecture_folder(fs, "electra", "ELECTRA (hfl Chinese ELECTRA small's configuration, factorised "
                              "embeddings, LABEL_0/LABEL_1)", weights, dataclasses.replace(fs.shape, pooler_act="gelu"),
                              config, electra, ["LABEL_0", "LABEL_1"])

    # ckiplab/albert-base-chinese fine-tuned as AlbertForSequenceClassification (config.json as published by
    # fine-tunes, e.g. huggingface.co/r10521708/albert-base-chinese-finetuned-qqp: hidden_act relu, embedding_size
    # 128 against 768, num_hidden_groups 1, inner_group_num 1, tokenizer_class BertTokenizerFast). Keys per
    # modeling_albert: albert.embeddings.*, albert.encoder.embedding_hidden_mapping_in,
    # albert.encoder.albert_layer_groups.0.albert_layers.0.{attention.query, ..., ffn, ffn_output,
    # full_layer_layer_norm}, albert.pooler (dense + tanh), classifier. Every layer runs the one group's weights.
    weights = narrow_embeddings(fs, fs.weights, h // 2, SEED + 60)
    for n in [n for n in weights if n.startswith("bert.encoder.layer.") and not n.startswith("bert.encoder.layer.0.")]:
        weights[n] = weights["bert.encoder.layer.0." + n.split(".", 4)[4]]
    config = {"_name_or_path": "ckiplab/albert-base-chinese", "architectures": ["AlbertForSequenceClassification"],
              "attention_probs_dropout_prob": 0, "bos_token_id": 2, "classifier_dropout_prob": 0.1,
              "down_scale_factor": 1, "embedding_size": h // 2, "eos_token_id": 3, "gap_size": 0, "hidden_act": "relu",
              "hidden_dropout_prob": 0, "hidden_size": h, "id2label": HF_LABELS, "initializer_range": 0.02,
              "inner_group_num": 1, "intermediate_size": fs.shape.intermediate_size,
              "label2id": {v: int(k) for k, v in HF_LABELS.items()}, "layer_norm_eps": 1e-12,
              "max_position_embeddings": fs.shape.max_position_embeddings, "model_type": "albert",
              "net_structure_type": 0, "num_attention_heads": fs.shape.num_attention_heads, "num_hidden_groups": 1,
              "num_hidden_layers": fs.shape.num_hidden_layers, "num_memory_blocks": 0, "pad_token_id": 0,
              "position_embedding_type": "absolute", "tokenizer_class": "BertTokenizerFast", "type_vocab_size": 2,
              "vocab_size": fs.shape.vocab_size}

    def albert(n):
        if n.startswith("bert.encoder.layer.") and not n.startswith("bert.encoder.layer.0."):
            return None  # shared: the checkpoint holds group 0 once
        if n.startswith("bert.pooler.dense."):
            return "albert.pooler." + n.rsplit(".", 1)[1]
        if n.startswith(eb.PROJECTION + "."):
            return "albert.encoder.embedding_hidden_mapping_in." + n.rsplit(".", 1)[1]
        if n.startswith("bert.embeddings."):
            return "albert." + n.removeprefix("bert.")
        return layer_part(n, ALBERT_LAYER, lambda i: "albert.encoder.albert_layer_groups.0.albert_layers.0.") or n
    write_architecture_folder(fs, "albert", "ALBERT (ckiplab albert-base-chinese's configuration: relu, factorised "
                              "embeddings, one shared layer group)", weights,
                              dataclasses.replace(fs.shape, hidden_act="relu"), config, albert, HF_LABELS)


def write_megatron_folder(fs):
    """IDEA-CCNL/Erlangshen-MegatronBert-1.3B-Sentiment's type (its model card on huggingface.co: model_type
    megatron-bert, BertTokenizer with vocab.txt, pre-layer normalisation); the label names of its config.json could
    not be read here, so the fixture uses Negative/Positive. Keys per transformers' modeling_megatron_bert:
    bert.embeddings.* without LayerNorm, bert.encoder.layer.N.attention.ln, attention.self.*, attention.output.dense,
    ln, intermediate.dense, output.dense, then bert.encoder.ln, bert.pooler.dense, classifier."""
    g = torch.Generator().manual_seed(SEED + 70)
    h = fs.shape.hidden_size
    weights = {}
    for n, t in fs.weights.items():
        if n.startswith("bert.embeddings.LayerNorm."):
            continue
        weights[n.replace(".attention.output.LayerNorm.", ".attention.ln.").replace(".output.LayerNorm.", ".ln.")] = t
    weights["bert.encoder.ln.weight"] = 1.0 + 0.1 * torch.randn((h,), generator=g)
    weights["bert.encoder.ln.bias"] = 0.1 * torch.randn((h,), generator=g)
    path = fs.folder("megatron-bert")
    write_json(os.path.join(path, "config.json"),
               hf_config(fs.shape, HF_LABELS, "MegatronBertForSequenceClassification", "megatron-bert"))
    cw.save_torch_zip(collections.OrderedDict(weights), os.path.join(path, "pytorch_model.bin"))
    fs.expected(path, "MegatronBERT (Erlangshen-MegatronBert-1.3B-Sentiment's type: pre-LN layers, final LayerNorm)",
                "pytorch_model.bin", "torch-zip", torch.float32, HF_LABELS, None, weights,
                shape=dataclasses.replace(fs.shape, pre_layer_norm=True))


XLMR_TOKENIZER = os.path.join(REPO, "tests", "ZhSentiment.Tests", "Fixtures", "tokenizer", "xlm-roberta", "tokenizer.json")


def write_xlm_roberta_folder(texts):
    """XLM-RoBERTa as multilingual sentiment models publish it (cardiffnlp/twitter-xlm-roberta-base-sentiment:
    XLMRobertaForSequenceClassification, labels negative/neutral/positive), with xlm-roberta-base's config.json
    values where the size allows (huggingface.co/FacebookAI/xlm-roberta-base: model_type xlm-roberta, hidden 768,
    12 layers, 12 heads, intermediate 3072, vocab_size 250002, max_position_embeddings 514 = 512 positions above
    padding_idx 1, type_vocab_size 1, layer_norm_eps 1e-05, pad/bos/eos 1/0/2, hidden_act gelu). Sizes are the
    fixture's: hidden 32, 2 layers, 4 heads, intermediate 64, max_position_embeddings 66 (64 tokens, as the BERT
    fixtures), the vocabulary of the XLM-R-shaped tokenizer.json that tools/hf-oracle/make_xlmr_tokenizer.py
    trains. Keys per transformers' modeling_xlm_roberta (RoBERTa's): roberta.embeddings.* (with the position_ids
    buffer), roberta.encoder.layer.N.* (BERT's names), no pooler, classifier.dense and classifier.out_proj
    (XLMRobertaClassificationHead)."""
    # Besides the shared texts: a <pad> typed in the text (its position is the padding index, and the count of the
    # tokens after it skips it), an added token with lstrip, and characters the vocabulary lacks (one fused unknown).
    texts = texts + ["物流很快<pad>，好评！", "质量 <mask> 不错", "\U00030EDE\U00030EDE面 太好了"]
    vocab_size = len(json.load(open(XLMR_TOKENIZER, encoding="utf-8"))["model"]["vocab"])
    shape = eb.BertShape(vocab_size=vocab_size, max_position_embeddings=66, type_vocab_size=1, num_labels=3,
                         layer_norm_eps=1e-5, padding_idx=1)
    max_length = shape.max_position_embeddings - shape.padding_idx - 1
    full = run_oracle(texts, ["--tokenizer", XLMR_TOKENIZER])
    fs = FixtureSet(texts, None, shape, [truncate(ids, max_length) for ids in full], [len(ids) for ids in full], SEED + 80)
    labels = {"0": "negative", "1": "neutral", "2": "positive"}
    config = {"architectures": ["XLMRobertaForSequenceClassification"], "attention_probs_dropout_prob": 0.1,
              "bos_token_id": 0, "classifier_dropout": None, "eos_token_id": 2, "hidden_act": "gelu",
              "hidden_dropout_prob": 0.1, "hidden_size": shape.hidden_size, "id2label": labels,
              "initializer_range": 0.02, "intermediate_size": shape.intermediate_size,
              "label2id": {v: int(k) for k, v in labels.items()}, "layer_norm_eps": shape.layer_norm_eps,
              "max_position_embeddings": shape.max_position_embeddings, "model_type": "xlm-roberta",
              "num_attention_heads": shape.num_attention_heads, "num_hidden_layers": shape.num_hidden_layers,
              "output_past": True, "pad_token_id": shape.padding_idx, "position_embedding_type": "absolute",
              "problem_type": "single_label_classification", "type_vocab_size": shape.type_vocab_size,
              "use_cache": True, "vocab_size": shape.vocab_size}

    def roberta(n):
        if n.startswith("bert.pooler.dense."):
            return "classifier.dense." + n.rsplit(".", 1)[1]
        if n.startswith("classifier."):
            return "classifier.out_proj." + n.rsplit(".", 1)[1]
        return "roberta." + n.removeprefix("bert.")
    path = fs.folder("xlm-roberta", vocab_files=())
    shutil.copyfile(XLMR_TOKENIZER, os.path.join(path, "tokenizer.json"))
    write_json(os.path.join(path, "config.json"), config)
    write_json(os.path.join(path, "tokenizer_config.json"),
               {"bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "mask_token": "<mask>",
                "model_max_length": max_length, "pad_token": "<pad>", "sep_token": "</s>",
                "tokenizer_class": "XLMRobertaTokenizer", "unk_token": "<unk>"})
    state = renamed(fs.weights, roberta)
    state["roberta.embeddings.position_ids"] = position_ids_buffer(shape)
    # Both weight files, as recent uploads carry them: the engine prefers model.safetensors; the tests also load the
    # folder without it.
    cw.save_safetensors(renamed(fs.weights, roberta), os.path.join(path, "model.safetensors"), {"format": "pt"})
    cw.save_torch_zip(cw.as_module_state_dict(state, buffers=("roberta.embeddings.position_ids",)),
                      os.path.join(path, "pytorch_model.bin"))
    fs.expected(path, "XLM-RoBERTa (xlm-roberta-base's configuration, cardiffnlp's multilingual sentiment labels, "
                "a SentencePiece Unigram tokenizer.json; positions counted from padding_idx 1)",
                "model.safetensors", "safetensors", torch.float32, labels, None, max_length=max_length)


def write_unsupported_folders(fs):
    """A published architecture the engine does not read must be refused by name: DeBERTa-v2 (model_type
    deberta-v2, DebertaV2ForSequenceClassification, as IDEA-CCNL's Erlangshen-DeBERTa-v2 Chinese models publish it),
    whose disentangled relative-position attention the graph builder does not have."""
    for name, config in (
            ("unsupported-deberta-v2", hf_config(fs.shape, {"0": "negative", "1": "positive"},
                                                 "DebertaV2ForSequenceClassification", "deberta-v2")),):
        path = fs.folder(name)
        write_json(os.path.join(path, "config.json"), config)
        cw.save_safetensors({"placeholder": torch.zeros(1)}, os.path.join(path, "model.safetensors"), {"format": "pt"})


# ---------------------------------------------------------------- reader edge cases

def view_tensors():
    """Tensors that are views into shared or larger storages, and one of every dtype the readers accept."""
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8 - 1
    tied = torch.linspace(-2, 2, 10)
    t = collections.OrderedDict()
    t["transposed"] = base.t()
    t["row_slice"] = base[1:3]
    t["column_slice"] = base[:, 2:5]
    t["every_other"] = base[::2, ::3]
    t["tied_a"] = tied
    t["tied_b"] = tied
    t["tied_tail"] = tied[6:]
    t["expanded"] = torch.arange(5).expand((3, -1))
    t["float16"] = torch.tensor([[0.5, -1.25, 65504.0], [6.1e-5, 1e-7, -0.0]], dtype=torch.float16)
    t["bfloat16"] = torch.tensor([3.140625, -2.5e38, 1e-30, 7.0], dtype=torch.bfloat16)
    t["float64"] = torch.tensor([1 / 3, -1e300, 2.5], dtype=torch.float64)
    t["int64"] = torch.tensor([-(2 ** 62), 0, 2 ** 40 + 7], dtype=torch.int64)
    t["int32"] = torch.tensor([[-7], [2 ** 31 - 1]], dtype=torch.int32)
    t["int16"] = torch.tensor([-300, 300], dtype=torch.int16)
    t["int8"] = torch.tensor([-128, 127, 5], dtype=torch.int8)
    t["uint8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    t["bool"] = torch.tensor([True, False, True])
    t["scalar"] = torch.tensor(2.75)
    t["empty"] = torch.zeros(0, 3)
    t["parameter"] = torch.nn.Parameter(torch.tensor([[1.5, -0.5]]))
    return t


def view_expectation(tensors):
    def values(v):
        flat = v.detach().reshape(-1)
        return [float(x) for x in flat.to(torch.float64)] if v.is_floating_point() else [int(x) for x in flat.tolist()]
    return {n: {"dtype": cw.SAFETENSORS_DTYPES[v.dtype], "shape": list(v.shape), "values": values(v)}
            for n, v in tensors.items()}


def write_checkpoint_cases():
    path = os.path.join(FIXTURES, "checkpoints")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    views = view_tensors()
    cw.save_torch_zip(views, os.path.join(path, "views.bin"))
    cw.save_torch_legacy(views, os.path.join(path, "views-legacy.bin"))
    torch.save(views, os.path.join(path, "views-protocol4.bin"), pickle_protocol=4)
    cw.save_safetensors({n: v.detach().contiguous() for n, v in views.items()
                         if n not in ("tied_a", "tied_b", "tied_tail")}, os.path.join(path, "views.safetensors"))
    write_json(os.path.join(path, "views.json"), view_expectation(views))

    # A training checkpoint as ModelScope's CheckpointHook writes it, and the {"model": ...} variant.
    small = cw.as_module_state_dict(collections.OrderedDict(
        [("encoder.weight", torch.arange(6, dtype=torch.float32).reshape(2, 3)), ("encoder.bias", torch.ones(2))]))
    module = torch.nn.Linear(3, 2)
    optimizer = torch.optim.AdamW(module.parameters(), lr=1e-3)
    module(torch.ones(1, 3)).sum().backward()
    optimizer.step()
    torch.save({"meta": {"modelscope": "1.9.5", "time": "Mon Jan  1 00:00:00 2024", "epoch": 3},
                "state_dict": small, "optimizer": optimizer.state_dict()}, os.path.join(path, "nested-state-dict.bin"))
    torch.save({"model": small, "epoch": 3}, os.path.join(path, "nested-model.bin"))
    write_json(os.path.join(path, "nested.json"), view_expectation(small))

    cw.save_malicious_os_system(os.path.join(path, "malicious-os-system.bin"))
    cw.save_malicious_legacy_eval(os.path.join(path, "malicious-eval-legacy.bin"))
    cw.save_pickled_by_value(os.path.join(path, "pickled-by-value.bin"))
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), os.path.join(path, "torchscript.pt"))


# ---------------------------------------------------------------- main

def make_fixtures(only=None):
    texts = json.load(open(os.path.join(HERE, "fixture_texts.json"), encoding="utf-8"))
    vocab = build_vocab(texts)
    shape = eb.BertShape(vocab_size=len(vocab))
    with tempfile.TemporaryDirectory() as tmp:
        vocab_path, json_path = os.path.join(tmp, "vocab.txt"), os.path.join(tmp, "tokenizer.json")
        with open(vocab_path, "w", encoding="utf-8") as f:
            f.write("".join(t + "\n" for t in vocab))
        write_json(json_path, tokenizer_json(vocab))
        full = run_oracle(texts, ["--vocab", vocab_path, "--lowercase"])
        assert run_oracle(texts, ["--tokenizer", json_path]) == full, "tokenizer.json and vocab.txt disagree"
    sequences = [truncate(ids, shape.max_position_embeddings) for ids in full]
    fs = FixtureSet(texts, vocab, shape, sequences, [len(ids) for ids in full])

    os.makedirs(FIXTURES, exist_ok=True)
    if only:
        # Runs agree with the committed files to about 1e-6, not bit for bit: rewrite only the folders asked for.
        writers = {"xlm-roberta": lambda: write_xlm_roberta_folder(texts), "unsupported": lambda: write_unsupported_folders(fs),
                   "emotion": lambda: write_emotion_folders(fs)}
        for name in only:
            writers[name]()
        return
    write_hf_folder(fs, "hf-bin", "Hugging Face folder, pytorch_model.bin in torch.save's zip format",
                    "pytorch_model.bin", "torch-zip", fs.hf_state())
    write_hf_folder(fs, "hf-legacy", "Hugging Face folder, pytorch_model.bin in the legacy (pre-1.6) torch.save format",
                    "pytorch_model.bin", "torch-legacy", fs.hf_state())
    for dtype, suffix in ((torch.float32, "f32"), (torch.float16, "f16"), (torch.bfloat16, "bf16")):
        write_hf_folder(fs, f"hf-safetensors-{suffix}", f"Hugging Face folder, model.safetensors in {suffix}; the "
                        "logits are computed from the rounded weights", "model.safetensors", "safetensors",
                        fs.hf_state(dtype, position_ids=False), dtype)
    write_hf_folder(fs, "hf-nopfx", "Hugging Face folder whose keys lack the 'bert.' prefix",
                    "pytorch_model.bin", "torch-zip", fs.hf_state(prefix=False))
    write_hf_folder(fs, "hf-tokenizer-json", "Hugging Face folder with tokenizer.json and no vocab.txt",
                    "model.safetensors", "safetensors", fs.hf_state(position_ids=False), vocab_files=("tokenizer.json",))
    write_modelscope_folder(fs, "modelscope", "ModelScope StructBERT folder (SbertForSequenceClassification keys)",
                            fs.hf_state())
    head_state = collections.OrderedDict()
    for n, t in fs.hf_state().items():
        n = "head." + n if n.startswith("classifier.") else n
        head_state[n.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")] = t
    write_modelscope_folder(fs, "modelscope-head", "ModelScope task-model keys: head.classifier.*, LayerNorm gamma/beta",
                            head_state, head_model=True)
    write_onnx_folder(fs)
    write_published_layouts(fs)
    write_ernie_folder(fs)
    write_other_architectures(fs)
    write_megatron_folder(fs)
    write_xlm_roberta_folder(texts)
    write_emotion_folders(fs)
    write_unsupported_folders(fs)
    write_checkpoint_cases()


def make_base_model(out_dir, with_safetensors):
    vocab_path = os.path.join(REPO, "..", "shared", "data", "vocab", "bert-base-chinese", "vocab.txt")
    if not os.path.isfile(vocab_path):
        sys.exit(f"{vocab_path} not found: the base-shaped model uses the bert-base-chinese vocab from ../shared")
    shape = eb.BertShape(vocab_size=21128, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                         intermediate_size=3072, max_position_embeddings=512)
    weights = eb.random_weights(shape, SEED, unit_gain=True)
    os.makedirs(out_dir, exist_ok=True)
    shutil.copyfile(vocab_path, os.path.join(out_dir, "vocab.txt"))
    write_json(os.path.join(out_dir, "config.json"),
               hf_config(shape, MODELSCOPE_LABELS, "SbertForSequenceClassification", "structbert"))
    write_json(os.path.join(out_dir, "configuration.json"), modelscope_configuration())
    state = collections.OrderedDict(weights)
    state["bert.embeddings.position_ids"] = position_ids_buffer(shape)
    cw.save_torch_zip(cw.as_module_state_dict(state, buffers=("bert.embeddings.position_ids",)),
                      os.path.join(out_dir, "pytorch_model.bin"))
    if with_safetensors:
        cw.save_safetensors(weights, os.path.join(out_dir, "model.safetensors"), {"format": "pt"})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-model", metavar="OUT_DIR", help="write a StructBERT-base-shaped random checkpoint")
    parser.add_argument("--with-safetensors", action="store_true", help="with --base-model: also model.safetensors")
    parser.add_argument("--only", nargs="+", choices=["xlm-roberta", "unsupported", "emotion"],
                        help="rewrite only these fixture folders (the others stay as committed)")
    args = parser.parse_args()
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    if args.base_model:
        make_base_model(args.base_model, args.with_safetensors)
    else:
        make_fixtures(args.only)


if __name__ == "__main__":
    main()
