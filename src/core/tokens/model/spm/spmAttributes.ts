import { utf8Length } from '../../charClasses';
import type { GgufVocab } from '../ggufVocab';
import { ATTR, loadTimeAttributes, type LoadExtras } from '../tokenAttributes';
import { SpmVocabError } from './spmErrors';

// What llama.cpp's llama_vocab::impl::load (src/llama-vocab.cpp) decides for a "llama" (SPM) vocabulary before it
// tokenizes anything: defaults for keys the GGUF omits, the token attributes every vocabulary type gets
// (tokenAttributes.ts), the special-token match order, and the per-model RSTRIP of phi-3.

/** The flags llama.cpp tokenizes with, after its defaults. */
export interface SpmSettings {
  addBos: boolean;
  addEos: boolean;
  /** True when the GGUF says so or omits the key (llama.cpp's SPM default). */
  addSpacePrefix: boolean;
  /** -1 when there is none. */
  bosId: number;
  eosId: number;
  /** True when `tokenizer.ggml.add_bos_token` is explicitly true: only then does Ollama strip a rendered "<bos>". */
  ollamaStripsBos: boolean;
}

/** Attributes, settings and the special-token match order of one vocabulary. */
export interface SpmLoad {
  attrs: Uint16Array;
  settings: SpmSettings;
  /** Ids matched before SentencePiece runs (CONTROL, USER_DEFINED or UNKNOWN), longest UTF-8 text first. */
  specials: Int32Array;
}

/**
 * Token attributes, flags and special-token order exactly as llama.cpp derives them at load time for a "llama"
 * vocabulary. `tokens` are the texts llama.cpp uses (empty ones already renamed `[EMPTY_<id>]`).
 */
export function loadSpmAttributes(vocab: GgufVocab, tokens: readonly string[], extras: LoadExtras = {}): SpmLoad {
  const size = tokens.length;
  const inRange = (id: number | undefined, fallback: number): number =>
    id !== undefined && id >= 0 && id < size ? id : fallback >= 0 && fallback < size ? fallback : -1;
  const bosId = inRange(vocab.bosTokenId, 1);
  const eosId = inRange(vocab.eosTokenId, 2);
  const settings: SpmSettings = {
    addBos: vocab.addBosToken ?? true,
    addEos: vocab.addEosToken ?? false,
    addSpacePrefix: vocab.addSpacePrefix ?? true,
    bosId,
    eosId,
    ollamaStripsBos: vocab.addBosToken === true,
  };
  if (settings.addBos && bosId < 0) {
    throw new SpmVocabError(
      `tokenizer.ggml.add_bos_token is true, but the BOS id (${vocab.bosTokenId ?? 'default 1'}) is not in the ${size}-token vocabulary.`,
    );
  }
  if (settings.addEos && eosId < 0) {
    throw new SpmVocabError(
      `tokenizer.ggml.add_eos_token is true, but the EOS id (${vocab.eosTokenId ?? 'default 2'}) is not in the ${size}-token vocabulary.`,
    );
  }

  const attrs = loadTimeAttributes(tokens, vocab.tokenType, eosId, extras);

  const special: number[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < size; i++) {
    if ((attrs[i] & (ATTR.control | ATTR.userDefined | ATTR.unknown)) !== 0) {
      special.push(i);
      bytes[i] = utf8Length(tokens[i]);
    }
  }
  // llama.cpp sorts by UTF-8 length with std::sort (unstable): equal lengths come in an unspecified order. Id order
  // is used; it only matters when two equally long special texts overlap in the input.
  special.sort((a, b) => bytes[b] - bytes[a] || a - b);

  const name = (extras.name ?? '').toLowerCase();
  if (name.includes('phi-3') || name.includes('phi3')) {
    for (const id of special) attrs[id] |= ATTR.rstrip;
    const rstrip = (text: string, on: boolean): void => {
      const id = tokens.indexOf(text);
      if (id >= 0) attrs[id] = on ? attrs[id] | ATTR.rstrip : attrs[id] & ~ATTR.rstrip;
    };
    rstrip('</s>', true);
    for (const text of ['<unk>', '<s>', '<|endoftext|>']) rstrip(text, false);
  }
  return { attrs, settings, specials: Int32Array.from(special) };
}
