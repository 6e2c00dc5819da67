"""BertForSequenceClassification's forward pass written out with plain torch ops.

The weights are a dict keyed by the Hugging Face names (``bert.embeddings.word_embeddings.weight``, ...,
``classifier.bias``). The math is transformers' modeling_bert in eval mode: word + position + token-type
embeddings, LayerNorm, post-LN encoder layers (self-attention with an additive padding mask, exact erf GELU),
the pooler (dense + tanh on [CLS]) and the classifier.

The BERT-family models differ from it only where the shape says so, each as its transformers modeling file has it:
ERNIE adds a task-type embedding (modeling_ernie ErnieEmbeddings); DistilBERT has no token types and classifies
through dense + ReLU on the first token (modeling_distilbert: pre_classifier); ELECTRA projects narrower embeddings
to the encoder width (embeddings_project) and classifies through dense + GELU (ElectraClassificationHead); ALBERT
projects its embeddings (embedding_hidden_mapping_in) and shares layer weights (the same tensors under every
layer's name here). The projection is keyed ``bert.embeddings_project.*``. MegatronBERT (modeling_megatron_bert)
normalises before each block instead of after it (``attention.ln``, ``ln``), has no LayerNorm on the embeddings and
one after the last layer (``bert.encoder.ln``). XLM-RoBERTa (modeling_xlm_roberta) is BERT's post-LN encoder with
positions numbered from its padding index (create_position_ids_from_input_ids: cumsum of the non-pad mask, times
the mask, plus padding_idx) and RobertaClassificationHead (dense + tanh on <s>, then out_proj), which is the pooler
and classifier here.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class BertShape:
    vocab_size: int
    hidden_size: int = 32
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 64
    max_position_embeddings: int = 64
    type_vocab_size: int = 2
    num_labels: int = 2
    layer_norm_eps: float = 1e-12
    hidden_act: str = "gelu"       # the feed-forward activation: gelu (exact erf) or relu
    pooler_act: str = "tanh"       # what follows the dense layer on the first token: tanh, relu or gelu
    pre_layer_norm: bool = False   # MegatronBERT: LayerNorm before attention and feed-forward, one after the encoder
    padding_idx: int = None        # XLM-RoBERTa: positions count from pad_token_id; None for BERT's 0, 1, 2...


ACTIVATIONS = {"gelu": F.gelu, "relu": F.relu, "tanh": torch.tanh}
PROJECTION = "bert.embeddings_project"


def weight_names(shape: BertShape):
    """Every parameter of BertForSequenceClassification, in the order state_dict() lists them."""
    names = [
        "bert.embeddings.word_embeddings.weight",
        "bert.embeddings.position_embeddings.weight",
        "bert.embeddings.token_type_embeddings.weight",
        "bert.embeddings.LayerNorm.weight",
        "bert.embeddings.LayerNorm.bias",
    ]
    for i in range(shape.num_hidden_layers):
        p = f"bert.encoder.layer.{i}."
        for part in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            names += [p + part + ".weight", p + part + ".bias"]
        names += [p + "attention.output.LayerNorm.weight", p + "attention.output.LayerNorm.bias"]
        names += [p + "intermediate.dense.weight", p + "intermediate.dense.bias"]
        names += [p + "output.dense.weight", p + "output.dense.bias"]
        names += [p + "output.LayerNorm.weight", p + "output.LayerNorm.bias"]
    names += ["bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"]
    return names


def tensor_shape(name: str, s: BertShape):
    h, i = s.hidden_size, s.intermediate_size
    if name.endswith("word_embeddings.weight"):
        return (s.vocab_size, h)
    if name.endswith("position_embeddings.weight"):
        return (s.max_position_embeddings, h)
    if name.endswith("token_type_embeddings.weight"):
        return (s.type_vocab_size, h)
    if name.startswith("classifier."):
        return (s.num_labels, h) if name.endswith("weight") else (s.num_labels,)
    if "intermediate.dense" in name:
        return (i, h) if name.endswith("weight") else (i,)
    if ".output.dense" in name and "attention" not in name:
        return (h, i) if name.endswith("weight") else (h,)
    if "LayerNorm" in name:
        return (h,)
    return (h, h) if name.endswith("weight") else (h,)


def random_weights(shape: BertShape, seed: int, unit_gain: bool = False):
    """Weights large enough that attention is sharp and logits spread over a few units, so that a wrong
    mask, a wrong layer order or a swapped tensor changes the logits far beyond the 1e-4 tolerance.

    At BERT-base width that scale (0.3 for hidden 768) makes every layer multiply its input by about 8 and the
    network chaotic: float rounding alone then flips attention. unit_gain=True draws each matrix with standard
    deviation 1/sqrt(fan_in), keeping activations of order one as trained BERT layers do (the benchmark's model)."""
    g = torch.Generator().manual_seed(seed)
    weights = {}
    for name in weight_names(shape):
        dims = tensor_shape(name, shape)
        if "LayerNorm.weight" in name:
            t = 1.0 + 0.1 * torch.randn(dims, generator=g)
        elif "embeddings" in name:
            t = 0.5 * torch.randn(dims, generator=g)
        elif name.endswith("bias"):
            t = 0.1 * torch.randn(dims, generator=g)
        elif unit_gain:
            t = torch.randn(dims, generator=g) / dims[-1] ** 0.5
        else:
            t = 0.3 * torch.randn(dims, generator=g)
        weights[name] = t.to(torch.float32).contiguous()
    return weights


TASK_TYPE = "bert.embeddings.task_type_embeddings.weight"


def additive_mask(attention_mask: torch.Tensor, dtype=torch.float32):
    """transformers' extended attention mask: 0 where attended, the dtype's minimum where padded."""
    return (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


def position_ids(input_ids, s: BertShape):
    """BERT's 0..seq-1, or, with a padding index, RoBERTa's: the running count of non-pad tokens (0 for a pad
    token) plus padding_idx."""
    if s.padding_idx is None:
        return torch.arange(input_ids.shape[1], dtype=torch.long).unsqueeze(0)
    tokens = (input_ids != s.padding_idx).long()
    return torch.cumsum(tokens, dim=1) * tokens + s.padding_idx


def forward(w, s: BertShape, input_ids, attention_mask, token_type_ids):
    """Logits [batch, num_labels] for int64 inputs [batch, seq]."""
    positions = position_ids(input_ids, s)
    x = (F.embedding(input_ids, w["bert.embeddings.word_embeddings.weight"])
         + F.embedding(positions, w["bert.embeddings.position_embeddings.weight"]))
    if "bert.embeddings.token_type_embeddings.weight" in w:  # DistilBERT has none
        x = x + F.embedding(token_type_ids, w["bert.embeddings.token_type_embeddings.weight"])
    if TASK_TYPE in w:
        # ERNIE 3.0 (transformers' modeling_ernie, ErnieEmbeddings with use_task_id): task type 0 unless given.
        x = x + F.embedding(torch.zeros_like(input_ids), w[TASK_TYPE])
    if not s.pre_layer_norm:
        x = F.layer_norm(x, w["bert.embeddings.LayerNorm.weight"].shape, w["bert.embeddings.LayerNorm.weight"],
                         w["bert.embeddings.LayerNorm.bias"], s.layer_norm_eps)
    if PROJECTION + ".weight" in w:
        x = F.linear(x, w[PROJECTION + ".weight"], w[PROJECTION + ".bias"])
    mask = additive_mask(attention_mask)
    heads, head_size = s.num_attention_heads, s.hidden_size // s.num_attention_heads

    def split(t):
        return t.view(t.shape[0], t.shape[1], heads, head_size).permute(0, 2, 1, 3)

    for i in range(s.num_hidden_layers):
        p = f"bert.encoder.layer.{i}."

        def lin(t, name):
            return F.linear(t, w[p + name + ".weight"], w[p + name + ".bias"])

        def norm(t, name):
            return F.layer_norm(t, (s.hidden_size,), w[p + name + ".weight"], w[p + name + ".bias"], s.layer_norm_eps)

        def attention(t):
            q, k, v = split(lin(t, "attention.self.query")), split(lin(t, "attention.self.key")), split(lin(t, "attention.self.value"))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(head_size) + mask
            context = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).reshape(t.shape)
            return lin(context, "attention.output.dense")

        def ffn(t):
            return lin(ACTIVATIONS[s.hidden_act](lin(t, "intermediate.dense")), "output.dense")

        if s.pre_layer_norm:
            x = x + attention(norm(x, "attention.ln"))
            x = x + ffn(norm(x, "ln"))
        else:
            x = norm(attention(x) + x, "attention.output.LayerNorm")
            x = norm(ffn(x) + x, "output.LayerNorm")
    if s.pre_layer_norm:
        x = F.layer_norm(x, (s.hidden_size,), w["bert.encoder.ln.weight"], w["bert.encoder.ln.bias"], s.layer_norm_eps)
    pooled = ACTIVATIONS[s.pooler_act](F.linear(x[:, 0], w["bert.pooler.dense.weight"], w["bert.pooler.dense.bias"]))
    return F.linear(pooled, w["classifier.weight"], w["classifier.bias"])


def forward_with_torch_modules(w, s: BertShape, input_ids, attention_mask, token_type_ids):
    """The same network assembled from torch.nn.TransformerEncoderLayer (post-LN, GELU), an independent
    implementation of the encoder used to check forward() above."""
    layers = []
    for i in range(s.num_hidden_layers):
        p = f"bert.encoder.layer.{i}."
        layer = torch.nn.TransformerEncoderLayer(s.hidden_size, s.num_attention_heads, s.intermediate_size, dropout=0.0,
                                                 activation=s.hidden_act, layer_norm_eps=s.layer_norm_eps, batch_first=True,
                                                 norm_first=s.pre_layer_norm)
        first_norm, second_norm = (("attention.ln", "ln") if s.pre_layer_norm
                                   else ("attention.output.LayerNorm", "output.LayerNorm"))
        sa = layer.self_attn
        with torch.no_grad():
            sa.in_proj_weight.copy_(torch.cat([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]))
            sa.in_proj_bias.copy_(torch.cat([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]))
            sa.out_proj.weight.copy_(w[p + "attention.output.dense.weight"])
            sa.out_proj.bias.copy_(w[p + "attention.output.dense.bias"])
            layer.norm1.weight.copy_(w[p + first_norm + ".weight"])
            layer.norm1.bias.copy_(w[p + first_norm + ".bias"])
            layer.linear1.weight.copy_(w[p + "intermediate.dense.weight"])
            layer.linear1.bias.copy_(w[p + "intermediate.dense.bias"])
            layer.linear2.weight.copy_(w[p + "output.dense.weight"])
            layer.linear2.bias.copy_(w[p + "output.dense.bias"])
            layer.norm2.weight.copy_(w[p + second_norm + ".weight"])
            layer.norm2.bias.copy_(w[p + second_norm + ".bias"])
        layers.append(layer.eval())
    emb = torch.nn.Embedding.from_pretrained(w["bert.embeddings.word_embeddings.weight"])
    pos = torch.nn.Embedding.from_pretrained(w["bert.embeddings.position_embeddings.weight"])
    with torch.no_grad():
        x = emb(input_ids) + pos(position_ids(input_ids, s))
        if "bert.embeddings.token_type_embeddings.weight" in w:
            x = x + torch.nn.Embedding.from_pretrained(w["bert.embeddings.token_type_embeddings.weight"])(token_type_ids)
        if TASK_TYPE in w:
            x = x + torch.nn.Embedding.from_pretrained(w[TASK_TYPE])(torch.zeros_like(input_ids))
        if not s.pre_layer_norm:
            x = layer_norm_module(w, "bert.embeddings.LayerNorm", s.layer_norm_eps)(x)
        if PROJECTION + ".weight" in w:
            projection = torch.nn.Linear(*reversed(w[PROJECTION + ".weight"].shape))
            projection.weight.copy_(w[PROJECTION + ".weight"])
            projection.bias.copy_(w[PROJECTION + ".bias"])
            x = projection(x)
        padding = attention_mask == 0
        for layer in layers:
            x = layer(x, src_key_padding_mask=padding)
        if s.pre_layer_norm:
            x = layer_norm_module(w, "bert.encoder.ln", s.layer_norm_eps)(x)
        pooler = torch.nn.Linear(s.hidden_size, s.hidden_size)
        pooler.weight.copy_(w["bert.pooler.dense.weight"])
        pooler.bias.copy_(w["bert.pooler.dense.bias"])
        activation = {"tanh": torch.nn.Tanh(), "relu": torch.nn.ReLU(), "gelu": torch.nn.GELU()}[s.pooler_act]
        pooled = activation(pooler(x[:, 0]))
        return F.linear(pooled, w["classifier.weight"], w["classifier.bias"])


def layer_norm_module(w, name, eps):
    norm = torch.nn.LayerNorm(w[name + ".weight"].shape[0], eps=eps)
    with torch.no_grad():
        norm.weight.copy_(w[name + ".weight"])
        norm.bias.copy_(w[name + ".bias"])
    return norm
