"""BERT's tokenizer as transformers' BertTokenizer and ModelScope's SbertTokenizer run it: basic tokenization
(clean-up, spaces around CJK characters, lower case with accents stripped, splits on whitespace and punctuation)
then greedy longest-match WordPiece. The harness checks it against the HF Rust tokenizer on every workload text."""
import re
import unicodedata

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


# As the HF Rust tokenizer defines them (the reference the harness checks against): whitespace is Unicode's
# White_Space, control is every "other" category (Cc, Cf, Co, Cn, Cs; private-use characters do occur in reviews).
def _is_whitespace(ch):
    return ch in " \t\n\r\u2028\u2029" or unicodedata.category(ch) == "Zs"


def _is_control(ch):
    return ch not in "\t\n\r" and unicodedata.category(ch).startswith("C")


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_chinese_char(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
            or 0x2F800 <= cp <= 0x2FA1F)


class BertTokenizer:
    def __init__(self, vocab_path, do_lower_case=True, max_input_chars_per_word=100):
        with open(vocab_path, encoding="utf-8") as f:
            self.vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
        self.do_lower_case = do_lower_case
        self.max_chars = max_input_chars_per_word
        self.unk_id = self.vocab["[UNK]"]
        self.cls_id, self.sep_id, self.pad_id = self.vocab["[CLS]"], self.vocab["[SEP]"], self.vocab["[PAD]"]
        # Special tokens written in the text are kept whole, as the tokenizers' added-token matching does.
        self.special = re.compile("(" + "|".join(re.escape(t) for t in SPECIAL_TOKENS if t in self.vocab) + ")")

    def _basic(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or _is_control(ch):
                continue
            if _is_whitespace(ch):
                out.append(" ")
            elif _is_chinese_char(cp):
                out.append(f" {ch} ")
            else:
                out.append(ch)
        words = []
        for token in "".join(out).split():
            if self.do_lower_case:
                token = "".join(c for c in unicodedata.normalize("NFD", token.lower())
                                if unicodedata.category(c) != "Mn")
            start = 0
            for i, ch in enumerate(token):
                if _is_punctuation(ch):
                    if start < i:
                        words.append(token[start:i])
                    words.append(ch)
                    start = i + 1
            if start < len(token):
                words.append(token[start:])
        return words

    def _wordpiece(self, word, ids):
        if len(word) > self.max_chars:
            ids.append(self.unk_id)
            return
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    pieces.append(self.vocab[piece])
                    break
                end -= 1
            if end == start:
                ids.append(self.unk_id)
                return
            start = end
        ids.extend(pieces)

    def encode(self, text, max_length=512):
        """Token ids with [CLS] and [SEP], truncated to max_length as truncation=True does."""
        ids = [self.cls_id]
        for i, part in enumerate(self.special.split(text)):
            if i % 2:
                ids.append(self.vocab[part])
                continue
            for word in self._basic(part):
                self._wordpiece(word, ids)
        ids = ids[:max_length - 1]
        ids.append(self.sep_id)
        return ids
