/**
 * Grapheme-safe cut points. A cut must never split a surrogate pair (the tokenizer would see U+FFFD) nor a
 * grapheme (an emoji with its modifiers, a letter with its accents, a flag). Segmentation only looks at a
 * small window around the cut, starting at a position known to be a boundary, so cutting stays linear.
 */
const segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined;

/** How far back to look for an ASCII character (always a grapheme boundary in practice) to start segmenting from. */
const WINDOW = 256;
/** How far past the cut to give the segmenter (the rules look at the character after a boundary). */
const LOOKAHEAD = 64;

function isLowSurrogateAfterHigh(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return false;
  const cur = text.charCodeAt(i);
  const prev = text.charCodeAt(i - 1);
  return cur >= 0xdc00 && cur <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff;
}

/**
 * A position at or before `i` where a grapheme surely begins: an ASCII character other than the LF of a
 * CRLF (no ASCII character extends the previous one). Falls back to `i - WINDOW` on long non-ASCII runs
 * (moved to the start of a flag when it lands on a flag's second half);
 * a grapheme longer than the window (hundreds of combining marks) may then be split, which only costs
 * that pathological text a garbled character.
 */
function anchorBefore(text: string, i: number): number {
  const floor = Math.max(0, i - WINDOW);
  for (let p = i; p > floor; p--) {
    const unit = text.charCodeAt(p);
    if (unit < 0x80 && !(unit === 0x0a && text.charCodeAt(p - 1) === 0x0d)) return p;
  }
  const at = isLowSurrogateAfterHigh(text, floor) ? floor - 1 : floor;
  // Flags pair regional indicators from the start of their run: count the run back to keep the parity.
  let before = 0;
  for (let p = at - 2; p >= 0 && isRegionalIndicator(text, p); p -= 2) before++;
  return before % 2 === 1 && isRegionalIndicator(text, at) ? at - 2 : at;
}

function isRegionalIndicator(text: string, i: number): boolean {
  const second = text.charCodeAt(i + 1);
  return text.charCodeAt(i) === 0xd83c && second >= 0xdde6 && second <= 0xddff;
}

/** The largest grapheme boundary at or before `i`. */
export function graphemeFloor(text: string, i: number): number {
  if (i <= 0) return 0;
  if (i >= text.length) return text.length;
  const anchor = anchorBefore(text, i);
  if (anchor === i && text.charCodeAt(i) < 0x80) return i;
  if (!segmenter) return isLowSurrogateAfterHigh(text, i) ? i - 1 : i;
  const to = Math.min(text.length, i + LOOKAHEAD);
  let best = anchor;
  for (const seg of segmenter.segment(text.slice(anchor, to))) {
    const boundary = anchor + seg.index;
    if (boundary > i) break;
    best = boundary;
  }
  return best;
}

/** The smallest grapheme boundary at or after `i`. */
export function graphemeCeil(text: string, i: number): number {
  if (i <= 0) return 0;
  if (i >= text.length) return text.length;
  const floor = graphemeFloor(text, i);
  if (floor === i) return i;
  if (!segmenter) return i + 1;
  const to = Math.min(text.length, i + LOOKAHEAD + WINDOW);
  for (const seg of segmenter.segment(text.slice(floor, to))) {
    const boundary = floor + seg.index;
    if (boundary >= i) return boundary;
  }
  return to;
}
