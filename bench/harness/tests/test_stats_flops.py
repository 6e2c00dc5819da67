import unittest

import flops
from stats import median, ratio, spread

BASE = {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12, "num_attention_heads": 12,
        "id2label": {"0": "负面", "1": "正面"}}


class StatsTests(unittest.TestCase):
    def test_median_of_odd_and_even_counts_ignores_missing(self):
        self.assertEqual(median([3, 1, 2]), 2)
        self.assertEqual(median([4, 1, 3, 2]), 2.5)
        self.assertEqual(median([None, 5, None]), 5)
        self.assertIsNone(median([]))
        self.assertEqual(median(x for x in (7, 9)), 8)

    def test_spread_and_ratio(self):
        self.assertEqual(spread([3, None, 1, 2]), (1, 3))
        self.assertIsNone(spread([]))
        self.assertEqual(ratio(1, 4), 0.25)
        self.assertIsNone(ratio(None, 4))
        self.assertIsNone(ratio(1, 0))


class FlopsTests(unittest.TestCase):
    def test_matches_the_matrix_products_of_a_bert_forward_listed_one_by_one(self):
        n, h, i, heads = 47, 768, 3072, 12
        d = h // heads
        layer = [(n, h, h)] * 4 + [(n, h, i), (n, i, h)] + [(n, d, n), (n, n, d)] * heads
        products = layer * 12 + [(1, h, h), (1, h, 2)]
        self.assertEqual(flops.forward_flops(n, BASE), sum(2 * m * k * c for m, k, c in products))

    def test_bert_base_at_47_tokens_is_about_8_gflop(self):
        self.assertAlmostEqual(flops.forward_flops(47, BASE) / 1e9, 8.066, places=3)

    def test_attention_makes_cost_superlinear_in_length(self):
        short, long = flops.forward_flops(64, BASE), flops.forward_flops(512, BASE)
        self.assertGreater(long / short, 8)


if __name__ == "__main__":
    unittest.main()
