// Reference BERT normalization and pre-tokenization with the Hugging Face Rust tokenizer.
//   node normalize.mjs [--lowercase] [--strip-accents | --keep-accents] [--no-chinese-chars] [--no-clean-text] < texts.jsonl
// Input: one JSON string per line. Output: one JSON object per line: {"normalized", "words"}, where words are the
// pre-tokenizer's split of the normalized text.
import { bertNormalizer, bertPreTokenizer } from "tokenizers";
import { readFileSync } from "node:fs";
import { readTextLines } from "./bert.mjs";

const has = (name) => process.argv.includes(name);
const lowercase = has("--lowercase");
const normalizer = bertNormalizer({
  cleanText: !has("--no-clean-text"),
  handleChineseChars: !has("--no-chinese-chars"),
  stripAccents: has("--strip-accents") ? true : has("--keep-accents") ? false : lowercase,
  lowercase,
});
const pre = bertPreTokenizer();
const out = [];
for (const text of readTextLines(readFileSync(0, "utf8"))) {
  const normalized = normalizer.normalizeString(text);
  out.push(JSON.stringify({ normalized, words: pre.preTokenizeString(normalized).map((w) => w[0]) }));
}
process.stdout.write(out.join("\n") + "\n");
