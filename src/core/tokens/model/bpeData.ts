import { byteLevelDecodeInto } from './byteLevel';
import { GGUF_TOKEN_TYPE, type GgufVocab } from './ggufVocab';
import { InvalidVocabError, UnsupportedTokenizerModelError } from './modelTokenizerErrors';
import { resolvePreTokenizer } from './preTokenizers';
import { ATTR, loadTimeAttributes, type LoadExtras } from './tokenAttributes';

/** A token matched in the text before byte-pair encoding (llama.cpp's cache_special_tokens). */
export interface SpecialToken {
  readonly id: number;
  readonly text: string;
  /** Control or unknown: matched only when the server parses special tokens (it does for prompts). */
  readonly control: boolean;
}

/** Facts about how the data was built, for logs and the report. */
export interface BpeBuildStats {
  /** Normal tokens in the vocabulary. */
  normalTokens: number;
  /** Tokens given to tiktoken. */
  rankedTokens: number;
  /** Normal tokens that are not byte-level strings: no merge can produce them, so they are left out. */
  notByteLevel: number;
  /** Multi-byte normal tokens no merge produces (left out unless the pre-tokenizer ignores merges). */
  unreachable: number;
  merges: number;
  /** 'id': token ids are in merge order, so tiktoken's rank is the id; 'merges': ranks follow the merge list. */
  rankSource: 'id' | 'merges';
}

/** Everything an exact byte-level BPE tokenizer needs: what serializeBpe stores and loadBpe returns. */
export interface BpeModelData {
  /** `tokenizer.ggml.pre` as given ('' when missing). */
  readonly pre: string;
  readonly nTokens: number;
  /** tiktoken's rank file: one "<base64 bytes> <rank>" line per token. */
  readonly ranks: string;
  /** Token id per rank, when ranks are not ids (rankSource 'merges'). */
  readonly rankToId?: Int32Array;
  readonly specials: readonly SpecialToken[];
  readonly bosId: number;
  readonly eosId: number | undefined;
  /** llama.cpp add_bos / add_eos: the GGUF flag, else the pre-tokenizer's default. */
  readonly addBos: boolean;
  readonly addEos: boolean;
  readonly stats: BpeBuildStats;
}

// A vocabulary where more than this share of normal tokens is not byte-level is not a GPT-2 vocabulary at all.
const MAX_NOT_BYTE_LEVEL_SHARE = 0.01;
// llama.cpp's BPE default BOS and EOS id when the GGUF names none (llama_vocab::impl::load, tokenizer_model == "gpt2").
const DEFAULT_BPE_ID = 11;

const B64 = Uint8Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0));
const EQ = 0x3d;

/**
 * tiktoken's rank file ("<base64 bytes> <rank>" lines) written as ASCII bytes into one buffer and decoded once:
 * per-token strings would cost more than the rest of the build (65-130 ms for 150k tokens with Buffer's base64).
 */
class RankFileWriter {
  private out = new Uint8Array(1 << 22);
  private at = 0;

  add(bytes: Uint8Array, n: number, rank: number): void {
    this.reserve(((n + 2) / 3) * 4 + 13);
    const out = this.out;
    let o = this.at;
    if (o > 0) out[o++] = 0x0a;
    let i = 0;
    for (; i + 2 < n; i += 3) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out[o++] = B64[v >> 18];
      out[o++] = B64[(v >> 12) & 63];
      out[o++] = B64[(v >> 6) & 63];
      out[o++] = B64[v & 63];
    }
    if (i < n) {
      const two = i + 1 < n;
      const v = (bytes[i] << 16) | ((two ? bytes[i + 1] : 0) << 8);
      out[o++] = B64[v >> 18];
      out[o++] = B64[(v >> 12) & 63];
      out[o++] = two ? B64[(v >> 6) & 63] : EQ;
      out[o++] = EQ;
    }
    out[o++] = 0x20;
    const digits = String(rank);
    for (let d = 0; d < digits.length; d++) out[o++] = digits.charCodeAt(d);
    this.at = o;
  }

  text(): string {
    return new TextDecoder('latin1').decode(this.out.subarray(0, this.at));
  }

  private reserve(extra: number): void {
    if (this.at + extra <= this.out.length) return;
    const bigger = new Uint8Array(Math.max(this.out.length * 2, this.at + extra));
    bigger.set(this.out.subarray(0, this.at));
    this.out = bigger;
  }
}

/**
 * The special-token kind of a token with llama.cpp's load-time attributes (undefined: not special). CONTROL and
 * UNKNOWN tokens are matched only when the server parses special tokens (llama.cpp's tokenizer_st_partition).
 */
function specialKind(attr: number): 'control' | 'userDefined' | undefined {
  if ((attr & (ATTR.control | ATTR.unknown)) !== 0) return 'control';
  return (attr & ATTR.userDefined) !== 0 ? 'userDefined' : undefined;
}

/**
 * Builds the exact tokenizer's data from the GGUF vocabulary, the way llama.cpp loads it (llama_vocab::impl::load):
 * normal tokens become tiktoken ranks, control/user-defined/unknown tokens become special tokens. Checks what the
 * count's exactness rests on and throws a typed error when the vocabulary cannot give exact counts.
 */
export function buildBpeData(vocab: GgufVocab, extras: LoadExtras = {}): BpeModelData {
  if (vocab.model !== 'gpt2') throw new UnsupportedTokenizerModelError(vocab.model);
  const spec = resolvePreTokenizer(vocab.pre);
  if (!vocab.merges) throw new InvalidVocabError('missingMerges', 'tokenizer.ggml.merges is absent (a BPE vocabulary needs it)');
  const { tokens, merges } = vocab;
  const n = tokens.length;
  if (vocab.tokenType && vocab.tokenType.length !== n) {
    throw new InvalidVocabError('tokenTypeLength', `${vocab.tokenType.length} token types for ${n} tokens`);
  }

  // Byte strings of the normal tokens, packed in one buffer (latin1 keys for the merge check).
  const maxLen = tokens.reduce((m, t) => Math.max(m, t.length), 0);
  const buf = new Uint8Array(maxLen);
  const idOfText = new Map<string, number>();
  const isNormal = new Uint8Array(n);
  const specials: SpecialToken[] = [];
  let normalTokens = 0;
  let notByteLevel = 0;
  const checkId = (what: string, id: number | undefined): number | undefined => {
    if (id !== undefined && (id < 0 || id >= n)) throw new InvalidVocabError('badTokenId', `${what} ${id} is outside the ${n} tokens`);
    return id;
  };
  const bosId = checkId('bos_token_id', vocab.bosTokenId) ?? DEFAULT_BPE_ID;
  const eosId = checkId('eos_token_id', vocab.eosTokenId);
  const attrs = loadTimeAttributes(tokens, vocab.tokenType, eosId ?? (DEFAULT_BPE_ID < n ? DEFAULT_BPE_ID : -1), extras);
  for (let i = 0; i < n; i++) {
    const kind = specialKind(attrs[i]);
    if (kind) specials.push({ id: i, text: tokens[i], control: kind === 'control' });
    // A normal token llama.cpp makes CONTROL by its text (DeepSeek V3's "</s>") is matched as one in prompts and
    // still produced by merges in plain text: it stays ranked.
    const type = vocab.tokenType?.[i] ?? GGUF_TOKEN_TYPE.normal;
    if (type !== GGUF_TOKEN_TYPE.normal && type !== GGUF_TOKEN_TYPE.byte) continue;
    normalTokens++;
    if (byteLevelDecodeInto(tokens[i], buf, 0) < 0 || tokens[i].length === 0) {
      notByteLevel++;
      continue;
    }
    // llama.cpp keeps the last id of a repeated text; the first one keeps the merge order for tiktoken.
    if (!idOfText.has(tokens[i])) idOfText.set(tokens[i], i);
    isNormal[i] = 1;
  }
  if (notByteLevel > normalTokens * MAX_NOT_BYTE_LEVEL_SHARE) {
    throw new InvalidVocabError(
      'notByteLevel',
      `${notByteLevel} of ${normalTokens} normal tokens are not GPT-2 byte-level strings (not a byte-level vocabulary)`,
    );
  }

  // Check the merges: each must produce a normal token; note the first merge producing each token.
  const firstMerge = new Int32Array(n).fill(-1);
  let idsInMergeOrder = true;
  let lastNew = -1;
  for (let k = 0; k < merges.length; k++) {
    const m = merges[k];
    // llama.cpp splits at the first space after the first character (word.find(' ', 1)).
    const sp = m.indexOf(' ', 1);
    const left = sp < 0 ? undefined : m.slice(0, sp);
    const right = sp < 0 ? undefined : m.slice(sp + 1);
    const id = left === undefined || right === undefined ? undefined : idOfText.get(left + right);
    if (id === undefined) {
      throw new InvalidVocabError('badMerge', `merge ${k} "${m}" does not produce a token`);
    }
    if (firstMerge[id] < 0) {
      firstMerge[id] = k;
      if (id < lastNew) idsInMergeOrder = false;
      lastNew = id;
    }
  }

  // Ranks: the id where ids follow the merge order (tiktoken-trained and most HF vocabularies), else byte tokens
  // first and then the merge order. A multi-byte token no merge produces is unreachable for llama.cpp's BPE,
  // except as a whole piece when merges are ignored.
  const file = new RankFileWriter();
  let unreachable = 0;
  const rankToId: number[] = [];
  const ranked: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!isNormal[i] || idOfText.get(tokens[i]) !== i) continue;
    if (tokens[i].length > 1 && firstMerge[i] < 0) {
      unreachable++;
      if (!spec.ignoreMerges) continue;
    }
    ranked.push(i);
  }
  if (!idsInMergeOrder) {
    ranked.sort((a, b) => {
      const ka = tokens[a].length === 1 ? -1 : firstMerge[a] < 0 ? merges.length : firstMerge[a];
      const kb = tokens[b].length === 1 ? -1 : firstMerge[b] < 0 ? merges.length : firstMerge[b];
      return ka - kb || a - b;
    });
  }
  let byteTokens = 0;
  for (const id of ranked) if (tokens[id].length === 1) byteTokens++;
  // tiktoken needs a token for every byte (llama.cpp would silently drop a byte without one).
  if (byteTokens < 256) {
    throw new InvalidVocabError('missingByteTokens', `only ${byteTokens} of the 256 single-byte tokens are normal tokens`);
  }
  for (let r = 0; r < ranked.length; r++) {
    const id = ranked[r];
    const len = byteLevelDecodeInto(tokens[id], buf, 0);
    file.add(buf, len, idsInMergeOrder ? id : r);
    if (!idsInMergeOrder) rankToId.push(id);
  }

  return {
    pre: vocab.pre ?? '',
    nTokens: n,
    ranks: file.text(),
    rankToId: idsInMergeOrder ? undefined : Int32Array.from(rankToId),
    specials,
    bosId,
    eosId,
    addBos: vocab.addBosToken ?? spec.addBosDefault,
    addEos: vocab.addEosToken ?? false,
    stats: {
      normalTokens,
      rankedTokens: ranked.length,
      notByteLevel,
      unreachable,
      merges: merges.length,
      rankSource: idsInMergeOrder ? 'id' : 'merges',
    },
  };
}
