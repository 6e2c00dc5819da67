"""Just enough of the Prometheus text format to read ZhSentiment's /metrics: sums and counts of histograms."""
import re

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')


def parse(text):
    """{metric name: summed value over all label sets} for every sample line."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            continue
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        values[m.group(1)] = values.get(m.group(1), 0.0) + value
    return values


def histogram(values, base):
    """(sum, count) of the histogram named `base`, also when the exporter appended a unit to the name
    (e.g. base_seconds_sum); None when it is not there."""
    for name in (base, *sorted(n[:-4] for n in values if n.startswith(base + "_") and n.endswith("_sum"))):
        if name + "_sum" in values and name + "_count" in values:
            return values[name + "_sum"], values[name + "_count"]
    return None


def delta(before, after, base):
    """(sum, count) of the histogram's observations between two scrapes, or None."""
    a, b = histogram(before, base), histogram(after, base)
    if a is None or b is None:
        return None
    return b[0] - a[0], b[1] - a[1]
