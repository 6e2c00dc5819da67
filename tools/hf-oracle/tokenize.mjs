// Reference tokenization with the Hugging Face Rust tokenizer.
//   node tokenize.mjs --vocab VOCAB.txt [--lowercase] [--strip-accents | --keep-accents] [--no-chinese-chars] < texts.jsonl > out.jsonl
//   node tokenize.mjs --tokenizer tokenizer.json < texts.jsonl > out.jsonl
// Input: one JSON string per line (so any character, newlines and tabs included, survives).
// Output: one JSON object per line: {"text","tokens","ids"} with [CLS]/[SEP] included.
import { readFileSync } from "node:fs";
import { bertTokenizerJson, encodeAll, readTextLines, readVocab } from "./bert.mjs";

function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const has = (name) => process.argv.includes(name);

let json;
if (arg("--tokenizer")) {
  json = readFileSync(arg("--tokenizer"), "utf8");
} else if (arg("--vocab")) {
  json = bertTokenizerJson(readVocab(arg("--vocab")), {
    lowercase: has("--lowercase"),
    stripAccents: has("--strip-accents") ? true : has("--keep-accents") ? false : null,
    handleChineseChars: !has("--no-chinese-chars"),
  });
} else {
  console.error("usage: node tokenize.mjs (--tokenizer tokenizer.json | --vocab vocab.txt [--lowercase] [--strip-accents | --keep-accents] [--no-chinese-chars]) < texts.jsonl");
  process.exit(2);
}
for (const row of await encodeAll(json, readTextLines(readFileSync(0, "utf8")))) process.stdout.write(JSON.stringify(row) + "\n");
