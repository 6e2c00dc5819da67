// Shared by the oracle scripts: a BERT tokenizer.json (as transformers writes for BertTokenizerFast) around a
// vocabulary, and encoding with the Hugging Face Rust tokenizer.
import { Tokenizer } from "tokenizers";
import { readFileSync } from "node:fs";

/** Tokens of a vocab.txt, one per line (ids are line numbers). */
export function readVocab(vocabPath) {
  const tokens = readFileSync(vocabPath, "utf8").split("\n");
  if (tokens.at(-1) === "") tokens.pop();
  return tokens;
}

/**
 * tokenizer.json for a WordPiece vocabulary. stripAccents null means "as lowercase" (HF's default).
 * The five BERT special tokens present in the vocabulary are added tokens (matched whole in the text).
 */
export function bertTokenizerJson(tokens, { lowercase = false, stripAccents = null, handleChineseChars = true } = {}) {
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  const special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].filter((t) => t in vocab);
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: special.map((t) => ({ id: vocab[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: handleChineseChars, strip_accents: stripAccents, lowercase },
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

/** {"text","tokens","ids"} for each text, [CLS]/[SEP] included. */
export async function encodeAll(tokenizerJson, texts) {
  const tokenizer = Tokenizer.fromString(typeof tokenizerJson === "string" ? tokenizerJson : JSON.stringify(tokenizerJson));
  const out = [];
  for (const text of texts) {
    const enc = await tokenizer.encode(text);
    out.push({ text, tokens: enc.getTokens(), ids: enc.getIds() });
  }
  return out;
}

/** Reads JSON-string lines (any character, newlines included, survives). */
export function readTextLines(input) {
  return input.split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
}
