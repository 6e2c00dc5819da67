"""Floating-point operations of a BERT sequence classifier's forward pass, counted from its shapes.

Only the matrix products count (2 per multiply-add): the Q/K/V and output projections, attention scores and context,
the two feed-forward projections, the pooler and the classifier. Embedding look-ups, LayerNorm, softmax, GELU and the
bias adds are a fraction of a percent of that and are left out, as is usual."""


def forward_flops(tokens, config):
    """FLOPs of one unpadded forward pass over a sequence of `tokens` tokens ([CLS] and [SEP] included)."""
    h, i, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    labels = len(config.get("id2label") or {0: 0, 1: 1})
    n = tokens
    per_layer = (2 * n * h * h * 4      # query, key, value and attention output projections
                 + 2 * n * n * h * 2     # scores Q·Kᵀ and context P·V, summed over heads
                 + 2 * n * h * i * 2)    # feed-forward up and down
    return layers * per_layer + 2 * h * h + 2 * h * labels
