import copy
import unittest

import report

WORKLOAD = {
    "short": {"description": "≤ 32 characters", "texts": 2, "chars_mean": 20, "tokens_mean": 22, "tokens_min": 20,
              "tokens_max": 24, "flops_mean": 4e9},
    "target": {"description": "40–80 characters", "texts": 2, "chars_mean": 56, "tokens_mean": 50, "tokens_min": 40,
               "tokens_max": 60, "flops_mean": 8e9},
}
PROBE = {"torch": "1.13", "blas_info": "generic", "torch_intra_op_threads": 1,
         "blas": [{"internal_api": "openblas", "version": "0.3.21", "num_threads": 2, "filepath": "/x.so",
                   "architecture": "Cooperlake"}],
         "sgemm": [{"threads": 2, "n": 3072, "best": 160.0, "median": 150.0, "runs": [150.0, 160.0]}]}


def run(system, phase, cls, connections, round_, requests, p50_ms, engine=None):
    return {"system": system, "phase": phase, "cls": cls, "connections": connections, "round": round_,
            "duration_us": 10_000_000, "requests": requests, "bytes": 0,
            "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0},
            "latency_us": {"min": 1, "mean": 1, "max": 1, "percentiles": {
                "50": p50_ms * 1000, "90": p50_ms * 1100, "95": p50_ms * 1200, "99": p50_ms * 1500, "99.9": 1}},
            "server_cpu_s": requests * 0.1, "loadgen_cpu_s": 0.5, "other_cpu_s": 0.3, "rss_samples_mb": [100.0, 120.0, 110.0],
            "engine": engine}


def results():
    runs = []
    for r, (peer_rps, ours_rps) in enumerate([(8, 40), (9, 50), (7, 45)]):
        runs.append(run("peer", "c1-target", "target", 1, r, 10 * peer_rps, 110))
        runs.append(run("peer", "c8", "target", 8, r, 10 * peer_rps, 900))
        # 40 requests a second in batches of 4 rows, each padded to 60 tokens (real mean 50): 1/6 padding.
        engine = {"rows": [10 * ours_rps, 10 * ours_rps / 4], "tokens": [10 * ours_rps * 60, 10 * ours_rps / 4],
                  "inference_s": [8.0, 10 * ours_rps / 4], "queue_wait_s": [1.0, 10 * ours_rps]}
        runs.append(run("int8", "c1-target", "target", 1, r, 10 * ours_rps, 30))
        runs.append(run("int8", "c8", "target", 8, r, 10 * ours_rps, 150, engine))
    return {
        "command": "bench/run", "quick": False, "run_dir": "bench/out/run-x", "started": "t0", "finished": "t1",
        "settings": {"rounds": 3, "seconds": 8, "load_seconds": 10, "starts": 3, "warmup_s": 5, "peer_blas_threads": None},
        "load_before": [0.2, 0.3, 0.4], "load_after": [0.5, 0.4, 0.4],
        "machine": {"model": "AMD EPYC", "usable_cpus": 2, "cores_per_socket": "2", "threads_per_core": "1",
                    "memory_gib": 23.5, "kernel": "6.1", "flags": ["avx2"]},
        "versions": {"dotnet": "10.0.100"}, "git": {"commit": "0123456789abcdef", "dirty": False},
        "blas_before": PROBE, "blas_after": PROBE,
        "base_config": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
                        "intermediate_size": 3072, "vocab_size": 21128, "max_position_embeddings": 512},
        "workload": WORKLOAD,
        "tokenizer_parity": {"texts": 4, "differ": 0, "first_difference": None},
        "starts": {"peer": {"timed_s": [2.0, 1.8, 1.9], "workers": ["peer-worker pid=1 torch=1.13 blas=openblas"]},
                   "int8": {"timed_s": [0.5, 0.6, 0.4], "first_start_s": 3.0}},
        "answers": {"texts": 2, "by_system": {
            "peer": [{"label": "Positive", "score": 0.9}, {"label": "Negative", "score": 0.8}],
            "int8": [{"label": "Positive", "score": 0.85}, {"label": "Positive", "score": 0.6}]}},
        "phases": [{"name": "c1-target", "cls": "target", "connections": 1, "seconds": 8},
                   {"name": "c8", "cls": "target", "connections": 8, "seconds": 10}],
        "runs": runs,
        "memory": {"peer": {"peak_mb": 2000.0, "end_mb": 1300.0}, "int8": {"peak_mb": 240.0, "end_mb": 200.0}},
    }


class SummaryTests(unittest.TestCase):
    def test_medians_over_rounds_and_engine_figures_from_metrics(self):
        s = report.summarize(results())
        peer, ours = s["phases"][("peer", "c8")], s["phases"][("int8", "c8")]
        self.assertEqual(peer["rps"], 8)
        self.assertEqual(ours["rps"], 45)
        self.assertEqual(ours["rps_spread"], (40, 50))
        self.assertEqual(ours["p50_ms"], 150)
        self.assertEqual(ours["requests"], 1350)
        self.assertAlmostEqual(ours["cpu_ms_per_request"], 100)
        self.assertAlmostEqual(ours["batch_rows"], 4)
        self.assertAlmostEqual(ours["batch_tokens"], 240)
        self.assertAlmostEqual(ours["padding"], 1 / 6)
        self.assertAlmostEqual(ours["model_busy"], 0.8)
        self.assertAlmostEqual(ours["queue_wait_ms"], 1000 * 3 / 1350)
        self.assertAlmostEqual(ours["gflops"], 45 * 8)
        self.assertAlmostEqual(ours["peak_share"], 45 * 8 / 160)
        self.assertAlmostEqual(ours["model_gflops"], 1350 * 8 / 24)
        self.assertNotIn("batch_rows", peer)

    def test_memory_and_start(self):
        s = report.summarize(results())
        self.assertEqual(s["systems"]["int8"]["start_s"], 0.5)
        self.assertEqual(s["systems"]["int8"]["first_start_s"], 3.0)
        self.assertEqual(s["systems"]["int8"]["steady_mb"], 110.0)  # only samples of concurrent phases
        self.assertEqual(s["systems"]["peer"]["peak_mb"], 2000.0)

    def test_targets_are_checked_in_the_right_direction(self):
        rows = {(r[0], r[5]): r[6] for r in report.targets(report.summarize(results()))}
        self.assertTrue(rows[("int8", "p50_ms")])      # 30 ms ≤ 35 ms
        self.assertTrue(rows[("int8", "rps")])         # 45 ≥ 30 req/s
        self.assertTrue(rows[("int8", "peak_mb")])     # 240 ≤ 250 MB
        self.assertTrue(rows[("int8", "start_s")])     # 0.5 ≤ 1.5 s
        slow = results()
        for r in slow["runs"]:
            if r["system"] == "int8" and r["phase"] == "c1-target":
                r["latency_us"]["percentiles"]["50"] = 36_000
        rows = {(r[0], r[5]): r[6] for r in report.targets(report.summarize(slow))}
        self.assertFalse(rows[("int8", "p50_ms")])
        self.assertNotIn(("fp32", "p50_ms"), rows)     # no fp32 in this run: no verdict

    def test_agreement_with_the_peer(self):
        a = report.agreement(results())["int8"]
        self.assertEqual((a["agree"], a["total"]), (1, 2))
        self.assertAlmostEqual(a["max_dp"], 0.4)  # P(Positive) 0.2 against 0.6


class DisturbanceTests(unittest.TestCase):
    def test_quiet_run(self):
        self.assertEqual(report.disturbance(results()), (0.03, 0.03, False))

    def test_busy_neighbours_mark_the_run_disturbed(self):
        busy = results()
        for r in busy["runs"]:
            r["other_cpu_s"] = 9.0  # 0.9 CPUs over the 10 s phases
        self.assertTrue(report.disturbance(busy)[2])
        self.assertIn("**Disturbed run**", report.render(busy))
        self.assertNotIn("Disturbed", report.render(results()))

    def test_a_load_average_left_by_earlier_work_alone_does_not(self):
        loaded = results()
        loaded["load_before"] = [2.5, 2.5, 3.0]
        self.assertFalse(report.disturbance(loaded)[2])


class RenderTests(unittest.TestCase):
    def test_renders_every_section_with_ratios_to_the_peer(self):
        text = report.render(results())
        for heading in ("## Systems", "## Workload and checks", "## Single requests by length (concurrency 1)",
                        "## Throughput (40–80 characters)", "## Memory and start-up", "## Where the time goes",
                        "## Targets"):
            self.assertIn(heading, text)
        self.assertIn("| 40–80 characters | ZhSentiment int8 | 30.0 | 36.0 | 45.0 | 1,350 | 0.273× |", text)
        self.assertIn("| ZhSentiment int8 | 240 | 110 | 0.500 (0.400–0.600) | 3.00 | 0.120× |", text)
        self.assertIn("labels agree on 1", text)
        self.assertIn("| ZhSentiment int8 | 45.0 (40.0–50.0) | 45.0 (40.0–50.0) | 150 ms | – | – | 5.62× / 5.62× / – |", text)
        self.assertIn("| ZhSentiment int8 | single request p50, 40–80 characters ≤ 35 ms | 30.0 ms | met |", text)
        self.assertNotIn("None", text)

    def test_says_which_build_of_zhsenti_was_measured(self):
        r = copy.deepcopy(results())
        r["build"] = "the release, Native AOT (`tools/release/publish.sh`)"
        self.assertIn("ZhSentiment is the release, Native AOT (`tools/release/publish.sh`).", report.render(r))

    def test_a_run_without_the_peer_still_renders(self):
        r = copy.deepcopy(results())
        r["runs"] = [x for x in r["runs"] if x["system"] != "peer"]
        del r["starts"]["peer"], r["memory"]["peer"], r["answers"]["by_system"]["peer"]
        self.assertIn("ZhSentiment int8", report.render(r))


class NumberTests(unittest.TestCase):
    def test_three_significant_digits_and_thousands(self):
        self.assertEqual(report.num(0.012345), "0.0123")
        self.assertEqual(report.num(4.987), "4.99")
        self.assertEqual(report.num(127.4), "127")
        self.assertEqual(report.num(5234.6), "5,235")
        self.assertEqual(report.num(None), "–")
        self.assertEqual(report.num(0), "0")


if __name__ == "__main__":
    unittest.main()
