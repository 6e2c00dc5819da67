"""ZhSentiment benchmark: ZhSentiment against a faithful reproduction of the original Flask + PyTorch service, on
the same machine, the same weights and the same texts, in one run. Writes bench/RESULTS.md.

    bench/run            the full run (about 15 minutes)
    bench/run --quick    a short run for development; its RESULTS.md stays in bench/out/
See bench/README.md for what is measured and how."""
import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import threading

import flops
import loadgen
import machine
import procs
import prom
import report
import workload

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
REPO = os.path.dirname(BENCH)
SHARED = os.path.join(os.path.dirname(REPO), "shared")
DEV_TSV = os.path.join(SHARED, "data", "sentiment", "dev.tsv")
PEER_DIR = os.path.join(BENCH, "peers", "flask_structbert")
DEBIAN_PYTHON = "/usr/bin/python3"
PROBE_TEXT = "房间很干净，服务也很周到。"

# Below this an sgemm did not go through an optimized BLAS (Debian's reference libblas3 reaches about 3 GFLOP/s here).
MIN_BLAS_GFLOPS = 15.0


def log(message):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class System:
    """A service under test and how to start it; `ours` is ZhSentiment (one process, /metrics, a model cache)."""

    def __init__(self, key, argv, env, cwd, ours):
        self.key, self.argv, self.env, self.cwd, self.ours = key, argv, env, cwd, ours
        self.port = None
        self.server = None

    def start(self, run_dir, limit_s):
        self.port = free_port()
        argv = [a.replace("{port}", str(self.port)) for a in self.argv]
        self.server = procs.Server(self.key, argv, self.env, self.cwd, os.path.join(run_dir, f"{self.key}.log"),
                                   workers_only=not self.ours)
        return loadgen.wait_first_prediction(self.server, self.port, PROBE_TEXT, limit_s)

    def stop(self):
        if self.server:
            self.server.stop()
            self.server = None


def build_zhsenti(build):
    """The zhsenti to measure and what it is: the release users deploy (Native AOT, tools/release/publish.sh), or
    the framework-dependent build `dotnet run` gives."""
    if build == "release":
        log("publishing the release (tools/release/publish.sh: Native AOT)")
        subprocess.run([os.path.join(REPO, "tools", "release", "publish.sh")], check=True, stdout=subprocess.DEVNULL)
        return (os.path.join(REPO, "artifacts", "zhsenti-linux-x64", "zhsenti"),
                "the release, Native AOT (`tools/release/publish.sh`)")
    log("building zhsenti (Release, framework-dependent)")
    subprocess.run(["dotnet", "build", os.path.join(REPO, "src", "ZhSentiment"), "-c", "Release", "--nologo", "-v", "q",
                    "-clp:ErrorsOnly"], check=True)
    return (os.path.join(REPO, "src", "ZhSentiment", "bin", "Release", "net10.0", "zhsenti"),
            "the framework-dependent build (`dotnet build -c Release`)")


def has_serve(zhsenti):
    try:
        return subprocess.run([zhsenti, "serve", "--help"], capture_output=True, timeout=60).returncode == 0
    except OSError:
        return False


def make_systems(args, zhsenti, run_dir):
    cache = os.path.join(run_dir, "cache")  # fresh per run: each system's first start converts, later ones load
    ours_env = dict(os.environ, ZHSENTI_CACHE=cache)
    peer_env = dict(os.environ, MODEL_DIR=args.model_dir)
    if args.peer_blas_threads:
        peer_env["OPENBLAS_NUM_THREADS"] = str(args.peer_blas_threads)
    url = "http://127.0.0.1:{port}"
    catalogue = {
        "peer": System("peer", ["/usr/bin/gunicorn", "--workers", "2", "--bind", "127.0.0.1:{port}", "app:app"],
                       peer_env, PEER_DIR, ours=False),
        "fp32": System("fp32", [zhsenti, "serve", "--model", args.model_dir, "--urls", url], ours_env, REPO, ours=True),
        "int8": System("int8", [zhsenti, "serve", "--model", args.model_dir, "--quantize", "int8", "--urls", url],
                       ours_env, REPO, ours=True),
        "default": System("default", [zhsenti, "serve", "--urls", url], ours_env, REPO, ours=True),
    }
    return [catalogue[k] for k in args.systems]


def phases(args):
    """(name, class, connections, seconds): single requests per length class, then load on the target class."""
    single = [(f"c1-{key}", key, 1, args.seconds) for key, *_ in workload.CLASSES]
    return single + [("c8", "target", 8, args.load_seconds), ("c32", "target", 32, args.load_seconds)]


class RssSampler(threading.Thread):
    def __init__(self, server, interval=0.5):
        super().__init__(daemon=True)
        self.server, self.interval, self.samples = server, interval, []
        self._done = threading.Event()

    def run(self):
        while not self._done.wait(self.interval):
            self.samples.append(self.server.rss_mb())

    def finish(self):
        self._done.set()
        self.join()
        return self.samples


# The engine's histograms in ZhSentiment's /metrics that explain its figures.
ENGINE_HISTOGRAMS = {"rows": "zhsenti_batch_rows", "tokens": "zhsenti_batch_tokens",
                     "inference_s": "zhsenti_inference_seconds", "queue_wait_s": "zhsenti_queue_wait_seconds"}


def scrape_metrics(system):
    if not system.ours:
        return None
    status, text = loadgen.get_text(system.port, "/metrics")
    return prom.parse(text) if status == 200 else None


def engine_deltas(before, after):
    """{name: [sum, count]} of what the engine's histograms observed between two scrapes, or None."""
    if before is None or after is None:
        return None
    deltas = {key: prom.delta(before, after, name) for key, name in ENGINE_HISTOGRAMS.items()}
    return {k: list(v) for k, v in deltas.items() if v is not None} or None


def run_phase(system, phase, bodies):
    name, cls, connections, seconds = phase
    server = system.server
    server.quiesce()
    metrics_before = scrape_metrics(system)
    sampler = RssSampler(server)
    sampler.start()
    cpu_before, busy_before = server.cpu_seconds(), machine.busy_cpu_seconds()
    result = loadgen.run_wrk(f"http://127.0.0.1:{system.port}/predict", bodies[cls], connections, seconds)
    result["server_cpu_s"] = server.cpu_seconds() - cpu_before
    # What the rest of the machine used meanwhile (other engineers' builds and tests, the harness itself).
    result["other_cpu_s"] = machine.busy_cpu_seconds() - busy_before - result["server_cpu_s"] - result["loadgen_cpu_s"]
    result["rss_samples_mb"] = sampler.finish()
    server.quiesce()  # queued work drains before the next phase, and /metrics then counts all of it
    result["engine"] = engine_deltas(metrics_before, scrape_metrics(system))
    result.update(system=system.key, phase=name, cls=cls, connections=connections)
    if not server.alive():
        raise RuntimeError(f"{system.key} died during {name}:\n{server.log_tail()}")
    return result


def check_outputs(systems, texts):
    """Each system's answers on the same texts through /predict_batch; the peer's are the reference."""
    answers = {}
    for s in systems:
        rows = []
        for i in range(0, len(texts), 8):
            status, body = loadgen.post_json(s.port, "/predict_batch", {"texts": texts[i:i + 8]})
            if status != 200 or not isinstance(body, list) or len(body) != len(texts[i:i + 8]):
                raise RuntimeError(f"{s.key} /predict_batch answered {status}: {str(body)[:300]}")
            rows.extend(body)
        answers[s.key] = rows
    return answers


def peer_blas_lines(system):
    with open(system.server.log_path, encoding="utf-8", errors="replace") as f:
        # Split on the marker too, so that lines two workers wrote into each other still count as two.
        return ["peer-worker " + part.strip() for line in f for part in line.split("peer-worker ")[1:]]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short phases, one round, one timed start")
    parser.add_argument("--rounds", type=int, help="rounds of all phases over all systems (default 3)")
    parser.add_argument("--seconds", type=int, help="seconds of each single-request phase (default 8)")
    parser.add_argument("--load-seconds", type=int, help="seconds of each concurrent phase (default 10)")
    parser.add_argument("--starts", type=int, help="timed starts per system (default 3)")
    parser.add_argument("--systems", default="peer,fp32,int8,default",
                        help="comma-separated subset of peer, fp32, int8, default")
    parser.add_argument("--model-dir", default=os.path.join(BENCH, "out", "models", "structbert-base"),
                        help="the StructBERT-base-shaped checkpoint; generated there when missing")
    parser.add_argument("--build", choices=["release", "framework"], default="release",
                        help="measure the Native AOT release (default) or the framework-dependent build")
    parser.add_argument("--zhsenti", help="a zhsenti executable to use instead of building src/ZhSentiment")
    parser.add_argument("--peer-blas-threads", type=int, help="OPENBLAS_NUM_THREADS for the peer (default: unset)")
    parser.add_argument("--results", help="where RESULTS.md goes (default bench/RESULTS.md, or the run folder with --quick)")
    parser.add_argument("--report", metavar="RUN_DIR", help="only rewrite RESULTS.md from a finished run's results.json")
    args = parser.parse_args()

    if args.report:
        with open(os.path.join(args.report, "results.json"), encoding="utf-8") as f:
            results = json.load(f)
        target = args.results or os.path.join(args.report, "RESULTS.md")
        report.write(results, target)
        log(f"wrote {target}")
        return

    quick = args.quick
    args.rounds = args.rounds or (1 if quick else 3)
    args.seconds = args.seconds or (2 if quick else 8)
    args.load_seconds = args.load_seconds or (3 if quick else 10)
    args.starts = args.starts or (1 if quick else 3)
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(args.systems) - {"peer", "fp32", "int8", "default"}
    if unknown or not args.systems:
        sys.exit(f"--systems takes peer, fp32, int8 and default; not {', '.join(sorted(unknown)) or 'nothing'}")
    args.model_dir = os.path.abspath(args.model_dir)
    warmup_s = 2 if quick else 5

    run_dir = os.path.join(BENCH, "out", datetime.datetime.now().strftime("run-%Y%m%d-%H%M%S"))
    os.makedirs(run_dir)
    results = {"command": " ".join(["bench/run"] + sys.argv[1:]), "quick": quick, "run_dir": os.path.relpath(run_dir, REPO),
               "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "settings": {"rounds": args.rounds, "seconds": args.seconds, "load_seconds": args.load_seconds,
                            "starts": args.starts, "warmup_s": warmup_s, "peer_blas_threads": args.peer_blas_threads},
               "load_before": machine.load_average(), "machine": machine.cpu(), "versions": machine.versions(REPO),
               "git": machine.git_state(REPO)}
    log(f"run folder {results['run_dir']}; load average {results['load_before'][0]:.2f}")

    # Preconditions: the data, and an optimized BLAS under Debian's PyTorch (else the peer is 25x slower than it
    # should be and every ratio flatters us).
    if not os.path.isfile(DEV_TSV):
        sys.exit(f"{DEV_TSV} not found: the workload is the dev reviews from ../shared")
    log("probing the BLAS under PyTorch and the machine's fp32 peak (sgemm)")
    probe = json.loads(subprocess.run([DEBIAN_PYTHON, os.path.join(HERE, "blas_probe.py")], capture_output=True,
                                      text=True, check=True).stdout)
    results["blas_before"] = probe
    optimized = [b for b in probe["blas"] if b["internal_api"] in ("openblas", "mkl", "blis")]
    best = max(s["best"] for s in probe["sgemm"])
    if not optimized or best < MIN_BLAS_GFLOPS:
        sys.exit(f"PyTorch is not on an optimized BLAS ({probe['blas']}, sgemm {best:.1f} GFLOP/s): "
                 "install libopenblas0-pthread")

    if not os.path.isfile(os.path.join(args.model_dir, "pytorch_model.bin")):
        log(f"generating the StructBERT-base-shaped checkpoint in {args.model_dir}")
        subprocess.run([DEBIAN_PYTHON, os.path.join(REPO, "tools", "reference-models", "make_reference_models.py"),
                        "--base-model", args.model_dir], check=True)
    with open(os.path.join(args.model_dir, "config.json"), encoding="utf-8") as f:
        base_config = json.load(f)

    zhsenti = None
    if any(k != "peer" for k in args.systems):
        zhsenti, results["build"] = ((os.path.abspath(args.zhsenti), f"`{args.zhsenti}`") if args.zhsenti
                                     else build_zhsenti(args.build))
        if not has_serve(zhsenti):
            sys.exit(f"{zhsenti} has no `serve` verb yet: run with --systems peer, or once the service is on main")
    systems = make_systems(args, zhsenti, run_dir)

    # Workload: length classes, token counts under the base model's tokenizer, and parity with the HF oracle.
    texts = workload.read_reviews(DEV_TSV)
    classes = workload.classify_lengths(texts)
    vocab = os.path.join(args.model_dir, "vocab.txt")
    max_length = base_config["max_position_embeddings"]
    all_texts = [t for key, *_ in workload.CLASSES for t in classes[key]]
    compared, differ, first = workload.oracle_parity(all_texts, vocab, REPO)
    results["tokenizer_parity"] = {"texts": compared, "differ": differ, "first_difference": first}
    if differ:
        sys.exit(f"the peer's tokenizer differs from the HF oracle on {differ} texts, e.g. {first}")
    bodies, results["workload"] = {}, {}
    for key, description, lo, hi in workload.CLASSES:
        counts = workload.token_counts(classes[key], vocab, max_length)
        bodies[key] = os.path.join(run_dir, f"bodies-{key}.jsonl")
        workload.write_bodies(classes[key], bodies[key])
        results["workload"][key] = {
            "description": description, "texts": len(classes[key]),
            "chars_mean": sum(map(len, classes[key])) / len(classes[key]),
            "tokens_mean": sum(counts) / len(counts), "tokens_min": min(counts), "tokens_max": max(counts),
            "flops_mean": sum(flops.forward_flops(n, base_config) for n in counts) / len(counts),
        }
    bodies["mixed"] = os.path.join(run_dir, "bodies-mixed.jsonl")
    workload.write_bodies(all_texts, bodies["mixed"])
    results["base_config"] = {k: base_config[k] for k in ("hidden_size", "num_hidden_layers", "num_attention_heads",
                                                           "intermediate_size", "vocab_size", "max_position_embeddings")}

    # Start-up: time to the first prediction, `starts` times; the last start stays up for the load phases.
    start_limit = 600
    results["starts"] = {}
    for s in systems:
        entry = results["starts"][s.key] = {"timed_s": []}
        if s.ours:
            log(f"{s.key}: first start (builds the model cache)")
            entry["first_start_s"] = s.start(run_dir, start_limit)
            s.stop()
        for i in range(args.starts):
            entry["timed_s"].append(s.start(run_dir, start_limit))
            log(f"{s.key}: start {i + 1}/{args.starts}: first prediction after {entry['timed_s'][-1]:.2f} s")
            if i + 1 < args.starts:
                s.stop()
        if not s.ours:
            entry["workers"] = peer_blas_lines(s)
            if not entry["workers"] or any("openblas" not in w and "mkl" not in w for w in entry["workers"]):
                sys.exit(f"the peer's workers do not report an optimized BLAS: {entry['workers']}")
        status, info = loadgen.get_text(s.port, "/info") if s.ours else (None, None)
        if status == 200:
            entry["info"] = info

    # Same weights, same tokenization: the answers must agree with the peer's.
    sample = [t for key, *_ in workload.CLASSES for t in classes[key][:2 if key == "400" else 16]]
    log(f"checking answers on {len(sample)} texts")
    results["answers"] = {"texts": len(sample), "by_system": check_outputs(systems, sample)}

    log(f"warming up each system for {warmup_s} s")
    for s in systems:
        loadgen.run_wrk(f"http://127.0.0.1:{s.port}/predict", bodies["mixed"], 2, warmup_s)

    plan = phases(args)
    results["phases"] = [{"name": n, "cls": c, "connections": k, "seconds": d} for n, c, k, d in plan]
    results["runs"] = []
    for r in range(args.rounds):
        order = systems[r % len(systems):] + systems[:r % len(systems)]  # rotate so drift spreads over systems
        for s in order:
            for phase in plan:
                res = run_phase(s, phase, bodies)
                res["round"] = r
                results["runs"].append(res)
                lat = res["latency_us"]["percentiles"]
                log(f"round {r + 1}/{args.rounds} {s.key:8s} {phase[0]:10s} {res['requests'] / res['duration_us'] * 1e6:8.1f} req/s"
                    f"  p50 {lat['50'] / 1000:8.2f} ms  p99 {lat['99'] / 1000:8.2f} ms"
                    f"  errors {sum(res['errors'].values())}")

    results["memory"] = {s.key: {"peak_mb": s.server.peak_rss_mb(), "end_mb": s.server.rss_mb(),
                                 "left_out_mb": s.server.unmeasured_rss_mb()} for s in systems}
    for s in systems:
        s.stop()
    log("measuring the fp32 peak again")
    results["blas_after"] = json.loads(subprocess.run([DEBIAN_PYTHON, os.path.join(HERE, "blas_probe.py")],
                                                      capture_output=True, text=True, check=True).stdout)
    results["load_after"] = machine.load_average()
    results["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")

    with open(os.path.join(run_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
    target = args.results or (os.path.join(run_dir, "RESULTS.md") if quick else os.path.join(BENCH, "RESULTS.md"))
    report.write(results, target)
    log(f"wrote {os.path.relpath(target, REPO)}")


if __name__ == "__main__":
    try:
        main()
    finally:
        procs.stop_all()
