import { CharClass, classAt, unitsAt, utf8BytesAt } from './charClasses';
import type { Tokenizer } from './tokenizer';

/**
 * A conservative GPT-2 token estimate for when tiktoken cannot load (or is switched off). It follows the
 * pre-tokenizer: text is split into runs of one class, and each run is charged by what GPT-2 spends on
 * it at worst in practice, so that the estimate over-counts ordinary text rather than overflowing a window:
 *  - ASCII letters: 1 token per 3 characters of a run (rounded up), or 1 per case change if more;
 *  - digits: 1 per 2 (GPT-2 has few multi-digit tokens);
 *  - ASCII punctuation: 1 per character;
 *  - whitespace: 1 per character (GPT-2 has no tokens for runs of spaces), except one space before a
 *    word, which GPT-2 merges into the word;
 *  - anything else (accents, CJK, emoji): 1 per 1.5 UTF-8 bytes (GPT-2 is byte-level: CJK measured at
 *    1.7 bytes a token, emoji at 2).
 * Measured against real GPT-2 counts in docs/TOKEN_CONSTRAINTS.md. It is never exact: every count made
 * with it is reported with `estimated: true`.
 */
export class EstimateTokenizer implements Tokenizer {
  readonly name = 'estimate';
  readonly estimated = true;
  // Runs are charged by class, and a class change after a newline starts a new run.
  readonly splitsAfterNewline = true;

  count(text: string): number {
    return estimateRange(text, 0, text.length);
  }

  prefixEnd(text: string, maxTokens: number): number {
    if (maxTokens <= 0) return 0;
    if (estimateRange(text, 0, text.length) <= maxTokens) return text.length;
    // Binary search: est(prefix lo) fits, est(prefix hi) does not. O(n log n), on the fallback path only.
    let lo = 0;
    let hi = text.length;
    for (;;) {
      let mid = alignDown(text, Math.floor((lo + hi) / 2));
      if (mid <= lo) mid = lo + unitsAt(text, lo);
      if (mid >= hi) return lo;
      if (estimateRange(text, 0, mid) <= maxTokens) lo = mid;
      else hi = mid;
    }
  }

  suffixStart(text: string, maxTokens: number): number {
    if (maxTokens <= 0) return text.length;
    if (estimateRange(text, 0, text.length) <= maxTokens) return 0;
    // Binary search: est(suffix from hi) fits, est(suffix from lo) does not.
    let lo = 0;
    let hi = text.length;
    for (;;) {
      let mid = alignDown(text, Math.floor((lo + hi) / 2));
      if (mid <= lo) mid = lo + unitsAt(text, lo);
      if (mid >= hi) return hi;
      if (estimateRange(text, mid, text.length) <= maxTokens) hi = mid;
      else lo = mid;
    }
  }

  dispose(): void {
    // Nothing native to release.
  }
}

function alignDown(text: string, i: number): number {
  if (i > 0 && i < text.length) {
    const cur = text.charCodeAt(i);
    const prev = text.charCodeAt(i - 1);
    if (cur >= 0xdc00 && cur <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff) return i - 1;
  }
  return i;
}

/** The estimate for text[start, end). */
function estimateRange(text: string, start: number, end: number): number {
  let tokens = 0;
  let i = start;
  while (i < end) {
    const cls = classAt(text, i);
    const unit = text.charCodeAt(i);
    if (cls === CharClass.Space) {
      // A single space directly before a non-space joins the next piece; any other whitespace costs 1.
      const next = i + 1 < end ? text.charCodeAt(i + 1) : -1;
      const joins = unit === 0x20 && next !== -1 && classAt(text, i + 1) !== CharClass.Space;
      if (!joins) tokens += 1;
      i += 1;
      continue;
    }
    if (unit < 0x80) {
      let j = i + 1;
      while (j < end && text.charCodeAt(j) < 0x80 && classAt(text, j) === cls) j++;
      const len = j - i;
      tokens += cls === CharClass.Letter ? letterRunTokens(text, i, j) : cls === CharClass.Number ? Math.ceil(len / 2) : len;
      i = j;
      continue;
    }
    // Non-ASCII: charge UTF-8 bytes over the whole run of non-ASCII, non-space code points.
    let bytes = 0;
    let j = i;
    while (j < end && text.charCodeAt(j) >= 0x80 && classAt(text, j) !== CharClass.Space) {
      bytes += utf8BytesAt(text, j);
      j += unitsAt(text, j);
    }
    tokens += Math.ceil(bytes / 1.5);
    i = j;
  }
  return tokens;
}

/**
 * An ASCII letter run costs 1 token per 3 letters, or one per case change when that is more: words and
 * camelCase split at most there, while random text (base64, hashes) changes case every other letter
 * and GPT-2 spends about a token per 1.3 characters on it.
 */
function letterRunTokens(text: string, start: number, end: number): number {
  let changes = 0;
  let upper = text.charCodeAt(start) < 0x61;
  for (let k = start + 1; k < end; k++) {
    const u = text.charCodeAt(k) < 0x61;
    if (u !== upper) changes++;
    upper = u;
  }
  return Math.max(Math.ceil((end - start) / 3), changes + 1);
}
