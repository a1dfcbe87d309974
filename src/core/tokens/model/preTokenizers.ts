import { UnknownPreTokenizerError } from './modelTokenizerErrors';

// How llama.cpp (the tokenizer behind Ollama 0.30+, which hands the rendered prompt to llama-server) cuts text
// into pieces before byte-pair encoding, per `tokenizer.ggml.pre`. Sources, llama.cpp as vendored by Ollama
// (commit ec98e2002, the last vendored copy before Ollama switched to llama-server b10488):
//   src/llama-vocab.cpp  llama_vocab::impl::load      pre name -> pre type, ignore_merges, add_bos default
//   src/llama-vocab.cpp  llm_tokenizer_bpe ctor        the regexes per pre type, applied in sequence
//   src/unicode.cpp      unicode_regex_split           how each regex runs: every regex splits every piece the
//                        previous one produced, keeping the unmatched gaps as pieces. A regex that uses \p{..}
//                        runs on a "collapsed" text (each non-ASCII code point replaced by one byte for its
//                        category, non-ASCII whitespace by \v), the others run with std::wregex on the code
//                        points with non-ASCII whitespace replaced by \v. The GPT-2 and Llama 3 regexes run as
//                        hand-written code with the same results.
// Two consequences that differ from the Hugging Face tokenizers: the collapsed ASCII table leaves `~` out of \p{S}
// (k_ucat_map SYMBOL lists only $+<=>^`|), and literal character ranges in a std::wregex never match non-ASCII
// whitespace. The patterns below reproduce llama.cpp, quirks included.
//
// tiktoken runs ONE regex and drops what it does not match, so every sequence is folded into one pattern whose
// matches are exactly the final pieces: each class is cut down to what a later stage leaves together, and every
// "end of piece" that an earlier stage created becomes a class boundary in the lookaheads. The `llamaCpp` lists are
// kept next to each pattern as the source of truth: test/unit/tokens/model/preTokenizers.test.ts replays them the way
// unicode_regex_split does and checks the folded pattern against them on random text.
//
// Pattern dialect: valid for Rust's regex/fancy-regex (what tiktoken compiles) and, after `jsPattern` rewrites \s,
// for JavaScript with the `v` flag (used for the rare very long pieces, see longPieces.ts). Inside classes every
// syntax character is escaped and unions are bracketed before `--`/`&&`, which both engines accept.

/** How one family of pre-tokenizers splits text. */
export interface PreTokenizerSpec {
  /** Family name for logs, after llama.cpp's LLAMA_VOCAB_PRE_TYPE_*. */
  readonly family: string;
  /** The `tokenizer.ggml.pre` values llama.cpp maps to this family. */
  readonly names: readonly string[];
  /** The regexes llama.cpp applies in sequence (its own spelling, before the collapsed-text rewrite). */
  readonly llamaCpp: readonly string[];
  /** One pattern with the same pieces as the whole sequence (see the dialect note above). */
  readonly pattern: string;
  /** llama.cpp `ignore_merges`: a piece that is itself a token becomes that token without merging. */
  readonly ignoreMerges: boolean;
  /** llama.cpp's `add_bos` when the GGUF has no `tokenizer.ggml.add_bos_token`. */
  readonly addBosDefault: boolean;
  /**
   * A "\n" followed by a non-whitespace character always ends a piece, whatever follows (see
   * Tokenizer.splitsAfterNewline): false where a piece can run on past a newline (gpt-4o's `[\r\n/]*`).
   */
  readonly splitsAfterNewline: boolean;
  /** Character classes whose long runs can form one long piece (longPieces.ts uses it to stay linear). */
  readonly runClasses: RunClassScheme;
}

/** 'default': whitespace / letters+marks / numbers / the rest. 'letterPunct': letters / punctuation / numbers / the rest. */
export type RunClassScheme = 'default' | 'letterPunct';

// Contractions as llama.cpp spells them (ASCII case classes: unicode_tolower never maps a non-ASCII letter to these).
const CONTRACTIONS = String.raw`(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])`;
const GPT2 = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`;
const LLAMA3 = String.raw`${CONTRACTIONS}|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const QWEN2 = String.raw`${CONTRACTIONS}|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
// llama.cpp's gpt-4o/tekken regexes emulate \p{Lu}/\p{Ll} with `(?=[\p{L}])([^a-z])` on the collapsed text, where
// every non-ASCII letter is one byte: "upper" = letters but a-z, "lower" = letters but A-Z (\p{M} is dropped).
const UPPERISH = String.raw`[\p{L}--[a-z]]`;
const LOWERISH = String.raw`[\p{L}--[A-Z]]`;

// deepseek-v3: the kana/kanji ranges of its second regex, and S without `~` (collapsed-text quirk).
const DS3_CJK = String.raw`\u{3040}-\u{309F}\u{30A0}-\u{30FF}\u{4E00}-\u{9FA5}`;
const SYM = String.raw`[\p{S}--[~]]`;
const DS3_LM = String.raw`[[\p{L}\p{M}]--[${DS3_CJK}]]`;

// deepseek-llm / deepseek-coder: the CJK-and-more ranges of `[一-龥ࠀ-一가-퟿]+`, minus whitespace (std::wregex sees
// non-ASCII whitespace as \v, so U+2000..U+200A, U+2028, U+3000 ... never match these ranges).
const R4 = String.raw`[[\u{800}-\u{9FA5}\u{AC00}-\u{D7FF}]--\s]`;
// deepseek-llm's explicit letter class (its second regex), ASCII and fullwidth letters, and its punctuation class.
const DSL_LAT = String.raw`[A-Za-z\u{B5}\u{C0}-\u{D6}\u{D8}-\u{F6}\u{F8}-\u{1BA}\u{1BC}-\u{1BF}\u{1C4}-\u{293}\u{295}-\u{2AF}\u{370}-\u{373}\u{376}\u{377}\u{37B}-\u{37D}\u{37F}\u{386}\u{388}-\u{38A}\u{38C}\u{38E}-\u{3A1}\u{3A3}-\u{3F5}\u{3F7}-\u{481}\u{48A}-\u{52F}\u{531}-\u{556}\u{10A0}-\u{10C5}\u{13A0}-\u{13F5}\u{13F8}-\u{13FD}\u{1C90}-\u{1CBA}\u{1CBD}-\u{1CBF}\u{1D00}-\u{1D2B}\u{1D6B}-\u{1D77}\u{1D79}-\u{1D9A}\u{1E00}-\u{1F15}\u{1F18}-\u{1F1D}\u{1F20}-\u{1F45}\u{1F48}-\u{1F4D}\u{1F50}-\u{1F57}\u{1F59}\u{1F5B}\u{1F5D}\u{1F5F}-\u{1F7D}\u{1F80}-\u{1FB4}\u{1FB6}-\u{1FBC}\u{1FBE}\u{1FC2}-\u{1FC4}\u{1FC6}-\u{1FCC}\u{1FD0}-\u{1FD3}\u{1FD6}-\u{1FDB}\u{1FE0}-\u{1FEC}\u{1FF2}-\u{1FF4}\u{1FF6}-\u{1FFC}\u{2102}\u{2107}\u{210A}-\u{2113}\u{2115}\u{2119}-\u{211D}\u{2124}\u{2126}\u{2128}\u{212A}-\u{212D}\u{212F}-\u{2134}\u{2139}\u{213C}-\u{213F}\u{2145}-\u{2149}\u{214E}\u{2183}\u{2184}\u{2C00}-\u{2C7B}\u{2C7E}-\u{2CE4}\u{2CEB}-\u{2CEE}\u{2CF2}\u{2CF3}\u{A640}-\u{A66D}\u{A680}-\u{A69B}\u{A722}-\u{A76F}\u{A771}-\u{A787}\u{A78B}-\u{A78E}\u{AB70}-\u{ABBF}\u{FB00}-\u{FB06}\u{FB13}-\u{FB17}\u{FF21}-\u{FF3A}\u{FF41}-\u{FF5A}\u{10400}-\u{1044F}\u{104B0}-\u{104D3}\u{104D8}-\u{104FB}\u{10C80}-\u{10CB2}\u{10CC0}-\u{10CF2}\u{118A0}-\u{118DF}\u{1E900}-\u{1E943}]`;
const DSL_ASCII = String.raw`[A-Za-z\u{FF21}-\u{FF3A}\u{FF41}-\u{FF5A}]`;
// Its range U+3000-U+3002 loses U+3000 (whitespace, so \v for std::wregex).
const DSL_PUN = String.raw`[!-\/:-~\u{FF01}-\u{FF0F}\u{FF1A}-\u{FF5E}\u{2018}-\u{201F}\u{3001}-\u{3002}]`;
const DSL_LAT_PUN = String.raw`[${DSL_LAT}${DSL_PUN}]`;
const HSPACE = String.raw`[\s--[\r\n]]`;
// default: the first regex's class.
const DEF_F = String.raw`[\p{P}$+<=>^~\|]`;

const SPECS: readonly PreTokenizerSpec[] = [
  {
    // Llama 3.x and everything converted with its tokenizer.json Split regex; llama.cpp runs it as custom code
    // (unicode_regex_split_custom_llama3) and sets ignore_merges and add_bos.
    family: 'llama3',
    names: ['llama3', 'llama-v3', 'llama-bpe', 'falcon3', 'falcon-h1', 'pixtral', 'midm-2.0', 'lfm2'],
    llamaCpp: [LLAMA3],
    pattern: LLAMA3,
    ignoreMerges: true,
    addBosDefault: true,
    splitsAfterNewline: true,
    runClasses: 'default',
  },
  {
    // Same regex as Llama 3 (also run by the custom Llama 3 code), without ignore_merges or add_bos.
    family: 'dbrx',
    names: ['dbrx', 'smaug-bpe', 'glm4', 'chatglm-bpe'],
    llamaCpp: [LLAMA3],
    pattern: LLAMA3,
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'default',
  },
  {
    // Qwen 2/2.5/3 (and Qwen2.5-Coder), DeepSeek-R1 distills of Qwen, StableLM 2, Hunyuan, Grok 2: Llama 3's regex
    // with single digits. Runs on the collapsed text (std::regex), which matches the Unicode-category reading.
    family: 'qwen2',
    names: ['qwen2', 'deepseek-r1-qwen', 'kormo', 'f2llmv2', 'megrez', 'stablelm2', 'hunyuan', 'grok-2'],
    llamaCpp: [QWEN2],
    pattern: QWEN2,
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'default',
  },
  {
    // Qwen 3.5: combining marks join letters (newer llama.cpp, LLAMA_VOCAB_PRE_TYPE_QWEN35).
    family: 'qwen35',
    names: ['qwen35'],
    llamaCpp: [String.raw`${CONTRACTIONS}|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`],
    pattern: String.raw`${CONTRACTIONS}|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'default',
  },
  {
    // DeepSeek V3/R1 and Hunyuan dense: digits in threes, kana/kanji runs, then the main regex. The kana/kanji runs
    // are split again by the main regex (they hold marks, punctuation and unassigned code points), hence the four
    // alternatives after the digits.
    family: 'deepseek3',
    names: ['deepseek-v3', 'hunyuan-dense'],
    llamaCpp: [
      String.raw`\p{N}{1,3}`,
      '[一-龥぀-ゟ゠-ヿ]+',
      String.raw`[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_${'`'}{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    ],
    pattern: [
      String.raw`\p{N}{1,3}`,
      String.raw`[[${DS3_CJK}]&&[^\p{L}\p{P}\p{S}]]?[[${DS3_CJK}]&&[\p{L}\p{M}]]+`,
      String.raw`[[${DS3_CJK}]&&[\p{P}\p{S}]]+`,
      String.raw`(?:[[${DS3_CJK}]&&[^\p{L}\p{M}\p{P}\p{S}]](?![[${DS3_CJK}]&&[\p{L}\p{M}]]))+`,
      String.raw`[!"#$%&'\(\)*+,\-.\/:;<=>?@\[\\\]^_${'`'}\{\|\}~][A-Za-z]+`,
      String.raw`[^\r\n\p{L}\p{P}${SYM}\p{N}${DS3_CJK}]?${DS3_LM}+`,
      String.raw` ?[[\p{P}${SYM}]--[${DS3_CJK}]]+[\r\n]*`,
      String.raw`\s*[\r\n]+`,
      String.raw`\s+(?![^\s\p{N}${DS3_CJK}])`,
      String.raw`\s+`,
      String.raw`(?:[[^\p{L}\p{M}\p{P}\p{S}\p{N}\s${DS3_CJK}]~](?!${DS3_LM}))+`,
    ].join('|'),
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'default',
  },
  {
    // DeepSeek Coder (v1): newlines alone, letters with one leading space, punctuation with one leading space,
    // CJK-and-more runs, single digits.
    family: 'deepseek-coder',
    names: ['deepseek-coder'],
    llamaCpp: ['[\r\n]', String.raw`\s?\p{L}+`, String.raw`\s?\p{P}+`, '[一-龥ࠀ-一가-퟿]+', String.raw`\p{N}`],
    pattern: [
      String.raw`[\r\n]`,
      String.raw`\s?[\p{L}--${R4}]+`,
      String.raw`\s(?=[\p{L}&&${R4}])`,
      String.raw`[\p{L}&&${R4}]+`,
      String.raw`\s?[\p{P}--${R4}]+`,
      String.raw`\s(?=[\p{P}&&${R4}])`,
      String.raw`[\p{P}&&${R4}]+`,
      String.raw`\p{N}`,
      String.raw`[${R4}--[\p{L}\p{P}\p{N}]]+`,
      String.raw`(?:(?!\s[\p{L}\p{P}])[[^\p{L}\p{P}\p{N}\r\n]--${R4}])+`,
    ].join('|'),
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'letterPunct',
  },
  {
    // DeepSeek LLM and DeepSeek V2 / Coder V2: explicit letter and punctuation classes, trailing whitespace of a
    // piece alone (`\s+$`), CJK-and-more runs, digit runs.
    family: 'deepseek-llm',
    names: ['deepseek-llm'],
    llamaCpp: [
      '[\r\n]',
      String.raw`\s?${DSL_LAT}+`,
      String.raw`\s?[!-/:-~！-／：-～‘-‟\u{3000}-。]+`,
      String.raw`\s+$`,
      '[一-龥ࠀ-一가-퟿]+',
      String.raw`\p{N}+`,
    ],
    pattern: [
      String.raw`[\r\n]`,
      String.raw`\s?${DSL_ASCII}+`,
      String.raw`\s?[${DSL_LAT}--[${DSL_ASCII}${R4}]]+`,
      String.raw`\s(?=[${DSL_LAT}&&${R4}])`,
      String.raw`[${DSL_LAT}&&${R4}]+`,
      String.raw`\s?[${DSL_PUN}--[${DSL_LAT}${R4}]]+`,
      String.raw`\s(?=[${DSL_PUN}&&${R4}])`,
      String.raw`[${DSL_PUN}&&${R4}]+`,
      String.raw`${HSPACE}+(?=[\r\n]|$|\s${DSL_LAT_PUN})`,
      String.raw`[\p{N}--${R4}]+`,
      String.raw`[\p{N}&&${R4}]+`,
      String.raw`[${R4}--[${DSL_LAT}${DSL_PUN}\p{N}]]+`,
      String.raw`(?:(?!${HSPACE}+(?:[\r\n]|$|${DSL_LAT_PUN}))[[^\p{N}\r\n]--[${DSL_LAT}${DSL_PUN}${R4}]])+`,
    ].join('|'),
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'letterPunct',
  },
  {
    // GPT-2's own regex (custom code in llama.cpp, which also takes a lone whitespace run: the trailing `\s+`).
    family: 'gpt2',
    names: [
      'gpt-2',
      'phi-2',
      'jina-es',
      'jina-de',
      'gigachat',
      'jina-v2-es',
      'jina-v2-de',
      'a.x-4.0',
      'mellum',
      'mpt',
      'olmo',
      'jais',
      'trillion',
      'granite-docling',
      'exaone4',
      'jina-v1-en',
      'jina-v2-code',
      'roberta-bpe',
    ],
    llamaCpp: [GPT2],
    pattern: `${GPT2}|\\s+`,
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'default',
  },
  {
    // StarCoder 2, SmolLM, Granite Code ("refact"), Command R, CodeShell, EXAONE 3: single digits, then GPT-2.
    family: 'starcoder',
    names: ['starcoder', 'refact', 'command-r', 'smollm', 'codeshell', 'exaone', 'minerva-7b'],
    llamaCpp: [String.raw`\p{N}`, GPT2],
    pattern: String.raw`\p{N}|'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?[^\s\p{L}\p{N}]+|\s+(?![^\s\p{N}])|\s+`,
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'default',
  },
  {
    // o200k (gpt-4o, gpt-oss, Llama 4, MiniMax M2) as llama.cpp adapts it (see UPPERISH above).
    family: 'gpt4o',
    names: ['gpt-4o', 'llama4', 'minimax-m2'],
    llamaCpp: [
      String.raw`[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+${CONTRACTIONS}?|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*${CONTRACTIONS}?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    ],
    pattern: String.raw`[^\r\n\p{L}\p{N}]?${UPPERISH}*${LOWERISH}+${CONTRACTIONS}?|[^\r\n\p{L}\p{N}]?${UPPERISH}+${LOWERISH}*${CONTRACTIONS}?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n\/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: false,
    runClasses: 'default',
  },
  {
    // Mistral Nemo and later Mistral models ("tekken"), with ignore_merges and add_bos.
    family: 'tekken',
    names: ['tekken'],
    llamaCpp: [
      String.raw`[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    ],
    pattern: String.raw`[^\r\n\p{L}\p{N}]?${UPPERISH}*${LOWERISH}+|[^\r\n\p{L}\p{N}]?${UPPERISH}+${LOWERISH}*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n\/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    ignoreMerges: true,
    addBosDefault: true,
    splitsAfterNewline: false,
    runClasses: 'default',
  },
  {
    // Seed-Coder: punctuation never takes newlines.
    family: 'seed-coder',
    names: ['seed-coder'],
    llamaCpp: [String.raw`${CONTRACTIONS}|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+`],
    pattern: String.raw`${CONTRACTIONS}|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+`,
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'default',
  },
  {
    // Ling / Bailing MoE: one newline per piece.
    family: 'bailingmoe',
    names: ['bailingmoe', 'bailingmoe2', 'llada-moe'],
    llamaCpp: [String.raw`'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+`],
    pattern: String.raw`'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+`,
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'default',
  },
  {
    // What llama.cpp uses when the GGUF has no pre name (and what Ollama's own converter writes, "default", for a
    // tokenizer.json without a Split pre-tokenizer): punctuation runs, GPT-2 (whose contractions can no longer
    // match: the apostrophe is already alone), digit runs without their space, ASCII digits in threes.
    family: 'default',
    names: ['default', ''],
    llamaCpp: [String.raw`[\p{P}\$\+<=>\^~\|]+`, GPT2, String.raw`\p{N}+`, '[0-9][0-9][0-9]'],
    pattern: [
      `${DEF_F}+`,
      String.raw` ?\p{L}+`,
      String.raw` (?=\p{N})`,
      '[0-9]{3}',
      String.raw`(?:(?![0-9]{3})\p{N})+`,
      String.raw` ?[^\s\p{L}\p{N}\p{P}$+<=>^~\|]+`,
      String.raw`\s+(?![^\s\p{P}$+<=>^~\|])`,
      String.raw`\s+`,
    ].join('|'),
    ignoreMerges: false,
    addBosDefault: false,
    splitsAfterNewline: true,
    runClasses: 'default',
  },
];

const BY_NAME = new Map<string, PreTokenizerSpec>();
for (const spec of SPECS) for (const name of spec.names) BY_NAME.set(name, spec);

/** Every `tokenizer.ggml.pre` value with an exact pattern. */
export const SUPPORTED_PRE_TOKENIZERS: readonly string[] = SPECS.flatMap((s) => s.names.filter((n) => n !== ''));

/** All pre-tokenizer families (for tests and docs). */
export const PRE_TOKENIZER_SPECS: readonly PreTokenizerSpec[] = SPECS;

/**
 * The pre-tokenizer for a `tokenizer.ggml.pre` value. A missing value means llama.cpp's "default" (as llama.cpp
 * does); a name it does not know throws UnknownPreTokenizerError, because a newer llama.cpp may split it differently.
 */
export function resolvePreTokenizer(pre: string | undefined): PreTokenizerSpec {
  const spec = BY_NAME.get(pre ?? '');
  if (!spec) throw new UnknownPreTokenizerError(pre, SUPPORTED_PRE_TOKENIZERS);
  return spec;
}

// Unicode White_Space (what Rust's and llama.cpp's \s mean); JavaScript's \s adds U+FEFF and drops U+0085.
const WHITE_SPACE = String.raw`\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000`;

/** The dialect pattern as a JavaScript `v`-flag source: \s and \S become Unicode White_Space classes. */
export function jsPattern(pattern: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === 's') out += `[${WHITE_SPACE}]`;
      else if (next === 'S') {
        if (depth > 0) throw new Error('\\S inside a class is outside the pattern dialect');
        out += `[^${WHITE_SPACE}]`;
      } else out += c + next;
      i++;
      continue;
    }
    if (c === '[') depth++;
    else if (c === ']') depth--;
    out += c;
  }
  return out;
}
