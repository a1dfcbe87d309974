import { classAt, unitsAt } from './charClasses';

const ASCII_CLASS = Uint8Array.from({ length: 0x80 }, (_, c) => classAt(String.fromCharCode(c), 0));

/**
 * Longest run of one character class handed to the tokenizer in one piece, in weight units: an ASCII
 * character weighs 1, any other code point 2 (so 64 ASCII characters, 32 CJK characters or 32 emoji).
 * Byte-pair encoding is quadratic in the length of a pre-tokenizer piece: 100 KB of `a` takes seconds and
 * about 1 MB crashes tiktoken's WASM. Measured with tiktoken 1.0.22 on 1 MB of one repeated character:
 * `a` costs 161 / 119 / 146 / 209 ms in slices of 32 / 64 / 128 / 256 units (per-call overhead against
 * quadratic work), CJK (3 bytes a character) 299 / 429 / 756 / 1318 ms, emoji 183 / 203 / 297 / 545 ms.
 * Normal code and prose almost never have such a run.
 */
export const MAX_RUN_UNITS = 64;

/**
 * Where to cut `text` so no slice holds more than `maxRun` weight units of one class run. Returns the cut
 * offsets in increasing order (empty for ordinary text: one slice). The scan is linear, left to right,
 * and a cut depends only on the text before it, so the cuts of any prefix are the cuts of the whole text
 * that fall inside that prefix (prefix counts stay consistent with whole counts). Cuts never split a
 * surrogate pair. A cut inside a run may shift one token at the cut (GPT-2 would have merged across it):
 * at most one token per cut, only in pathological runs, never on ordinary text.
 */
export function sliceCuts(text: string, maxRun = MAX_RUN_UNITS): number[] {
  const cuts: number[] = [];
  const n = text.length;
  let runClass = -1;
  let runUnits = 0;
  let i = 0;
  while (i < n) {
    const unit = text.charCodeAt(i);
    // ASCII (nearly all code) takes the table path; only other characters pay for the general lookup.
    let cls: number;
    let width = 1;
    // BPE cost grows with UTF-8 bytes: a non-ASCII code point weighs 2 (CJK is 3 bytes, an emoji 4 in 2 units).
    let weight = 1;
    if (unit < 0x80) cls = ASCII_CLASS[unit];
    else {
      if (unit >= 0xd800) width = unitsAt(text, i);
      weight = 2;
      cls = classAt(text, i);
    }
    if (cls !== runClass) {
      runClass = cls;
      runUnits = weight;
    } else if (runUnits + weight > maxRun) {
      cuts.push(i);
      runUnits = weight;
    } else {
      runUnits += weight;
    }
    i += width;
  }
  return cuts;
}

/** Calls `visit(start, end)` for each slice of `text` (see sliceCuts), in order. */
export function forEachSlice(text: string, cuts: readonly number[], visit: (start: number, end: number) => void): void {
  let start = 0;
  for (const cut of cuts) {
    visit(start, cut);
    start = cut;
  }
  visit(start, text.length);
}
