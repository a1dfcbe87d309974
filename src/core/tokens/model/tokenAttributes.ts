// What llama.cpp's llama_vocab::impl::load (src/llama-vocab.cpp) decides about token attributes before it tokenizes
// anything, for every vocabulary type alike (byte-level BPE and SentencePiece): attributes from token_type, then the
// fixes it applies by token text (the EOT/EOM/FIM tokens it detects and the end-of-generation tokens become CONTROL,
// gpt-oss's channel tokens USER_DEFINED, and so on). Those fixes decide which strings a prompt's special-token pass
// matches, so both exact tokenizers take them from here. The text lists follow the llama.cpp source read for this
// port (Ollama 0.33 builds llama.cpp b10488); newer llama.cpp may add names.

/** llama.cpp's llama_token_attr bits. */
export const ATTR = {
  unknown: 1 << 0,
  unused: 1 << 1,
  normal: 1 << 2,
  control: 1 << 3,
  userDefined: 1 << 4,
  byte: 1 << 5,
  lstrip: 1 << 7,
  rstrip: 1 << 8,
} as const;

export type SpecialKind = 'eot' | 'eom' | 'fim_pre' | 'fim_suf' | 'fim_mid' | 'fim_pad' | 'fim_rep' | 'fim_sep';

/** GGUF keys llama.cpp reads at load time that GgufVocab does not carry (read from `model_info` by readLoadExtras). */
export interface LoadExtras {
  /** `general.name`: llama.cpp gives every special token of a model named "phi-3"/"phi3" RSTRIP. */
  name?: string;
  /** `tokenizer.ggml.<kind>_token_id` for eot, eom, fim_pre, fim_suf, fim_mid, fim_pad, fim_rep, fim_sep. */
  specialIds?: Partial<Record<SpecialKind, number>>;
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

const WANTED = new Set<string>([...Object.values(AUTO_DETECT).flat(), ...EOG_TEXTS, ...ALWAYS_USER_DEFINED]);
// First UTF-16 units of the wanted texts: most of a vocabulary is skipped without a set lookup.
const WANTED_FIRST = new Set([...WANTED].map((t) => t.charCodeAt(0)));

/** Reads the extra GGUF keys of LoadExtras from an `/api/show` verbose `model_info`. */
export function readLoadExtras(modelInfo: Record<string, unknown> | undefined): LoadExtras {
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
 * Token attributes as llama.cpp derives them at load time, before its per-model (phi-3) fixes. `tokens` are the
 * texts llama.cpp compares; `eosId` is the EOS in effect (-1: none).
 */
export function loadTimeAttributes(tokens: readonly string[], tokenType: readonly number[] | undefined, eosId: number, extras: LoadExtras = {}): Uint16Array {
  const size = tokens.length;
  const attrs = new Uint16Array(size);
  for (let i = 0; i < size; i++) attrs[i] = attrOfType(tokenType?.[i]);

  const ids: Partial<Record<SpecialKind, number>> = {};
  for (const kind of Object.keys(AUTO_DETECT) as SpecialKind[]) {
    const given = extras.specialIds?.[kind];
    if (given !== undefined && given < size) ids[kind] = given;
  }
  // llama.cpp walks an unordered_map, so when two texts of one list are both in the vocabulary the winner is
  // unspecified; id order is used here (no vocabulary seen so far has two).
  const textIndex = new Map<string, number>();
  for (let i = 0; i < size; i++) {
    const t = tokens[i];
    if (WANTED_FIRST.has(t.charCodeAt(0)) && WANTED.has(t) && !textIndex.has(t)) textIndex.set(t, i);
  }
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
  // o200k_harmony and solar-open: with <|return|> and <|call|> (or <|calls|> and <|flush|>), <|end|> is no EOG.
  const end = eogHas('<|end|>');
  const hasCall = eogHas('<|call|>') >= 0 || eogHas('<|calls|>') >= 0;
  if (end >= 0 && hasCall && (eogHas('<|return|>') >= 0 || eogHas('<|flush|>') >= 0)) attrs[end] = ATTR.userDefined;
  // gemma4 and paddleocr: with <|tool_response>, </s> is an ordinary token.
  const closeS = eogHas('</s>');
  if (closeS >= 0 && eogHas('<|tool_response>') >= 0) attrs[closeS] = ATTR.normal;
  return attrs;
}
