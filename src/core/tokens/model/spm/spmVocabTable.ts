import { ATTR } from '../tokenAttributes';
import { SpmVocabError } from './spmErrors';

// The vocabulary as flat typed arrays: every token's text joined into one string, a hash table from text to id,
// scores and llama.cpp attribute bits. A Map<string, number> of 262k strings costs ~60 ms to build and allocates a
// string per lookup; this table builds in ~15 ms and looks up a substring of the input without allocating.

/** Polynomial hash base. Bigram hashes combine as h(a + b) = h(a) * B^len(b) + h(b) (mod 2^32). */
export const HASH_BASE = 0x01000193;
/** U+2581 LOWER ONE EIGHTH BLOCK: SentencePiece's visible space. llama.cpp escapes every ' ' to it. */
export const SPACE_MARK = 0x2581;

/** The vocabulary in the form the encoder reads. Immutable once built. */
export interface SpmTable {
  readonly size: number;
  /** All token texts joined, in id order. */
  readonly text: string;
  /** Start of token i in `text` is offsets[i], end offsets[i + 1]. */
  readonly offsets: Int32Array;
  /** Scores as float32 values (what llama.cpp compares), widened to float64. */
  readonly scores: Float64Array;
  readonly attrs: Uint16Array;
  /** Open-addressing table: token id + 1, 0 = empty. */
  readonly slots: Int32Array;
  /** The hash of the token in the same slot (compared before the text). */
  readonly slotHash: Int32Array;
  readonly mask: number;
  /** Longest token in UTF-16 units: a longer bigram cannot be a token. */
  readonly maxLen: number;
  /** HASH_BASE^k for k <= maxLen. */
  readonly pow: Int32Array;
  /** Token for each byte value as llama.cpp's byte_to_token finds it (`<0xHH>`, else the one-character token), -1 = none. */
  readonly byteToken: Int32Array;
  /**
   * A number that orders tokens as their scores do, lowest first for the highest score: minus the score when
   * every score is an integer of magnitude <= 2^20 (SentencePiece BPE scores are), else the dense rank. Either
   * way order * 2^32 + position is exact in a float64, so the encoder's queue compares one number.
   */
  readonly scoreOrder: Float64Array;
  /**
   * Every pair of adjacent UTF-16 units found inside some token, as an open-addressing set of (a << 16 | b) + 1.
   * Where two adjacent input characters form no such pair, no token can span them, so SentencePiece merges on
   * either side never meet and the two sides can be encoded separately (Gemma 3 has only 36k such pairs).
   */
  readonly pairs: Int32Array;
  readonly pairMask: number;
}

/** True when units a, b stand next to each other in some token (so a merge may join them). */
export function pairOccurs(table: SpmTable, a: number, b: number): boolean {
  const key = ((a << 16) | b) + 1;
  // (0xFFFF, 0xFFFF) wraps to the empty marker: treat it as joinable, which is always safe.
  if (key === 0) return true;
  const { pairs, pairMask } = table;
  let i = mixHash(key) & pairMask;
  for (;;) {
    const k = pairs[i];
    if (k === key) return true;
    if (k === 0) return false;
    i = (i + 1) & pairMask;
  }
}

/** murmur3 finalizer: spreads a polynomial hash over the table's low bits. */
export function mixHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Hash of units [start, end) of `s`, with ' ' read as U+2581 when `escapeSpace` (how the encoder sees input). */
export function hashUnits(s: string, start: number, end: number, escapeSpace: boolean): number {
  let h = 0;
  for (let i = start; i < end; i++) {
    let u = s.charCodeAt(i);
    if (escapeSpace && u === 0x20) u = SPACE_MARK;
    h = (Math.imul(h, HASH_BASE) + u) | 0;
  }
  return h;
}

/**
 * Id of the token whose text equals units [start, start + len) of `s` (' ' read as U+2581 when `escapeSpace`),
 * given that range's hash `h`; -1 when there is none.
 */
export function findToken(table: SpmTable, s: string, start: number, len: number, h: number, escapeSpace: boolean): number {
  const { slots, slotHash, mask, offsets, text } = table;
  let i = mixHash(h) & mask;
  for (;;) {
    const slot = slots[i];
    if (slot === 0) return -1;
    if (slotHash[i] === h) {
      const id = slot - 1;
      const off = offsets[id];
      if (offsets[id + 1] - off === len) {
        let k = 0;
        for (; k < len; k++) {
          let u = s.charCodeAt(start + k);
          if (escapeSpace && u === 0x20) u = SPACE_MARK;
          if (u !== text.charCodeAt(off + k)) break;
        }
        if (k === len) return id;
      }
    }
    i = (i + 1) & mask;
  }
}

/** Id of the token whose text is exactly `s` (no space escaping), -1 when none. */
export function tokenId(table: SpmTable, s: string): number {
  return findToken(table, s, 0, s.length, hashUnits(s, 0, s.length, false), false);
}

/** The text of token `id`. */
export function tokenText(table: SpmTable, id: number): string {
  return table.text.slice(table.offsets[id], table.offsets[id + 1]);
}

const BYTE_TOKEN = /^<0x[0-9A-Fa-f]{2}>$/;

/**
 * Builds the table from token texts (id order, already non-empty), float32 scores and attribute bits. Throws
 * SpmVocabError on a duplicate text (llama.cpp refuses such a file) or a byte-typed token that is not `<0xHH>`.
 */
export function buildSpmTable(tokens: readonly string[], scores: Float64Array, attrs: Uint16Array): SpmTable {
  const size = tokens.length;
  const offsets = new Int32Array(size + 1);
  let maxLen = 1;
  for (let i = 0; i < size; i++) {
    const len = tokens[i].length;
    offsets[i + 1] = offsets[i] + len;
    if (len > maxLen) maxLen = len;
    if ((attrs[i] & ATTR.byte) !== 0 && !BYTE_TOKEN.test(tokens[i])) {
      throw new SpmVocabError(`Token ${i} is typed as a byte token (token_type 6) but its text is ${JSON.stringify(tokens[i].slice(0, 40))}, not <0xHH>.`);
    }
  }
  const text = tokens.join('');
  return buildTableFromText(size, text, offsets, scores, attrs, maxLen);
}

/** Builds the table from already joined texts (the cache path). */
export function buildTableFromText(size: number, text: string, offsets: Int32Array, scores: Float64Array, attrs: Uint16Array, maxLen: number): SpmTable {
  let capacity = 1024;
  while (capacity < size * 2) capacity *= 2;
  const slots = new Int32Array(capacity);
  const slotHash = new Int32Array(capacity);
  const mask = capacity - 1;
  for (let id = 0; id < size; id++) {
    const start = offsets[id];
    const end = offsets[id + 1];
    let h = 0;
    for (let k = start; k < end; k++) h = (Math.imul(h, HASH_BASE) + text.charCodeAt(k)) | 0;
    let i = mixHash(h) & mask;
    while (slots[i] !== 0) {
      if (slotHash[i] === h && sameText(text, offsets, slots[i] - 1, id)) {
        const first = slots[i] - 1;
        // Go's JSON encoder turns invalid UTF-8 into U+FFFD, so two distinct byte strings can arrive as one text:
        // keep the lower id (its duplicates can only be reached by input containing U+FFFD itself).
        if (text.slice(start, end).includes('\uFFFD')) break;
        throw new SpmVocabError(`Duplicate token in vocabulary: ${JSON.stringify(text.slice(start, end).slice(0, 40))} has ids ${first} and ${id}.`);
      }
      i = (i + 1) & mask;
    }
    if (slots[i] === 0) {
      slots[i] = id + 1;
      slotHash[i] = h;
    }
  }
  const pow = new Int32Array(maxLen + 2);
  pow[0] = 1;
  for (let k = 1; k < pow.length; k++) pow[k] = Math.imul(pow[k - 1], HASH_BASE);
  const { pairs, pairMask } = buildPairs(text, offsets, size);
  const table: SpmTable = {
    size,
    text,
    offsets,
    scores,
    attrs,
    slots,
    slotHash,
    mask,
    maxLen,
    pow,
    byteToken: new Int32Array(256),
    scoreOrder: orderScores(scores),
    pairs,
    pairMask,
  };
  const hex = '0123456789ABCDEF';
  for (let b = 0; b < 256; b++) {
    let id = tokenId(table, `<0x${hex[b >> 4]}${hex[b & 15]}>`);
    if (id < 0 && b < 0x80) id = tokenId(table, String.fromCharCode(b));
    table.byteToken[b] = id;
  }
  return table;
}

function buildPairs(text: string, offsets: Int32Array, size: number): { pairs: Int32Array; pairMask: number } {
  let capacity = 1 << 12;
  let pairs = new Int32Array(capacity);
  let count = 0;
  const insert = (set: Int32Array, mask: number, key: number): boolean => {
    let i = mixHash(key) & mask;
    for (;;) {
      const k = set[i];
      if (k === key) return false;
      if (k === 0) {
        set[i] = key;
        return true;
      }
      i = (i + 1) & mask;
    }
  };
  for (let id = 0; id < size; id++) {
    const end = offsets[id + 1];
    for (let k = offsets[id] + 1; k < end; k++) {
      const key = ((text.charCodeAt(k - 1) << 16) | text.charCodeAt(k)) + 1;
      if (key === 0) continue;
      if (insert(pairs, capacity - 1, key) && ++count * 2 > capacity) {
        const old = pairs;
        capacity *= 2;
        pairs = new Int32Array(capacity);
        for (const k2 of old) if (k2 !== 0) insert(pairs, capacity - 1, k2);
      }
    }
  }
  return { pairs, pairMask: capacity - 1 };
}

function orderScores(scores: Float64Array): Float64Array {
  const order = new Float64Array(scores.length);
  let integral = true;
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 20) {
      integral = false;
      break;
    }
    order[i] = v === 0 ? 0 : -v;
  }
  if (integral) return order;
  const distinct = Float64Array.from(scores).sort();
  let m = 0;
  for (let i = 0; i < distinct.length; i++) if (i === 0 || distinct[i] !== distinct[m - 1]) distinct[m++] = distinct[i];
  for (let i = 0; i < scores.length; i++) {
    // Binary search in the ascending distinct scores; rank 0 is the highest.
    const v = scores[i];
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (distinct[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    order[i] = m - 1 - lo;
  }
  return order;
}

function sameText(text: string, offsets: Int32Array, a: number, b: number): boolean {
  const la = offsets[a + 1] - offsets[a];
  if (la !== offsets[b + 1] - offsets[b]) return false;
  const oa = offsets[a];
  const ob = offsets[b];
  for (let k = 0; k < la; k++) if (text.charCodeAt(oa + k) !== text.charCodeAt(ob + k)) return false;
  return true;
}
