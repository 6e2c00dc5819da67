"""Summary statistics of the harness: medians and spreads across rounds, ratios to the peer."""

def median(values):
    """The median of the values, or None when there are none."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def spread(values):
    """(min, max) of the values, or None when there are none."""
    v = [x for x in values if x is not None]
    return (min(v), max(v)) if v else None


def ratio(ours, peer):
    """ours / peer, or None when either is missing or the peer's is zero."""
    if ours is None or peer is None or peer == 0:
        return None
    return ours / peer
