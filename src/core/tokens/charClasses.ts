/**
 * Character classes as GPT-2's pre-tokenizer sees them. Its regex
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * splits text into pieces that are runs of one class; byte-pair encoding then works inside each piece,
 * in time that grows with the square of the piece's length. Knowing the class of each character lets us
 * find long pieces in linear time (slicing.ts) and estimate counts without the tokenizer (estimateTokenizer.ts).
 */
export const CharClass = { Space: 0, Letter: 1, Number: 2, Other: 3 } as const;
export type CharClass = (typeof CharClass)[keyof typeof CharClass];

const LETTER = /\p{L}/u;
const NUMBER = /\p{N}/u;
const SPACE = /\s/u;

function classify(ch: string): CharClass {
  if (LETTER.test(ch)) return CharClass.Letter;
  if (NUMBER.test(ch)) return CharClass.Number;
  if (SPACE.test(ch)) return CharClass.Space;
  return CharClass.Other;
}

// The Basic Multilingual Plane is memoized in a 64 KiB table (0 = not yet known, else class + 1), because
// a Unicode regex test per character would cost more than the scan itself on non-ASCII text.
const bmp = new Uint8Array(0x10000);
for (let c = 0; c < 0x80; c++) bmp[c] = classify(String.fromCharCode(c)) + 1;
const astral = new Map<number, CharClass>();

/** The pre-tokenizer class of the code point starting at UTF-16 index `i` (a lone surrogate counts as Other). */
export function classAt(text: string, i: number): CharClass {
  const unit = text.charCodeAt(i);
  if (unit < 0xd800 || unit > 0xdfff) {
    let k = bmp[unit];
    if (k === 0) {
      k = classify(String.fromCharCode(unit)) + 1;
      bmp[unit] = k;
    }
    return (k - 1) as CharClass;
  }
  const cp = text.codePointAt(i)!;
  if (cp <= 0xffff) return CharClass.Other;
  let k = astral.get(cp);
  if (k === undefined) {
    k = classify(String.fromCodePoint(cp));
    astral.set(cp, k);
  }
  return k;
}

/** Number of UTF-16 units of the code point starting at `i` (2 for a valid surrogate pair, else 1). */
export function unitsAt(text: string, i: number): 1 | 2 {
  const unit = text.charCodeAt(i);
  if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 2;
  }
  return 1;
}

/** UTF-8 length in bytes of the code point starting at `i` (lone surrogates become U+FFFD: 3 bytes). */
export function utf8BytesAt(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit < 0x80) return 1;
  if (unit < 0x800) return 2;
  if (unitsAt(text, i) === 2) return 4;
  return 3;
}

/** UTF-8 length of a string in bytes (a lone surrogate counts as U+FFFD, 3 bytes, as TextEncoder and Go write it). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += unitsAt(text, i)) bytes += utf8BytesAt(text, i);
  return bytes;
}

/** The end of the longest run of whole code points from `start` whose UTF-8 size is at most `bytes`. */
export function unitsForLeadingBytes(text: string, start: number, end: number, bytes: number): number {
  let i = start;
  let used = 0;
  while (i < end) {
    const size = utf8BytesAt(text, i);
    if (used + size > bytes) break;
    used += size;
    i += unitsAt(text, i);
  }
  return i;
}

/** The start of the longest run of whole code points ending at `end` whose UTF-8 size is at most `bytes`. */
export function unitsForTrailingBytes(text: string, start: number, end: number, bytes: number): number {
  let i = end;
  let used = 0;
  while (i > start) {
    let from = i - 1;
    const unit = text.charCodeAt(from);
    if (unit >= 0xdc00 && unit <= 0xdfff && from > start) {
      const prev = text.charCodeAt(from - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) from -= 1;
    }
    const size = utf8BytesAt(text, from);
    if (used + size > bytes) break;
    used += size;
    i = from;
  }
  return i;
}
