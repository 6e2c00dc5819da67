import os
import tempfile
import types
import unittest

import loadgen
import main
import prom

METRICS = """# HELP zhsenti_batch_rows Rows (text windows) per model batch
# TYPE zhsenti_batch_rows histogram
zhsenti_batch_rows_bucket{le="1"} 3
zhsenti_batch_rows_bucket{le="+Inf"} 5
zhsenti_batch_rows_sum 12
zhsenti_batch_rows_count 5
zhsenti_inference_seconds_bucket{otel_scope_name="ZhSentiment.Engine",le="0.1"} 4
zhsenti_inference_seconds_sum{otel_scope_name="ZhSentiment.Engine"} 0.75
zhsenti_inference_seconds_count{otel_scope_name="ZhSentiment.Engine"} 5
zhsenti_queue_wait_seconds_seconds_sum 0.5 1700000000000
zhsenti_queue_wait_seconds_seconds_count 10 1700000000000
zhsenti_queue_depth 0
process_weird_value NaN
"""


class PromTests(unittest.TestCase):
    def test_reads_sums_and_counts_with_labels_timestamps_and_unit_suffixes(self):
        values = prom.parse(METRICS)
        self.assertEqual(prom.histogram(values, "zhsenti_batch_rows"), (12, 5))
        self.assertEqual(prom.histogram(values, "zhsenti_inference_seconds"), (0.75, 5))
        self.assertEqual(prom.histogram(values, "zhsenti_queue_wait_seconds"), (0.5, 10))
        self.assertIsNone(prom.histogram(values, "zhsenti_batch_tokens"))

    def test_label_sets_of_one_metric_add_up(self):
        values = prom.parse('a_sum{x="1"} 2\na_sum{x="2"} 3\na_count{x="1"} 1\na_count{x="2"} 1\n')
        self.assertEqual(prom.histogram(values, "a"), (5, 2))

    def test_delta_between_scrapes(self):
        before = prom.parse("zhsenti_batch_rows_sum 12\nzhsenti_batch_rows_count 5\n")
        after = prom.parse("zhsenti_batch_rows_sum 40\nzhsenti_batch_rows_count 9\n")
        self.assertEqual(prom.delta(before, after, "zhsenti_batch_rows"), (28, 4))
        self.assertIsNone(prom.delta(before, {}, "zhsenti_batch_rows"))


class WrkTests(unittest.TestCase):
    def test_finds_the_result_line_among_wrks_own_output(self):
        out = ("Running 2s test @ http://127.0.0.1:1/predict\n  1 threads and 1 connections\n"
               'WRK-RESULT {"duration_us":2000000,"requests":10,"bytes":100,"errors":{"connect":0,"read":0,'
               '"write":0,"status":1,"timeout":0},"latency_us":{"min":1,"mean":2.5,"max":9,'
               '"percentiles":{"50":2,"90":5,"95":6,"99":9,"99.9":9}}}\nRequests/sec: 5.00\n')
        result = loadgen.parse_wrk(out)
        self.assertEqual(result["requests"], 10)
        self.assertEqual(result["errors"]["status"], 1)
        self.assertEqual(result["latency_us"]["percentiles"]["99"], 9)

    def test_no_result_when_wrk_could_not_connect(self):
        self.assertIsNone(loadgen.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n"))


class PeerLogTests(unittest.TestCase):
    def test_worker_lines_written_into_each_other_still_count_as_two(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "peer.log")
            with open(log, "w", encoding="utf-8") as f:
                f.write("[INFO] Booting worker\n"
                        "peer-worker pid=1 torch=1.13 threads=2peer-worker pid=2 torch=1.13 threads=2\n"
                        "peer-worker pid=3 torch=1.13 threads=2\n")
            lines = main.peer_blas_lines(types.SimpleNamespace(server=types.SimpleNamespace(log_path=log)))
        self.assertEqual(lines, ["peer-worker pid=1 torch=1.13 threads=2",
                                 "peer-worker pid=2 torch=1.13 threads=2",
                                 "peer-worker pid=3 torch=1.13 threads=2"])


if __name__ == "__main__":
    unittest.main()

