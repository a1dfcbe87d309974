import { createHash } from 'node:crypto';
import { GGUF_TOKEN_TYPE } from '../../../src/core/tokens/model/ggufVocab';

// What llama.cpp's convert_hf_to_gguf.py writes into a GGUF for a byte-level BPE model (TextModel._set_vocab_gpt2:
// get_vocab_base + get_vocab_base_pre + gguf.SpecialVocab(load_merges=True)), as the `tokenizer.ggml.*` keys Ollama
// returns in `/api/show` verbose `model_info`. Only what the converter derives from tokenizer.json,
// tokenizer_config.json and config.json is reproduced; the tensors and the chat template are not.

/** The parts of a Hugging Face tokenizer.json the converter reads. */
export interface TokenizerJson {
  model: { type: string; vocab: Record<string, number>; merges: (string | [string, string])[] };
  added_tokens: { id: number; content: string; special: boolean; normalized: boolean }[];
  pre_tokenizer?: unknown;
  post_processor?: { type?: string; single?: { SpecialToken?: { id: string } }[] } | null;
}

/** The parts of tokenizer_config.json the converter reads (SpecialVocab._try_load_from_tokenizer_json). */
export interface TokenizerConfigJson {
  bos_token?: string | { content: string } | null;
  eos_token?: string | { content: string } | null;
  add_bos_token?: boolean;
  add_eos_token?: boolean;
  [key: string]: unknown;
}

/** The parts of config.json the converter reads: `vocab_size` (padding) and the id fallbacks. */
export interface ModelConfigJson {
  vocab_size?: number;
  bos_token_id?: number;
  eos_token_id?: number;
}

export interface ConversionOptions {
  config?: ModelConfigJson;
  /** `general.architecture` to write (the converter takes it from the model class). */
  architecture?: string;
  /**
   * The `tokenizer.ggml.pre` to write: what detectPreTokenizer found, or the value real GGUFs of the model carry
   * when the tokenizer.json at hand differs from the one the checksum table was made from.
   */
  pre: string;
}

// convert_hf_to_gguf.py get_vocab_base_pre: the text whose token ids identify the pre-tokenizer.
export const CHECKSUM_TEXT =
  '\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n🚀 (normal) 😶\u200d🌫️ (multiple emojis concatenated) ✅ 🦙🦙 3 33 333 ' +
  '3333 33333 333333 3333333 33333333 3.3 3..3 3...3 កាន់តែពិសេសអាច😁 ?我想在apple工作1314151天～ ------======= нещо на ' +
  "Български ''''''```````\"\"\"\"......!!!!!!?????? I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, " +
  "'D you like some tea? We'Ve a'lL";

// A few rows of get_vocab_base_pre's table (the models with vocabularies in node_modules, and their siblings).
const CHECKSUMS: Record<string, string> = {
  '0ef9807a4087ebef797fc749390439009c3b9eda9ad1a097abbe738f486c01e5': 'llama-bpe', // meta-llama/Meta-Llama-3-8B
  c136ed14d01c2745d4f60a9596ae66800e2b61fa45643e72436041855ad4089d: 'smaug-bpe', // abacusai/Smaug-Llama-3-70B-Instruct
  e636dc30a262dcc0d8c323492e32ae2b70728f4df7dfe9737d9f920a282b8aea: 'qwen2', // Qwen/Qwen1.5-7B
  d4540891389ea895b53b399da6ac824becc30f2fba0e9ddbb98f92e55ca0e97c: 'qwen2', // Qwen/Qwen3-Embedding-0.6B
  '877081d19cf6996e2c4ff0e1236341e9b7bde288f5311a56a937f0afbbb3aeb5': 'deepseek-v3', // deepseek-ai/DeepSeek-V3
  b3f499bb4255f8ca19fccd664443283318f2fd2414d5e0b040fbdd0cc195d6c5: 'deepseek-r1-qwen',
  ccc2ef013c104be7bae2965776d611e1d7a8a2a9c547dd93a682c9a9fc80352e: 'gpt-4o', // Xenova/gpt-4o
};

/** The converter's does_token_look_special: added tokens that ought to be control tokens even when not "special". */
function looksSpecial(text: string): boolean {
  return (
    ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(text) ||
    (text.startsWith('<|') && text.endsWith('|>')) ||
    (text.startsWith('<｜') && text.endsWith('｜>')) ||
    (text.startsWith('<unused') && text.endsWith('>'))
  );
}

function specialContent(entry: TokenizerConfigJson['bos_token']): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object' && typeof entry.content === 'string') return entry.content;
  return undefined;
}

/**
 * get_vocab_base_pre: the pre-tokenizer name for the sha256 of `tokenizer.encode(chktxt)` (Hugging Face's ids,
 * special tokens added), or undefined when the hash is not in the table.
 */
export function detectPreTokenizer(encode: (text: string) => number[]): { checksum: string; pre: string | undefined } {
  // Python's str() of a list of ints.
  const checksum = createHash('sha256')
    .update(`[${encode(CHECKSUM_TEXT).join(', ')}]`)
    .digest('hex');
  return { checksum, pre: CHECKSUMS[checksum] };
}

/**
 * Converts a tokenizer.json (+ tokenizer_config.json, config.json) into the GGUF tokenizer keys, as `model_info`
 * of `/api/show` verbose (the tokenizer keys plus general.architecture).
 */
export function ggufFromTokenizerJson(tokenizer: TokenizerJson, tokenizerConfig: TokenizerConfigJson, options: ConversionOptions): Record<string, unknown> {
  if (tokenizer.model.type !== 'BPE') throw new Error(`not a BPE tokenizer.json (model.type ${tokenizer.model.type})`);
  // tokenizer.vocab in transformers: the model vocabulary plus the added tokens.
  const reverse = new Map<number, string>();
  for (const [text, id] of Object.entries(tokenizer.model.vocab)) reverse.set(id, text);
  const added = new Map<number, TokenizerJson['added_tokens'][number]>();
  for (const token of tokenizer.added_tokens) {
    reverse.set(token.id, token.content);
    added.set(token.id, token);
  }
  const vocabSize = options.config?.vocab_size ?? reverse.size;
  let maxId = -1;
  for (const id of reverse.keys()) maxId = Math.max(maxId, id);
  if (maxId >= vocabSize) throw new Error(`token id ${maxId} is outside vocab_size ${vocabSize}`);

  const tokens: string[] = [];
  const types: number[] = [];
  for (let i = 0; i < vocabSize; i++) {
    const text = reverse.get(i);
    if (text === undefined) {
      // get_vocab_base fills holes (config vocab_size larger than the tokenizer) with unused placeholders.
      tokens.push(`[PAD${i}]`);
      types.push(GGUF_TOKEN_TYPE.unused);
      continue;
    }
    const addedToken = added.get(i);
    if (addedToken) {
      // The converter re-encodes non-normalized added tokens (decode(encode(t))): the identity for these
      // vocabularies' tokens, so the text is kept; user-defined ones get "▁" turned into spaces (for Gemma).
      if (addedToken.special || looksSpecial(text)) {
        tokens.push(text);
        types.push(GGUF_TOKEN_TYPE.control);
      } else {
        tokens.push(text.replaceAll('▁', ' '));
        types.push(GGUF_TOKEN_TYPE.userDefined);
      }
    } else {
      tokens.push(text);
      types.push(GGUF_TOKEN_TYPE.normal);
    }
  }

  // SpecialVocab: merges as "a b" strings; pairs (tokenizers >= 0.20) are joined, spaces inside written as U+0120.
  const merges = tokenizer.model.merges.map((m) => (typeof m === 'string' ? m : m.map((part) => part.replaceAll(' ', '\u0120')).join(' ')));

  const modelInfo: Record<string, unknown> = {
    'general.architecture': options.architecture ?? 'llama',
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.token_type': types,
    'tokenizer.ggml.merges': merges,
  };

  // Special token ids: the tokenizer_config entry's content looked up in added_tokens, then config.json's ids.
  const idOfAdded = (content: string | undefined): number | undefined =>
    content === undefined ? undefined : tokenizer.added_tokens.find((t) => t.content === content)?.id;
  const bos = idOfAdded(specialContent(tokenizerConfig.bos_token)) ?? options.config?.bos_token_id;
  const eos = idOfAdded(specialContent(tokenizerConfig.eos_token)) ?? options.config?.eos_token_id;
  if (bos !== undefined) modelInfo['tokenizer.ggml.bos_token_id'] = bos;
  if (eos !== undefined) modelInfo['tokenizer.ggml.eos_token_id'] = eos;
  const postProcessor = tokenizer.post_processor;
  const template = postProcessor?.type === 'TemplateProcessing' ? (postProcessor.single ?? []) : [];
  // A TemplateProcessing that starts with a special token means add_bos (the converter's "crude parsing").
  if (template.length > 1 && template[0].SpecialToken) modelInfo['tokenizer.ggml.add_bos_token'] = true;
  if (typeof tokenizerConfig.add_bos_token === 'boolean') modelInfo['tokenizer.ggml.add_bos_token'] = tokenizerConfig.add_bos_token;
  if (typeof tokenizerConfig.add_eos_token === 'boolean') modelInfo['tokenizer.ggml.add_eos_token'] = tokenizerConfig.add_eos_token;

  modelInfo['tokenizer.ggml.pre'] = options.pre;
  return modelInfo;
}

/** Whether Hugging Face's `encode(text)` (add_special_tokens) puts the BOS first for this tokenizer. */
export function huggingFaceAddsBos(tokenizer: TokenizerJson, tokenizerConfig: TokenizerConfigJson): boolean {
  const pp = tokenizer.post_processor;
  if (pp?.type === 'TemplateProcessing' && (pp.single?.length ?? 0) > 1 && pp.single?.[0].SpecialToken) return true;
  // LlamaTokenizerFast rebuilds its post-processor from add_bos_token.
  return tokenizerConfig.tokenizer_class === 'LlamaTokenizerFast' && tokenizerConfig.add_bos_token === true;
}
