"""Turns a run's results.json into the figures and writes RESULTS.md. Every number in it comes from that run."""
import collections
import math
import os

from stats import median, ratio, spread

# The targets of the issue, checked where the run has the system. (system, figure, phase, limit, kind, wording)
TARGETS = [
    ("fp32", "p50_ms", "c1-target", 70, "max", "single request p50, 40–80 characters"),
    ("int8", "p50_ms", "c1-target", 35, "max", "single request p50, 40–80 characters"),
    ("fp32", "rps", "c8", 15, "min", "throughput at concurrency 8"),
    ("int8", "rps", "c8", 30, "min", "throughput at concurrency 8"),
    ("fp32", "peak_mb", None, 550, "max", "peak RSS"),
    ("int8", "peak_mb", None, 250, "max", "peak RSS"),
    ("fp32", "start_s", None, 1.5, "max", "start to first prediction, cached model"),
    ("int8", "start_s", None, 1.5, "max", "start to first prediction, cached model"),
    ("default", "rps", "c32", 5000, "min", "throughput at concurrency 32"),
    ("default", "p50_ms", "c1-target", 2, "max", "single request p50, 40–80 characters"),
]
BASE_MODEL_SYSTEMS = ("peer", "fp32", "int8")  # these run the base-shaped checkpoint, so its FLOP counts apply


def _rps(run):
    return run["requests"] / run["duration_us"] * 1e6 if run["duration_us"] else 0.0


def _other_cores(run):
    """CPUs' worth of work the rest of the machine did during the phase."""
    return run["other_cpu_s"] / (run["duration_us"] / 1e6) if "other_cpu_s" in run and run["duration_us"] else None


def disturbance(results):
    """(median, highest) CPUs' worth of other work during the phases, and whether that says the figures are
    disturbed. The load average before the run is reported but not judged: it lags by minutes, so work that ended
    just before the run (a build, an earlier run) raises it while the phases themselves ran on a quiet machine."""
    others = [x for x in (_other_cores(r) for r in results["runs"]) if x is not None]
    med, high = median(others), (max(others) if others else None)
    disturbed = (med is not None and med > 0.2) or (high is not None and high > 0.5)
    return med, high, disturbed


def summarize(results):
    """{"phases": {(system, phase): figures}, "systems": {system: figures}, "peak_gflops": float}."""
    workload = results["workload"]
    runs = collections.defaultdict(list)
    for run in results["runs"]:
        runs[(run["system"], run["phase"])].append(run)
    peak = max(s["best"] for probe in ("blas_before", "blas_after") if probe in results
               for s in results[probe]["sgemm"])

    phases = {}
    for (system, phase), rs in runs.items():
        cls = workload[rs[0]["cls"]]
        f = {
            "rounds": len(rs),
            "requests": sum(r["requests"] for r in rs),
            "errors": sum(sum(r["errors"].values()) for r in rs),
            "rps": median(_rps(r) for r in rs),
            "rps_spread": spread([_rps(r) for r in rs]),
            "cpu_ms_per_request": median(r["server_cpu_s"] / r["requests"] * 1000 for r in rs if r["requests"]),
            "loadgen_cpu_share": median(r["loadgen_cpu_s"] / (r["duration_us"] / 1e6) for r in rs),
            "other_cores": median(_other_cores(r) for r in rs),
        }
        for p in ("50", "95", "99"):
            f[f"p{p}_ms"] = median(r["latency_us"]["percentiles"][p] / 1000 for r in rs)
        if system in BASE_MODEL_SYSTEMS:
            f["gflops"] = f["rps"] * cls["flops_mean"] / 1e9
            f["peak_share"] = f["gflops"] / peak
        engine = [r["engine"] for r in rs if r.get("engine")]
        if engine:
            total = {k: [sum(e[k][0] for e in engine if k in e), sum(e[k][1] for e in engine if k in e)]
                     for k in ("rows", "tokens", "inference_s", "queue_wait_s")}
            rows, batches = total["rows"]
            wall = sum(r["duration_us"] for r in rs) / 1e6
            if batches:
                f["batch_rows"] = rows / batches
                f["batch_tokens"] = total["tokens"][0] / total["tokens"][1] if total["tokens"][1] else None
                f["padding"] = 1 - rows * cls["tokens_mean"] / total["tokens"][0] if total["tokens"][0] else None
                f["model_busy"] = total["inference_s"][0] / wall
                f["model_ms_per_batch"] = total["inference_s"][0] / batches * 1000
                if total["queue_wait_s"][1]:
                    f["queue_wait_ms"] = total["queue_wait_s"][0] / total["queue_wait_s"][1] * 1000
                if system in BASE_MODEL_SYSTEMS and total["inference_s"][0]:
                    f["model_gflops"] = rows * cls["flops_mean"] / total["inference_s"][0] / 1e9
                    f["model_peak_share"] = f["model_gflops"] / peak
        phases[(system, phase)] = f

    systems = {}
    for key, start in results["starts"].items():
        samples = [x for r in results["runs"] if r["system"] == key and r["connections"] > 1 for x in r["rss_samples_mb"]]
        systems[key] = {
            "start_s": median(start["timed_s"]),
            "start_spread": spread(start["timed_s"]),
            "first_start_s": start.get("first_start_s"),
            "peak_mb": results["memory"][key]["peak_mb"],
            "steady_mb": median(samples) if samples else results["memory"][key]["end_mb"],
        }
    return {"phases": phases, "systems": systems, "peak_gflops": peak}


def agreement(results):
    """Per system: labels agreeing with the peer's and the largest |ΔP(Positive)|, on the checked texts."""
    answers = results["answers"]["by_system"]
    if "peer" not in answers:
        return {}

    def p_positive(a):
        return a["score"] if a["label"] == "Positive" else 1 - a["score"]

    out = {}
    for key, rows in answers.items():
        if key == "peer" or key not in BASE_MODEL_SYSTEMS:
            continue
        pairs = list(zip(answers["peer"], rows))
        out[key] = {"agree": sum(a["label"] == b["label"] for a, b in pairs), "total": len(pairs),
                    "max_dp": max(abs(p_positive(a) - p_positive(b)) for a, b in pairs)}
    return out


def targets(summary):
    rows = []
    for system, figure, phase, limit, kind, wording in TARGETS:
        source = summary["phases"].get((system, phase)) if phase else summary["systems"].get(system)
        if source is None or source.get(figure) is None:
            continue
        value = source[figure]
        met = value <= limit if kind == "max" else value >= limit
        rows.append((system, wording, limit, kind, value, figure, met))
    return rows


# ---------------------------------------------------------------- rendering

def num(x, digits=3):
    """x to `digits` significant digits (all integer digits when larger), thousands separated; '–' when missing."""
    if x is None:
        return "–"
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:,.{decimals}f}"


def plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def times(x):
    return "–" if x is None else f"{num(x)}×"


def pct(x):
    return "–" if x is None else f"{x * 100:.0f} %"


UNITS = {"p50_ms": "ms", "rps": "req/s", "peak_mb": "MB", "start_s": "s"}


def render(results):
    s = summarize(results)
    ph, sy = s["phases"], s["systems"]
    keys = list(results["starts"])
    titles = {"peer": "peer (Flask + PyTorch)", "fp32": "ZhSentiment fp32", "int8": "ZhSentiment int8",
              "default": "ZhSentiment default model"}
    m, v, st = results["machine"], results["versions"], results["settings"]
    workers = results["starts"].get("peer", {}).get("workers", [])
    out = []
    w = out.append

    w("# Benchmark results")
    w("")
    w("ZhSentiment against the original architecture (Flask + PyTorch behind gunicorn, reproduced in `bench/peers/`) on "
      "the same machine, the same weights and the same review texts, all in one run. Written by `bench/run`; "
      "do not edit by hand. How it is measured: `bench/README.md`.")
    w("")
    if results.get("quick"):
        w("**Quick run** (short phases, one round): for development only, not for quoting.")
        w("")
    w("| run | |")
    w("| --- | --- |")
    w(f"| command | `{results['command']}` |")
    w(f"| commit | `{results['git']['commit'][:12]}`{' with uncommitted changes' if results['git']['dirty'] else ''} |")
    w(f"| when | {results['started']} to {results['finished']} |")
    w(f"| load average (1/5/15 min) | before {', '.join(f'{x:.2f}' for x in results['load_before'])}; "
      f"after {', '.join(f'{x:.2f}' for x in results['load_after'])} |")
    w(f"| machine | {m['model']}, {m['usable_cpus']} CPUs ({m.get('cores_per_socket', '?')} cores × "
      f"{m.get('threads_per_core', '?')} thread{'s' if m.get('threads_per_core') != '1' else ''}"
      f"{', ' + m['hypervisor'] + ' guest' if m.get('hypervisor') else ''}), {m['memory_gib']} GiB, "
      f"L2 {m.get('l2', '?')}, L3 {m.get('l3', '?')}, Linux {m['kernel']} |")
    w(f"| CPU flags | {' '.join(m['flags'])} |")
    other_med, other_high, disturbed = disturbance(results)
    w(f"| other processes during the load phases | median {num(other_med)} CPUs busy, highest phase {num(other_high)} "
      "(all CPU time on the machine minus the server's and wrk's) |")
    for probe, when in (("blas_before", "before"), ("blas_after", "after")):
        if probe in results:
            parts = [f"{g['threads']} thread{'s' if g['threads'] > 1 else ''} {num(g['best'])} GFLOP/s"
                     for g in results[probe]["sgemm"]]
            w(f"| fp32 peak {when} (sgemm {results[probe]['sgemm'][0]['n']}³, best of runs) | {'; '.join(parts)} |")
    blas = results["blas_before"]["blas"][0]
    v = collections.defaultdict(lambda: "?", {k: x for k, x in v.items() if x})
    w(f"| versions | .NET SDK {v['dotnet']}, ONNX Runtime {v['onnxruntime']}; Python {v['python']}, "
      f"python3-torch {v['python3-torch']} on {blas['internal_api']} {blas['version']} ({blas.get('architecture')} "
      f"kernels), Flask {v['python3-flask']}, gunicorn {v['gunicorn']}; wrk {v['wrk']} |")
    w(f"| settings | {plural(st['rounds'], 'round')}; single-request phases {num(st['seconds'])} s, concurrent "
      f"phases {num(st['load_seconds'])} s; {plural(st['starts'], 'timed start')} per system; warm-up "
      f"{num(st['warmup_s'])} s |")
    w("")

    if disturbed:
        w(f"**Disturbed run**: other processes were busy during the phases (median {num(other_med)} CPUs of other "
          f"work, highest phase {num(other_high)}) on this 2-CPU machine. Ratios measured in "
          "the same rounds are more robust than absolute figures, and CPU time per request more than either.")
        w("")
    w("## Systems")
    w("")
    w("| system | what runs |")
    w("| --- | --- |")
    cfg = results["base_config"]
    shape = (f"{cfg['num_hidden_layers']} layers, hidden {cfg['hidden_size']}, {cfg['num_attention_heads']} heads, "
             f"intermediate {cfg['intermediate_size']}, vocab {cfg['vocab_size']:,}")
    if "peer" in keys:
        threads = "; ".join(sorted({w_.split(" ", 2)[2] for w_ in workers})) if workers else "?"
        w(f"| {titles['peer']} | `gunicorn --workers 2` (sync workers), Flask app, eager PyTorch nn.Modules, no_grad, "
          f"dynamic padding; each worker loads its own model; per worker: {threads}"
          f"{'; OPENBLAS_NUM_THREADS=' + str(st['peer_blas_threads']) if st.get('peer_blas_threads') else ''} |")
    for k in ("fp32", "int8"):
        if k in keys:
            w(f"| {titles[k]} | `zhsenti serve --model …{' --quantize int8' if k == 'int8' else ''}`, "
              "converted model loaded from its cache |")
    if "default" in keys:
        w(f"| {titles['default']} | `zhsenti serve` (the shipped model) |")
    w("")
    if results.get("build") and {"fp32", "int8", "default"} & set(keys):
        w(f"ZhSentiment is {results['build']}.")
        w("")
    w(f"The peer, `fp32` and `int8` serve the same random StructBERT-base-shaped checkpoint ({shape}; "
      "the compute of `iic/nlp_structbert_sentiment-classification_chinese-base`) with the bert-base-chinese vocabulary.")
    w("")

    w("## Workload and checks")
    w("")
    w("Reviews from `../shared/data/sentiment/dev.tsv` (ChnSentiCorp dev), each class sent in rotation.")
    w("")
    w("| class | texts | characters (mean) | tokens (mean; min–max) | GFLOP per request (base shape) |")
    w("| --- | ---: | ---: | --- | ---: |")
    for key, c in results["workload"].items():
        w(f"| {c['description']} | {c['texts']} | {num(c['chars_mean'])} | {num(c['tokens_mean'])}; "
          f"{c['tokens_min']}–{c['tokens_max']} | {num(c['flops_mean'] / 1e9)} |")
    w("")
    tp = results["tokenizer_parity"]
    w(f"- Tokenizer: the peer's BERT tokenizer gives the same ids as the HF Rust tokenizer (`tools/hf-oracle`) on "
      f"{tp['texts'] - tp['differ']} of {tp['texts']} workload texts.")
    w(f"- BLAS: Debian's PyTorch ({results['blas_before']['torch']}, BLAS_INFO={results['blas_before']['blas_info']}) "
      f"runs its matrix products on {blas['internal_api']} {blas['version']} ({blas['filepath']}); "
      f"each peer worker reported: {'; '.join(sorted({x.split(' ', 2)[2] for x in workers})) or '–'}.")
    for k, a in agreement(results).items():
        w(f"- Answers, {titles[k]} against the peer on {a['total']} texts: labels agree on {a['agree']}, "
          f"largest |ΔP(Positive)| {num(a['max_dp'])}.")
    w("")

    ratio_note = "÷ peer: the system's figure divided by the peer's (below 1 is better for latency, memory and start)."
    w("## Single requests by length (concurrency 1)")
    w("")
    w(f"Median over rounds of each round's percentile. {ratio_note}")
    w("")
    w("| class | system | p50 ms | p95 ms | p99 ms | requests | p50 ÷ peer |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for key, c in results["workload"].items():
        peer = ph.get(("peer", f"c1-{key}"))
        for k in keys:
            f = ph.get((k, f"c1-{key}"))
            if f:
                w(f"| {c['description']} | {titles[k]} | {num(f['p50_ms'])} | {num(f['p95_ms'])} | {num(f['p99_ms'])} | "
                  f"{f['requests']:,}{' (' + str(f['errors']) + ' errors)' if f['errors'] else ''} | "
                  f"{times(ratio(f['p50_ms'], peer and peer['p50_ms'])) if k != 'peer' else ''} |")
    w("")

    w("## Throughput (40–80 characters)")
    w("")
    w("Requests per second, median over rounds (lowest–highest round in brackets); p50 latency at that concurrency.")
    w("")
    w("| system | concurrency 1 | concurrency 8 | p50 at 8 | concurrency 32 | p50 at 32 | ÷ peer at 1 / 8 / 32 |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for k in keys:
        cells, ratios = [], []
        for phase in ("c1-target", "c8", "c32"):
            f, peer = ph.get((k, phase)), ph.get(("peer", phase))
            if f is None:
                cells.extend(["–"] if phase == "c1-target" else ["–", "–"])
                ratios.append("–")
                continue
            lo_hi = f["rps_spread"]
            cell = f"{num(f['rps'])} ({num(lo_hi[0])}–{num(lo_hi[1])})" if f["rounds"] > 1 else num(f["rps"])
            if f["errors"]:
                cell += f", {f['errors']} errors"
            cells.append(cell)
            if phase != "c1-target":
                cells.append(f"{num(f['p50_ms'])} ms")
            ratios.append(times(ratio(f["rps"], peer and peer["rps"])))
        w(f"| {titles[k]} | {' | '.join(cells)} | {' / '.join(ratios) if k != 'peer' else ''} |")
    w("")

    w("## Memory and start-up")
    w("")
    master = results["memory"].get("peer", {}).get("left_out_mb")
    w(f"RSS sums the peer's two workers (gunicorn's master, {num(master)} MB, is left out). Peak is each process's own high-water mark "
      "(VmHWM) over the whole run; steady is the median of samples taken every 0.5 s during the concurrent phases. "
      "Start is from process start to the first successful `/predict`, median of the timed starts (model files in "
      "the page cache; for ZhSentiment with the converted model already cached).")
    w("")
    w("| system | peak RSS MB | steady RSS MB | start s | first start, converting s | peak ÷ peer | steady ÷ peer | start ÷ peer |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    pe = sy.get("peer")
    for k in keys:
        f = sy[k]
        span = f["start_spread"]
        start = f"{num(f['start_s'])}" + (f" ({num(span[0])}–{num(span[1])})" if span and span[0] != span[1] else "")
        rs = ["", "", ""] if k == "peer" or not pe else [times(ratio(f[x], pe[x])) for x in ("peak_mb", "steady_mb", "start_s")]
        w(f"| {titles[k]} | {num(f['peak_mb'])} | {num(f['steady_mb'])} | {start} | {num(f['first_start_s'])} | "
          f"{' | '.join(rs)} |")
    w("")

    w("## Where the time goes")
    w("")
    w(f"Useful work is one unpadded forward pass per request, counted from the shapes and each text's real token count "
      f"(matrix products only). The machine's fp32 peak is the best sgemm above, {num(s['peak_gflops'])} GFLOP/s. "
      "Server CPU is all threads of all the system's processes. ZhSentiment's batch figures come from its `/metrics` "
      "(per phase, summed over rounds): rows and padded tokens per model batch, padding (padded tokens the texts did not "
      "need), the share of wall time the model ran, and the GFLOP/s while it ran.")
    w("")
    w("| system | phase | req/s | server CPU ms / request | GFLOP/s | % of peak | wrk CPU | others' CPUs | "
      "rows / batch | tokens / batch | padding | model busy | model ms / batch | GFLOP/s in model | queue wait ms |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for k in keys:
        for p in results["phases"]:
            f = ph.get((k, p["name"]))
            if not f:
                continue
            w(f"| {titles[k]} | {p['name']} | {num(f['rps'])} | {num(f['cpu_ms_per_request'])} | {num(f.get('gflops'))} | "
              f"{pct(f.get('peak_share'))} | {pct(f['loadgen_cpu_share'])} | {num(f['other_cores'])} | "
              f"{num(f.get('batch_rows'))} | "
              f"{num(f.get('batch_tokens'))} | {pct(f.get('padding'))} | {pct(f.get('model_busy'))} | "
              f"{num(f.get('model_ms_per_batch'))} | {num(f.get('model_gflops'))} | {num(f.get('queue_wait_ms'))} |")
    w("")

    w("## Targets")
    w("")
    rows = targets(s)
    if rows:
        w("| system | target | measured | |")
        w("| --- | --- | ---: | --- |")
        for system, wording, limit, kind, value, figure, met in rows:
            w(f"| {titles[system]} | {wording} {'≤' if kind == 'max' else '≥'} {limit:,g} {UNITS[figure]} | "
              f"{num(value)} {UNITS[figure]} | {'met' if met else '**missed**'} |")
    else:
        w("No system with targets ran.")
    w("")
    return "\n".join(out)


def write(results, path):
    text = render(results)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
