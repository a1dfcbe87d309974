import { classAt, unitsAt } from './charClasses';

const ASCII_CLASS = Uint8Array.from({ length: 0x80 }, (_, c) => classAt(String.fromCharCode(c), 0));

/**
 * Longest run of one character class (in UTF-16 units) handed to the tokenizer in one piece.
 * Byte-pair encoding is quadratic in the length of a pre-tokenizer piece: 100 KB of `a` takes seconds and
 * about 1 MB crashes tiktoken's WASM. Measured with tiktoken 1.0.22 on 1 MB of one repeated character,
 * 64-unit slices cost 120 ms (`a`), 200 ms (emoji) and 430 ms (CJK, 3 bytes a character), against
 * 210 / 545 / 1318 ms at 256 units. Normal code and prose almost never have a 64-character run of one class.
 */
export const MAX_RUN_UNITS = 64;

/**
 * Where to cut `text` so no slice holds more than `maxRun` units of one class run. Returns the cut
 * offsets in increasing order (empty for ordinary text: one slice). The scan is linear, left to right,
 * and a cut depends only on the text before it, so the cuts of any prefix are the cuts of the whole text
 * that fall inside that prefix (prefix counts stay consistent with whole counts). Cuts never split a
 * surrogate pair. A cut inside a run may shift one token at the cut (GPT-2 would have merged across it):
 * at most one token per `maxRun` units of a pathological run, and never on ordinary text.
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
    if (unit < 0x80) cls = ASCII_CLASS[unit];
    else {
      if (unit >= 0xd800) width = unitsAt(text, i);
      cls = classAt(text, i);
    }
    if (cls !== runClass) {
      runClass = cls;
      runUnits = width;
    } else if (runUnits + width > maxRun) {
      cuts.push(i);
      runUnits = width;
    } else {
      runUnits += width;
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
