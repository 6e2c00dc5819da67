// Regenerates the tokenizer fixtures of the C# tests (tests/ZhSentiment.Tests/Fixtures/tokenizer/):
//   node make-fixtures.mjs
// Everything is deterministic: a vocabulary the project makes itself (vocab.txt), the test texts (texts.jsonl), and
// per configuration a folder with what the test loads (tokenizer_config.json or tokenizer.json), expected.jsonl (the
// Hugging Face Rust tokenizer's tokens and ids for every text, [CLS]/[SEP] included) and normalized.jsonl (its
// normalized text and pre-tokenized words, which show normalization even where the tokens are all unknown).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bertNormalizer, bertPreTokenizer } from "tokenizers";
import { bertTokenizerJson, encodeAll } from "./bert.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../tests/ZhSentiment.Tests/Fixtures/tokenizer");
const cp = (n) => String.fromCodePoint(n);
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

// ---- Vocabulary: BERT's layout, but not every symbol, so unknown-token paths are exercised.
function buildVocab() {
  const v = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<S>", "<T>"];
  for (let i = 1; i <= 9; i++) v.push(`[unused${i}]`);
  for (const c of range(0x21, 0x7e)) v.push(cp(c)); // ASCII punctuation, digits, letters
  v.push("##");
  for (const c of [...range(0x30, 0x39), ...range(0x61, 0x7a)]) v.push("##" + cp(c));
  for (const c of ["¥", "°", "·", "×", "é", "è", "à", "ñ", "ü", "ö", "å", "ç", "ß", "É", "Å", "ı", "α", "β", "γ", "δ", "ω", "π", "σ", "ς", "ǆ", "ꭰ"]) v.push(c);
  for (const c of "абвгдежзийклмнопрстуфхцчшщъыьэюя") v.push(c);
  v.push(..."##é ##ñ ##ü ##ö ##ς ##σ".split(" "));
  const words = "the is not very good bad great nice service phone iphone apple http https www com cn html email gmail qq taobao jd ok lol wifi app ios android usb hd 4k 5g 10 100 99 2023 2024 618 cafe café naive naïve resume résumé jalapeno jalapeño angstrom istanbul привет".split(" ");
  v.push(...words);
  v.push(..."Good Apple iPhone OK USB HD Café".split(" "));
  v.push(..."##ing ##ed ##er ##ly ##ness ##ful ##tion ##com ##ok ##00 ##99 ##ve ##sume".split(" "));
  v.push("supercalifragilisticexpialidocious", "the"); // a long token, and a duplicate (the later line wins)
  for (const c of range(0x4e00, 0x9fa5)) if (c % 17 !== 5) v.push(cp(c)); // CJK unified ideographs, some left out
  for (const c of range(0x4e00, 0x9fa5)) if (c % 4 === 0 && c % 17 !== 5) v.push("##" + cp(c));
  for (const c of range(0x3400, 0x4dbf)) if (c % 10 === 0) v.push(cp(c)); // extension A, sparsely
  v.push(cp(0x20bb7), cp(0x20000), cp(0x2a6a5)); // extension B
  for (const c of range(0xf900, 0xf90f)) v.push(cp(c)); // compatibility ideographs
  for (const c of [...range(0x3001, 0x3003), ...range(0x3008, 0x3011), 0x201c, 0x201d, 0x2018, 0x2019, 0x2026, 0x2014, 0xffe5, 0xff5e]) v.push(cp(c));
  for (const c of [0xff01, 0xff08, 0xff09, 0xff0c, 0xff1a, 0xff1b, 0xff1f, ...range(0xff10, 0xff19), ...range(0xff21, 0xff3a)]) v.push(cp(c)); // fullwidth, no lowercase letters
  for (const c of range(0x3041, 0x3093)) if (c % 2 === 1) v.push(cp(c)); // hiragana, half of it
  for (const c of range(0x30a1, 0x30f6)) v.push(cp(c));
  v.push("ー", "##ー");
  v.push("한", "국", "어", "좋", "아", "요", "ᄒ", "##ᅡ", "##ᆫ", "ᄀ", "##ᅮ", "##ᆨ");
  for (const c of ["★", "♥", "❤", "□", "😀", "😂", "😊", "👍", "🇨", "##🏻", "##🇳", "︵", "┻", "━"]) v.push(c);
  const duplicates = v.filter((token, i) => v.indexOf(token) !== i);
  if (duplicates.join() !== "the") throw new Error("unintended duplicate tokens: " + duplicates.join(" "));
  return v;
}

// ---- Test texts: hand-written cases, then generated mixes.
function buildTexts() {
  const t = [
    "", " ", "   \t\n  ", "好", "很好", "这家店的服务很好，下次还会再来！", "质量太差了，退货。", "物流很快，包装完好，五星好评★★★★★",
    "價格實惠，品質優良，值得推薦。", "這個手機真的很不錯，螢幕很清楚", "鬱悶", "说明书上写的是 100% 纯棉，结果……",
    "iPhone 15 Pro Max 256GB 到手价 ￥7999", "原价$99.99，现价$49.5", "¥50包邮", "只要 9.9 元！", "打了 8.5 折",
    "客服电话：400-123-4567", "邮箱：service@jd.com", "test.user+tag@gmail.com", "联系 abc_123@qq.com 或 QQ 123456789",
    "https://www.taobao.com/item.htm?id=123456&spm=a1z10#detail", "http://example.cn/路径/页面.html", "www.jd.com", "ftp://files.example.org/a-b_c.zip",
    "Good service, bad food.", "GOOD GOOD GOOD", "very very nice!!!", "It's not bad :)", "don't buy it", "I love it <3", "5G手机", "4K高清", "USB-C接口",
    "playing played player plays", "goodness", "helpful", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "3.1415926", "1,000,000", "2024-06-18 12:30:45",
    "😀", "😀😂😊", "好评😊👍", "👍🏻", "👍🏻👍🏿", "👨‍👩‍👧‍👦", "👩🏽‍💻", "🏳️‍🌈", "🇨🇳", "🇨🇳🇺🇸", "❤️", "❤", "♥♡", "★☆", "🔥🔥🔥", "🥰🫠🫶", "😀abc", "abc😀", "好😀好",
    "ＡＢＣ１２３！？", "ｈｅｌｌｏ", "Ｈｅｌｌｏ，Ｗｏｒｌｄ！", "（笑）", "【限时抢购】", "《三体》", "「引用」", "『二重』", "“双引号”", "‘单引号’", "一、二、三。", "省略号……", "破折号——", "～～", "￥１００",
    "^_^", "^_^ 开心", "(╯°□°）╯︵ ┻━┻", "(*^▽^*)", "o(╥﹏╥)o", "T_T", "QAQ", "orz", "(｡♥‿♥｡)", "ヽ(✿ﾟ▽ﾟ)ノ", "(°ー°〃)", "┐(ﾟ～ﾟ)┌", "=_=", "-_-||", ">_<", "^o^/", "(^_^)v",
    "a\tb", "a\nb", "a\rb", "a\r\nb", "好\t好", "好\n坏", "a\u0000b", "\u0000", "a\u0085b", "a\u00a0b", "好\u3000好", "a\u200bb", "好\u200b好", "a\u200db", "\ufeff开头", "a\ufffdb", "\ufffd",
    "a\u2028b", "a\u2029b", "a\u000bb", "a\u000cb", "a\u001fb", "a\u007fb", "a\u0080b", "a\u00adb", "a\u2060b", "a\u202eb", "a\ue000b", "a\u{f0000}b", "a\u1680b", "a\u2000b", "a\u202fb", "a\u205fb", "a\u180eb", "\u0001\u0002\u0003",
    "café", "CAFÉ", "Café", "cafe\u0301", "naïve", "NAÏVE", "résumé", "jalapeño", "JALAPEÑO", "Ångström", "Å", "A\u030a", "ñ", "n\u0303", "über", "Öl", "façade", "straße", "STRASSE",
    "a\u0301\u0316", "a\u0316\u0301", "e\u0301\u0301\u0301", "Z\u0338\u0322\u0327a\u0335l\u0336g\u0337o\u0338", "a\u0308\u0304", "\u0301", " \u0301 ", "好\u0301", "\u1ac1\u0316", "x\u1ac1\u0316", "x\u0316\u1ac1",
    "\u{1d15e}", "\u{1d160}", "x\u{1d16d}\u{1d165}", "x\u{1d165}\u{1d16d}", "x\u0300\u{1d165}\u0316", "\u0e01\u0e34\u0e4d", "क्षि", "\u0915\u093c\u094d", "ﬁ", "ﬀ", "㎏", "①②③", "Ⅻ", "½", "x²", "℃", "™", "©",
    "İ", "İstanbul", "ISTANBUL", "ı", "ẞ", "ΟΔΟΣ", "Σίσυφος", "ǅ", "ǈ", "Ꭰ", "ᏸ", "Ａ", "ﬆ", "ŉ", "Ω", "K", "Å", "\u1c89", "\ua7cb", "\u{10d50}",
    "a".repeat(99), "a".repeat(100), "a".repeat(101), "a".repeat(150), "好".repeat(120), "b".repeat(100) + "好", "😀".repeat(100), "😀".repeat(101), "超".repeat(3) + "x".repeat(200),
    "supercalifragilisticexpialidocious", "supercalifragilisticexpialidociousness", "https://example.com/" + "x".repeat(90), "ab".repeat(60),
    "𠮷野家", "𠀀𠀁𠀂", "𪚥", "\u{30000}", "\u{2b820}", "\u{2b81f}", "\u{2b920}", "\u{2ceb0}", "\u{2f800}", "豈", "兀", "\u{fa0c}\u{fa0d}", "㐀㐁㐂㐊", "\u{31350}",
    "今日はいい天気ですね", "カタカナ", "ｶﾀｶﾅ", "ひらがな", "ありがとうございます！", "コーヒー", "ガ", "カ\u3099", "ﾊﾟﾝ",
    "한국어 좋아요", "안녕하세요", "한", "좋아요!!", "\u1112\u1161\u11ab",
    "привет", "Привет", "ПРИВЕТ мир", "αβγ", "ΑΒΓ", "שלום", "مرحبا", "नमस्ते", "สวัสดี", "Tiếng Việt",
    "[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]", "这个[SEP]那个", "[MASK]好", "好[MASK]", "[CLS]开头", "结尾[SEP]", "[sep]", "[Sep]", "[ SEP ]", "[[SEP]]", "[SEP][SEP]", "[SEP] [SEP]", "[SE P]", "[SEP", "SEP]",
    "[unused1]", "<S>", "<T>", "<s>", "[CLS]\u0000[SEP]", "[SE\u0000P]", "[MASK]\u0301", "[MASK][MASK]mask", "##", "##a", "a##b", "#好#", "###",
    "好评", "好评！好评", "<emoji>😀", "HTTPS://x.cn", "https://x.cn", "Https://X.CN", "[MASK]   在这里", "在这里   [MASK]",
    "\ud800", "a\udc00b", "好\ud83d",
  ];
  // Generated mixes: a seeded generator over pools of fragments.
  let seed = 20240618;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pools = [
    [..."的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从知"],
    [..."，。！？、；：“”‘’（）《》【】…—～·"],
    [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"],
    [..."!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"],
    [" ", " ", " ", "\t", "\n", "\u3000", "\u00a0", "\r\n"],
    ["😀", "👍", "👍🏻", "❤️", "★", "☆", "♥", "🇨🇳", "😂", "🥰", "^_^", "T_T", "(╯°□°）╯"],
    ["é", "É", "ñ", "Å", "ü", "e\u0301", "İ", "ß", "ẞ", "Σ", "ς", "ǅ"],
    ["ＡＢＣ", "ｈｅｌｌｏ", "１２３", "！", "？", "，", "ｶﾀｶﾅ", "カタカナ", "ひらがな", "한국어", "𠮷", "豈", "\u200b", "\u200d", "\ufeff", "\u0000", "\ufffd"],
    ["good", "Good", "GOOD", "service", "iphone", "iPhone", "https://www.jd.com", "a@b.com", "￥199", "$9.99", "[SEP]", "[MASK]", "[CLS]", "[sep]", "好评", "<emoji>"],
  ];
  const weights = [30, 8, 10, 4, 8, 5, 4, 5, 6];
  const total = weights.reduce((a, b) => a + b, 0);
  for (let n = 0; n < 160; n++) {
    const length = 1 + rand(n < 120 ? 20 : 80);
    let s = "";
    for (let k = 0; k < length; k++) {
      let w = rand(total), p = 0;
      while (w >= weights[p]) w -= weights[p++];
      s += pools[p][rand(pools[p].length)];
    }
    t.push(s);
  }
  return t;
}

// ---- Configurations: a model folder each (vocab.txt copied in by the test, or a tokenizer.json).
const vocab = buildVocab();
const texts = buildTexts();
const configs = [
  { name: "cased", config: { do_lower_case: false }, options: { lowercase: false } },
  { name: "uncased", config: null, options: { lowercase: true } }, // no tokenizer_config.json: transformers' default
  { name: "cased-strip-accents", config: { do_lower_case: false, strip_accents: true }, options: { lowercase: false, stripAccents: true } },
  { name: "uncased-keep-accents", config: { do_lower_case: true, strip_accents: false }, options: { lowercase: true, stripAccents: false } },
  { name: "no-chinese-split", config: { do_lower_case: false, tokenize_chinese_chars: false }, options: { lowercase: false, handleChineseChars: false } },
];

/** A tokenizer.json as HF saves it after tokens were added: a normalized one, an lstrip/rstrip special one, and new ids. */
function tokenizerJsonWithAddedTokens() {
  const json = bertTokenizerJson([...new Set(vocab)], { lowercase: true, stripAccents: false }); // ids contiguous, as HF saves them
  const mask = json.added_tokens.find((t) => t.content === "[MASK]");
  Object.assign(mask, { lstrip: true, rstrip: true });
  const next = Object.keys(json.model.vocab).length;
  json.added_tokens.push(
    { id: next, content: "<emoji>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: false },
    { id: next + 1, content: "好评", single_word: false, lstrip: false, rstrip: false, normalized: true, special: false },
    { id: next + 2, content: "HTTPS://", single_word: false, lstrip: false, rstrip: false, normalized: true, special: false },
  );
  delete json.model.type; // as in bert-base-chinese's tokenizer.json: the model type is inferred
  return json;
}

function normalizeAll({ lowercase = false, stripAccents = null, handleChineseChars = true }, texts) {
  const normalizer = bertNormalizer({ cleanText: true, handleChineseChars, stripAccents: stripAccents ?? lowercase, lowercase });
  const pre = bertPreTokenizer();
  return texts.map((text) => {
    const normalized = normalizer.normalizeString(text);
    return { normalized, words: pre.preTokenizeString(normalized).map((w) => w[0]) };
  });
}

rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
writeFileSync(join(root, "vocab.txt"), vocab.join("\n") + "\n");
writeFileSync(join(root, "texts.jsonl"), texts.map((t) => JSON.stringify(t)).join("\n") + "\n");
const jsonl = (rows) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
for (const c of configs) {
  const dir = join(root, c.name);
  mkdirSync(dir);
  if (c.config) writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(c.config, null, 2) + "\n");
  writeFileSync(join(dir, "expected.jsonl"), jsonl(await encodeAll(bertTokenizerJson(vocab, c.options), texts)));
  writeFileSync(join(dir, "normalized.jsonl"), jsonl(normalizeAll(c.options, texts)));
}
const tj = tokenizerJsonWithAddedTokens();
mkdirSync(join(root, "tokenizer-json"));
writeFileSync(join(root, "tokenizer-json", "tokenizer.json"), JSON.stringify(tj));
writeFileSync(join(root, "tokenizer-json", "expected.jsonl"), jsonl(await encodeAll(tj, texts)));
console.error(`${vocab.length} vocabulary lines, ${texts.length} texts, ${configs.length + 1} configurations -> ${root}`);
