// Reference tokenization with the Hugging Face Rust tokenizer.
//   node tokenize.mjs --vocab VOCAB.txt [--lowercase] [--strip-accents] < texts.jsonl > out.jsonl
//   node tokenize.mjs --tokenizer tokenizer.json < texts.jsonl > out.jsonl
// Input: one JSON string per line (so any character, newlines and tabs included, survives).
// Output: one JSON object per line: {"text","tokens","ids"} with [CLS]/[SEP] included.
import { Tokenizer } from "tokenizers";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const has = (name) => process.argv.includes(name);

/** Builds a BERT tokenizer.json (as transformers writes for BertTokenizerFast) around a vocab.txt. */
export function bertTokenizerJson(vocabPath, { lowercase = false, stripAccents = null } = {}) {
  const tokens = readFileSync(vocabPath, "utf8").split("\n");
  if (tokens.at(-1) === "") tokens.pop();
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  const special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].filter((t) => t in vocab);
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: special.map((t) => ({ id: vocab[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: stripAccents, lowercase },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "[SEP]", type_id: 1 } }],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [vocab["[CLS]"]], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [vocab["[SEP]"]], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
  };
}

let tokenizerPath = arg("--tokenizer");
if (!tokenizerPath) {
  const vocab = arg("--vocab");
  if (!vocab) {
    console.error("usage: node tokenize.mjs (--tokenizer tokenizer.json | --vocab vocab.txt [--lowercase] [--strip-accents]) < texts.jsonl");
    process.exit(2);
  }
  const json = bertTokenizerJson(vocab, { lowercase: has("--lowercase"), stripAccents: has("--strip-accents") ? true : null });
  tokenizerPath = join(mkdtempSync(join(tmpdir(), "hf-oracle-")), "tokenizer.json");
  writeFileSync(tokenizerPath, JSON.stringify(json));
}
const tokenizer = Tokenizer.fromFile(tokenizerPath);
const lines = readFileSync(0, "utf8").split("\n").filter((l) => l.length > 0);
for (const line of lines) {
  const text = JSON.parse(line);
  const enc = await tokenizer.encode(text);
  process.stdout.write(JSON.stringify({ text, tokens: enc.getTokens(), ids: enc.getIds() }) + "\n");
}
