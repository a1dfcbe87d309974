import type { GgufVocab } from '../ggufVocab';
import { SpmVocabError } from './spmErrors';
import { ATTR } from './spmVocabTable';

// What llama.cpp's llama_vocab::impl::load (src/llama-vocab.cpp) decides for a "llama" (SPM) vocabulary before it
// tokenizes anything: defaults for keys the GGUF omits, token attributes from token_type, and the load-time
// attribute fixes it applies by token text (end-of-generation tokens become CONTROL, and so on). Those fixes change
// which strings a prompt's special-token pass matches, so they are reproduced here. The text lists follow the
// llama.cpp source read for this port (Ollama 0.33 builds llama.cpp b10488); newer llama.cpp may add names.

/** GGUF keys llama.cpp reads that GgufVocab does not carry (read from `model_info` by readSpmExtras). */
export interface SpmExtras {
  /** `general.name`: llama.cpp gives every special token of a model named "phi-3"/"phi3" RSTRIP. */
  name?: string;
  /** `tokenizer.ggml.<kind>_token_id` for eot, eom, fim_pre, fim_suf, fim_mid, fim_pad, fim_rep, fim_sep. */
  specialIds?: Partial<Record<SpecialKind, number>>;
}

export type SpecialKind = 'eot' | 'eom' | 'fim_pre' | 'fim_suf' | 'fim_mid' | 'fim_pad' | 'fim_rep' | 'fim_sep';

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

const KEY_OF_KIND: Record<SpecialKind, string[]> = {
  eot: ['eot_token_id'],
  eom: ['eom_token_id'],
  fim_pre: ['fim_pre_token_id', 'prefix_token_id'],
  fim_suf: ['fim_suf_token_id', 'suffix_token_id'],
  fim_mid: ['fim_mid_token_id', 'middle_token_id'],
  fim_pad: ['fim_pad_token_id'],
  fim_rep: ['fim_rep_token_id'],
  fim_sep: ['fim_sep_token_id'],
};

// llama.cpp looks these texts up when the GGUF does not name the token, and makes the token CONTROL.
const AUTO_DETECT: Record<SpecialKind, readonly string[]> = {
  eot: [
    '<|eot_id|>',
    '<|im_end|>',
    '<|end|>',
    '<end_of_turn>',
    '<|endoftext|>',
    '<|end_of_text|>',
    '<EOT>',
    '_<EOT>',
    '[EOT]',
    '<｜end▁of▁sentence｜>',
    '<end_of_utterance>',
  ],
  eom: ['<|eom_id|>'],
  fim_pre: ['<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<｜fim▁begin｜>', '<PRE>', '▁<PRE>', '<|code_prefix|>', '<|prefix|>'],
  fim_suf: ['<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<｜fim▁hole｜>', '<SUF>', '▁<SUF>', '<|code_suffix|>', '<|suffix|>'],
  fim_mid: ['<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<｜fim▁end｜>', '<MID>', '▁<MID>', '<|code_middle|>', '<|middle|>'],
  fim_pad: ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>', '[PAD]'],
  fim_rep: ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>'],
  fim_sep: ['<|file_sep|>'],
};

// Every token with one of these texts is an end-of-generation token, and llama.cpp makes it CONTROL.
const EOG_TEXTS = new Set([
  '<|eot_id|>',
  '<|im_end|>',
  '<|end|>',
  '<|return|>',
  '<|call|>',
  '<|flush|>',
  '<|calls|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '</s>',
  '<|eom_id|>',
  '<EOT>',
  '_<EOT>',
  '[EOT]',
  '[EOS]',
  '<|end_of_text|>',
  '<end_of_utterance>',
  '<eos>',
  '<turn|>',
  '<|tool_response>',
  '<｜end▁of▁sentence｜>',
  '[e~[',
]);

// gpt-oss: llama.cpp always renders these, by making them USER_DEFINED whatever their type.
const ALWAYS_USER_DEFINED = new Set(['<|channel|>', '<|message|>', '<|start|>', '<|constrain|>']);

/** Reads the extra GGUF keys of SpmExtras from an `/api/show` verbose `model_info`. */
export function readSpmExtras(modelInfo: Record<string, unknown> | undefined): SpmExtras {
  if (!modelInfo) return {};
  const name = modelInfo['general.name'];
  const specialIds: Partial<Record<SpecialKind, number>> = {};
  for (const kind of Object.keys(KEY_OF_KIND) as SpecialKind[]) {
    for (const key of KEY_OF_KIND[kind]) {
      const v = modelInfo[`tokenizer.ggml.${key}`];
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) {
        specialIds[kind] = v;
        break;
      }
    }
  }
  return { name: typeof name === 'string' ? name : undefined, specialIds };
}

/** Maps a GGUF token_type to llama.cpp's attribute bits (missing types are NORMAL, unknown values UNDEFINED). */
function attrOfType(type: number | undefined): number {
  switch (type) {
    case undefined:
    case 1:
      return ATTR.normal;
    case 2:
      return ATTR.unknown;
    case 3:
      return ATTR.control;
    case 4:
      return ATTR.userDefined;
    case 5:
      return ATTR.unused;
    case 6:
      return ATTR.byte;
    default:
      return 0;
  }
}

/**
 * Token attributes, flags and special-token order exactly as llama.cpp derives them at load time for a "llama"
 * vocabulary. `tokens` are the texts llama.cpp uses (empty ones already renamed `[EMPTY_<id>]`).
 */
export function loadSpmAttributes(vocab: GgufVocab, tokens: readonly string[], extras: SpmExtras = {}): SpmLoad {
  const size = tokens.length;
  const types = vocab.tokenType;
  const attrs = new Uint16Array(size);
  for (let i = 0; i < size; i++) attrs[i] = attrOfType(types?.[i]);

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

  const ids: Partial<Record<SpecialKind, number>> = {};
  for (const kind of Object.keys(AUTO_DETECT) as SpecialKind[]) {
    const given = extras.specialIds?.[kind];
    if (given !== undefined && given < size) ids[kind] = given;
  }
  // llama.cpp walks an unordered_map, so when two texts of one list are both in the vocabulary the winner is
  // unspecified; id order is used here (no vocabulary seen so far has two).
  const textIndex = new Map<string, number>();
  const wanted = new Set<string>([...Object.values(AUTO_DETECT).flat(), ...EOG_TEXTS, ...ALWAYS_USER_DEFINED]);
  for (let i = 0; i < size; i++) if (wanted.has(tokens[i]) && !textIndex.has(tokens[i])) textIndex.set(tokens[i], i);
  for (const kind of Object.keys(AUTO_DETECT) as SpecialKind[]) {
    if (ids[kind] !== undefined) continue;
    let found = -1;
    for (const text of AUTO_DETECT[kind]) {
      const id = textIndex.get(text);
      if (id !== undefined && (found < 0 || id < found)) found = id;
    }
    if (found >= 0) {
      ids[kind] = found;
      attrs[found] |= ATTR.control;
    }
  }
  for (let i = 0; i < size; i++) {
    if ((attrs[i] & ATTR.control) !== 0 && tokens[i].includes('unused')) attrs[i] |= ATTR.unused;
  }
  const eog = new Set<number>();
  for (const kind of ['fim_pad', 'fim_rep', 'fim_sep'] as const) if (ids[kind] !== undefined) eog.add(ids[kind]);
  for (const text of EOG_TEXTS) {
    const id = textIndex.get(text);
    if (id === undefined) continue;
    eog.add(id);
    attrs[id] |= ATTR.control;
  }
  for (const text of ALWAYS_USER_DEFINED) {
    const id = textIndex.get(text);
    if (id !== undefined) attrs[id] = ATTR.userDefined;
  }
  for (const id of [eosId, ids.eot, ids.eom]) if (id !== undefined && id >= 0) eog.add(id);
  const eogHas = (text: string): number => {
    const id = textIndex.get(text);
    return id !== undefined && eog.has(id) ? id : -1;
  };
  const end = eogHas('<|end|>');
  const hasCall = eogHas('<|call|>') >= 0 || eogHas('<|calls|>') >= 0;
  if (end >= 0 && hasCall && (eogHas('<|return|>') >= 0 || eogHas('<|flush|>') >= 0)) attrs[end] = ATTR.userDefined;
  const closeS = eogHas('</s>');
  if (closeS >= 0 && eogHas('<|tool_response>') >= 0) attrs[closeS] = ATTR.normal;

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

/** UTF-8 length of a well-formed string (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x80) n += 1;
    else if (u < 0x800) n += 2;
    else if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
