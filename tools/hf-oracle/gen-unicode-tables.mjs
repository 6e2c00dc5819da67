// Derives the character tables of ZhSentiment's BERT tokenizer from the Hugging Face tokenizer itself, by asking
// its BertNormalizer / BertPreTokenizer / NFD normalizer about every Unicode scalar value, and writes them as C#:
//   node gen-unicode-tables.mjs > ../../src/ZhSentiment.Core/Text/BertUnicode.Data.cs
// Why not .NET's own Unicode data: HF classifies control, punctuation and non-spacing-mark characters with the
// `unicode_categories` crate (an old Unicode version), but lowercases and decomposes with newer tables; the runtime's
// tables differ from both in a few hundred characters. Probing the reference gives its exact behaviour.
import { bertNormalizer, bertPreTokenizer, nfdNormalizer } from "tokenizers";

const MAX = 0x10ffff;
const isSurrogate = (cp) => cp >= 0xd800 && cp <= 0xdfff;
const isHangulSyllable = (cp) => cp >= 0xac00 && cp <= 0xd7a3;
const chars = (s) => [...s].map((c) => c.codePointAt(0));

const clean = bertNormalizer({ cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false });
const chinese = bertNormalizer({ cleanText: false, handleChineseChars: true, stripAccents: false, lowercase: false });
const strip = bertNormalizer({ cleanText: false, handleChineseChars: false, stripAccents: true, lowercase: false });
const lower = bertNormalizer({ cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: true });
const pre = bertPreTokenizer();
const nfd = nfdNormalizer();

function fail(message) {
  console.error("gen-unicode-tables: " + message);
  process.exit(1);
}

const dropped = [], whitespace = [], punctuation = [], chineseChars = [], nonspacingMarks = [], nonzeroCcc = [];
const lowercase = new Map(); // cp -> [cp...]
const decompositions = new Map(); // cp -> [cp...], Hangul syllables excluded (decomposed algorithmically)
const stripExpected = new Map(); // cp -> [cp...] where stripping changes the character (checked below)

for (let cp = 0; cp <= MAX; cp++) {
  if (isSurrogate(cp)) continue;
  const s = String.fromCodePoint(cp);

  const c = clean.normalizeString(s);
  if (c === "") dropped.push(cp);
  else if (c !== s && c !== " ") fail(`clean_text maps U+${cp.toString(16)} to ${JSON.stringify(c)}`);

  const words = pre.preTokenizeString("a" + s + "b").map((w) => w[0]);
  if (words.length === 2) whitespace.push(cp);
  else if (words.length === 3) punctuation.push(cp);
  else if (words.length !== 1) fail(`pre-tokenizer splits U+${cp.toString(16)} into ${words.length}`);
  if (c === " " && words.length !== 2) fail(`U+${cp.toString(16)} becomes a space but is not whitespace`);

  const z = chinese.normalizeString(s);
  if (z === " " + s + " ") chineseChars.push(cp);
  else if (z !== s) fail(`handle_chinese_chars maps U+${cp.toString(16)} to ${JSON.stringify(z)}`);

  const l = lower.normalizeString(s);
  if (l !== s) lowercase.set(cp, chars(l));

  const d = nfd.normalizeString(s);
  if (d !== s) {
    if (!isHangulSyllable(cp)) decompositions.set(cp, chars(d));
  } else {
    if (strip.normalizeString(s) === "") nonspacingMarks.push(cp);
    // A character with a non-zero canonical combining class moves before U+0334 (class 1) when its class is
    // higher, or after U+0301 (class 230) when its class is lower.
    if (nfd.normalizeString(s + "\u0334") === "\u0334" + s || nfd.normalizeString("\u0301" + s) === s + "\u0301") nonzeroCcc.push(cp);
  }
  const st = strip.normalizeString(s);
  if (st !== s) stripExpected.set(cp, chars(st));
}

// Canonical ordering needs only the order of combining classes, so rank them by how NFD orders pairs.
const order = (x, y) => {
  const a = String.fromCodePoint(x), b = String.fromCodePoint(y);
  if (nfd.normalizeString(a + b) === b + a) return 1;
  if (nfd.normalizeString(b + a) === a + b) return -1;
  return 0;
};
const sorted = [...nonzeroCcc].sort((x, y) => order(x, y) || x - y);
const rank = new Map();
let r = 1;
sorted.forEach((cp, i) => {
  if (i > 0 && order(sorted[i - 1], cp) !== 0) r++;
  rank.set(cp, r);
});
if (r > 255) fail("more than 255 combining classes");

// Check the tables against the reference: NFD each character with them, drop the non-spacing marks, compare.
const mn = new Set(nonspacingMarks);
const decompose = (cp) => {
  if (isHangulSyllable(cp)) {
    const s = cp - 0xac00, l = 0x1100 + Math.floor(s / 588), v = 0x1161 + Math.floor((s % 588) / 28), t = 0x11a7 + (s % 28);
    return t === 0x11a7 ? [l, v] : [l, v, t];
  }
  return decompositions.get(cp) ?? [cp];
};
for (let cp = 0; cp <= MAX; cp++) {
  if (isSurrogate(cp)) continue;
  const got = decompose(cp).filter((x) => !mn.has(x));
  const want = stripExpected.get(cp) ?? [cp];
  if (got.join() !== want.join()) fail(`strip_accents of U+${cp.toString(16)}: tables give ${got}, reference ${want}`);
  const d = decompose(cp);
  for (let i = 1; i < d.length; i++)
    if ((rank.get(d[i - 1]) ?? 0) > (rank.get(d[i]) ?? 0) && rank.get(d[i])) fail(`decomposition of U+${cp.toString(16)} is not in canonical order`);
}
for (const [cp, to] of lowercase) if (to.length > 2) fail(`lowercase of U+${cp.toString(16)} has ${to.length} characters`);
for (const [cp, to] of decompositions) if (to.length > 4) fail(`decomposition of U+${cp.toString(16)} is longer than BertUnicode.MaxDecompositionLength`);

const ranges = (list) => {
  const out = [];
  for (const cp of list) {
    if (out.length && out[out.length - 1][1] === cp - 1) out[out.length - 1][1] = cp;
    else out.push([cp, cp]);
  }
  return out;
};
const hex = (n) => "0x" + n.toString(16).toUpperCase();
const wrap = (items, perLine) => {
  const lines = [];
  for (let i = 0; i < items.length; i += perLine) lines.push("        " + items.slice(i, i + perLine).join(", ") + ",");
  return lines.join("\n");
};
const rangeTable = (name, doc, list) =>
  `    /// <summary>${doc} Inclusive [first, last] pairs, ascending.</summary>\n    private static ReadOnlySpan<int> ${name} =>\n    [\n${wrap(ranges(list).flatMap(([a, b]) => [hex(a), hex(b)]), 12)}\n    ];\n`;

const lowerEntries = [...lowercase].sort((a, b) => a[0] - b[0]);
const decompEntries = [...decompositions].sort((a, b) => a[0] - b[0]);
const rankRanges = [];
for (const cp of [...rank.keys()].sort((a, b) => a - b)) {
  const last = rankRanges[rankRanges.length - 1];
  if (last && last[1] === cp - 1 && last[2] === rank.get(cp)) last[1] = cp;
  else rankRanges.push([cp, cp, rank.get(cp)]);
}

process.stdout.write(`// <auto-generated>
// Written by tools/hf-oracle/gen-unicode-tables.mjs from the Hugging Face tokenizers library (npm tokenizers
// ${JSON.parse((await import("node:fs")).readFileSync(new URL("./node_modules/tokenizers/package.json", import.meta.url), "utf8")).version}); regenerate, do not edit.
// </auto-generated>
namespace ZhSentiment.Text;

internal static partial class BertUnicode
{
${rangeTable("DroppedRanges", "Removed by clean_text: NUL, U+FFFD and what HF counts as control (other than tab, LF, CR).", dropped)}
${rangeTable("WhitespaceRanges", "Rust's char::is_whitespace: mapped to a space by clean_text, split on by the pre-tokenizer.", whitespace)}
${rangeTable("PunctuationRanges", "Isolated by the pre-tokenizer: ASCII punctuation and HF's Unicode punctuation categories.", punctuation)}
${rangeTable("ChineseRanges", "Surrounded by spaces by handle_chinese_chars.", chineseChars)}
${rangeTable("NonspacingMarkRanges", "Dropped after NFD by strip_accents (HF's non-spacing mark category).", nonspacingMarks)}
    /// <summary>Canonical ordering for NFD: [first, last, rank]; ranks order like canonical combining classes (0 = starter).</summary>
    private static ReadOnlySpan<int> CombiningRanks =>
    [
${wrap(rankRanges.flatMap(([a, b, k]) => [hex(a), hex(b), String(k)]), 12)}
    ];

    /// <summary>Lowercase mappings that change a character: [from, to, second-or-0], ascending.</summary>
    private static ReadOnlySpan<int> Lowercase =>
    [
${wrap(lowerEntries.flatMap(([f, t]) => [hex(f), hex(t[0]), t.length > 1 ? hex(t[1]) : "0"]), 12)}
    ];

    /// <summary>Full canonical decompositions (Hangul syllables aside): [from, count, code points...], ascending.</summary>
    private static ReadOnlySpan<int> Decompositions =>
    [
${decompEntries.map(([f, t]) => "        " + [hex(f), String(t.length), ...t.map(hex)].join(", ") + ",").join("\n")}
    ];
}
`);
console.error(`dropped ${dropped.length}, whitespace ${whitespace.length}, punctuation ${punctuation.length}, chinese ${chineseChars.length}, ` +
  `non-spacing marks ${nonspacingMarks.length}, combining ${nonzeroCcc.length} in ${r} ranks, lowercase ${lowercase.size}, decompositions ${decompositions.size}`);
