import os
import tempfile
import unittest

import workload  # puts the peer's folder on sys.path
from tokenization import BertTokenizer

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "好", "评", "！", "，", "cafe", "un", "##aff", "##able",
         "2", "##0", "x", "y", "."]


class TokenizerTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        path = os.path.join(cls.dir.name, "vocab.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(t + "\n" for t in VOCAB))
        cls.tok = BertTokenizer(path)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def ids(self, *tokens):
        return [VOCAB.index(t) for t in ("[CLS]", *tokens, "[SEP]")]

    def test_chinese_characters_and_punctuation_are_single_tokens(self):
        self.assertEqual(self.tok.encode("好评！好，"), self.ids("好", "评", "！", "好", "，"))

    def test_lower_case_strips_accents_and_wordpiece_splits_greedily(self):
        self.assertEqual(self.tok.encode("Café UNAFFABLE"), self.ids("cafe", "un", "##aff", "##able"))
        self.assertEqual(self.tok.encode("200"), self.ids("2", "##0", "##0"))

    def test_a_word_with_no_wordpiece_cover_is_one_unknown(self):
        self.assertEqual(self.tok.encode("unz x"), self.ids("[UNK]", "x"))
        self.assertEqual(self.tok.encode("x" * 101), self.ids("[UNK]"))

    def test_control_and_private_use_characters_vanish_whitespace_separates(self):
        self.assertEqual(self.tok.encode("x\u200b y\ue415\u3000x\u2028y"), self.ids("x", "y", "x", "y"))
        self.assertEqual(self.tok.encode("x\u200by"), self.ids("[UNK]"))  # "xy": no ##y in the vocabulary

    def test_special_tokens_in_the_text_stay_whole(self):
        self.assertEqual(self.tok.encode("x[MASK]y"), self.ids("x", "[MASK]", "y"))

    def test_truncation_keeps_cls_and_sep(self):
        self.assertEqual(self.tok.encode("好评好评好评", max_length=4), self.ids("好", "评"))

    def test_workload_classes_split_by_characters(self):
        texts = ["短" * 32, "中" * 40, "长" * 81, "百" * 100, "千" * 400]
        classes = workload.classify_lengths(texts)
        self.assertEqual([len(classes[k]) for k in ("short", "target", "100", "400")], [1, 1, 1, 1])


if __name__ == "__main__":
    unittest.main()
