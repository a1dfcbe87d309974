// Search terms from code, split the way code is written: `parseHTTPResponse2` is found by "parse", "http",
// "response", "2"... and by the whole `parsehttpresponse2`; `max_file_bytes` by "max", "file", "byte(s)";
// `font-size` and `src/core/index.ts` also as one term. A hand-written scanner over char codes: it runs over
// every byte of the workspace, and a regex split plus case conversion per word measured 2x slower.

/** Words longer than this are hashes, base64 or minified noise, not identifiers. */
export const MAX_TERM_CHARS = 64;

const enum Ch {
  Dollar = 36,
  Dash = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  UpperA = 65,
  UpperZ = 90,
  Underscore = 95,
  LowerA = 97,
  LowerZ = 122,
}

function isWordCode(c: number): boolean {
  if (c < 128)
    return (c >= Ch.LowerA && c <= Ch.LowerZ) || (c >= Ch.UpperA && c <= Ch.UpperZ) || (c >= Ch.Zero && c <= Ch.Nine) || c === Ch.Underscore || c === Ch.Dollar;
  // Latin-1 symbols, general punctuation, CJK punctuation and full-width ASCII punctuation separate words.
  if (c < 0xc0 || c === 0xd7 || c === 0xf7) return false;
  // The two spaces above Latin-1 outside the ranges below: the Ogham space mark and the byte order mark.
  if (c === 0x1680 || c === 0xfeff) return false;
  if (c >= 0x2000 && c <= 0x206f) return false;
  if (c >= 0x3000 && c <= 0x303f) return false;
  if (c >= 0xff00 && c <= 0xff0f) return false;
  return true;
}

const isUpper = (c: number) => c >= Ch.UpperA && c <= Ch.UpperZ;
const isLower = (c: number) => (c >= Ch.LowerA && c <= Ch.LowerZ) || c >= 0xc0;
const isDigit = (c: number) => c >= Ch.Zero && c <= Ch.Nine;
const isLetter = (c: number) => isUpper(c) || isLower(c);

/**
 * A light English plural fold, the same for documents and queries, so "tokens" meets `token` and
 * `Tokens`: -ies -> -y, -(s|x|z|ch|sh)es -> stem, -s -> stem (not -ss, -us, -is: class, status, analysis).
 */
export function foldPlural(term: string): string {
  const n = term.length;
  if (n <= 3 || term.charCodeAt(n - 1) !== 115 /* s */) return term;
  if (n > 4 && term.endsWith('ies')) return `${term.slice(0, -3)}y`;
  if (term.endsWith('es') && /(?:ss|x|z|ch|sh)es$/.test(term)) return term.slice(0, -2);
  const before = term.charCodeAt(n - 2);
  if (before === 115 /* s */ || before === 117 /* u */ || before === 105 /* i */) return term;
  return term.slice(0, -1);
}

function push(out: string[], term: string): void {
  out.push(foldPlural(term));
}

// Part boundaries of the identifier being split, as [start, end) pairs; reused across calls (no allocation
// per word: this runs for every identifier of the workspace).
const cuts: number[] = [];

/** Appends the parts of one identifier (`text[start, end)`), when it has more than one, lower-cased. */
function pushParts(text: string, start: number, end: number, out: string[]): void {
  cuts.length = 0;
  let partStart = start;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === Ch.Underscore || c === Ch.Dollar) {
      if (i > partStart) cuts.push(partStart, i);
      partStart = i + 1;
      continue;
    }
    if (i === partStart) continue;
    const p = text.charCodeAt(i - 1);
    // lower->Upper (parseHttp), UPPER->Upper+lower (HTTPResponse: split before R), letter<->digit (utf8, h2o).
    const boundary =
      (isUpper(c) && isLower(p)) ||
      (isUpper(c) && isUpper(p) && i + 1 < end && isLower(text.charCodeAt(i + 1))) ||
      (isDigit(c) && isLetter(p)) ||
      (isLetter(c) && isDigit(p));
    if (boundary) {
      cuts.push(partStart, i);
      partStart = i;
    }
  }
  if (end > partStart) cuts.push(partStart, end);
  if (cuts.length < 4) return;
  // One-letter parts count as parts (getX has two) but are not emitted: `x` alone is noise; a lone digit
  // is kept (utf8 -> utf, 8).
  for (let k = 0; k < cuts.length; k += 2) {
    if (cuts[k + 1] - cuts[k] >= 2 || isDigit(text.charCodeAt(cuts[k]))) push(out, text.slice(cuts[k], cuts[k + 1]).toLowerCase());
  }
}

/**
 * The search terms of a text, in order, with repeats (term frequency counts): every identifier whole and,
 * when it has several, its parts; kebab-case runs and slash paths also whole. Lower-cased, plural-folded.
 */
export function codeTerms(text: string, out: string[] = []): string[] {
  const n = text.length;
  let i = 0;
  // The current run of words joined by '-' or '/' with nothing else between (font-size, src/core/x.ts).
  let runStart = -1;
  let runWords = 0;
  let runHasSlash = false;
  let runEnd = -1;
  const closeRun = () => {
    if (runWords >= 2 && runEnd - runStart <= MAX_TERM_CHARS * 2) {
      const whole = text.slice(runStart, runEnd).toLowerCase();
      if (runHasSlash || whole.length >= 4) out.push(whole);
    }
    runStart = -1;
    runWords = 0;
    runHasSlash = false;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!isWordCode(c)) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && isWordCode(text.charCodeAt(i))) i++;
    const end = i;
    const length = end - start;
    if (length > MAX_TERM_CHARS) {
      closeRun();
      continue;
    }
    if (length >= 2) {
      push(out, text.slice(start, end).toLowerCase());
      pushParts(text, start, end, out);
    }
    // Extend or start a '-'/'/'-joined run: the separator must sit between two words with no space.
    if (runStart >= 0 && runEnd === start - 1) {
      runWords++;
      runEnd = end;
    } else {
      closeRun();
      runStart = start;
      runWords = 1;
      runEnd = end;
    }
    const next = i < n ? text.charCodeAt(i) : -1;
    const after = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    const joins = (next === Ch.Dash && isLetter(after)) || (next === Ch.Slash && isWordCode(after)) || (next === Ch.Dot && runHasSlash && isWordCode(after));
    if (joins) {
      if (next === Ch.Slash) runHasSlash = true;
    } else {
      closeRun();
    }
  }
  closeRun();
  return out;
}

/** Words a question is made of that no code search should rank on. Applied to queries only. */
const STOP_WORDS = new Set([
  'the',
  'an',
  'of',
  'to',
  'in',
  'is',
  'it',
  'its',
  'for',
  'and',
  'or',
  'on',
  'at',
  'by',
  'be',
  'as',
  'are',
  'was',
  'were',
  'this',
  'that',
  'these',
  'those',
  'with',
  'from',
  'into',
  'which',
  'what',
  'when',
  'where',
  'who',
  'how',
  'why',
  'does',
  'do',
  'doe',
  'did',
  'can',
  'could',
  'should',
  'would',
  'will',
  'there',
  'their',
  'them',
  'then',
  'than',
  'any',
  'all',
  'some',
  'such',
  'not',
  'no',
  'but',
  'if',
  'so',
  'we',
  'you',
  'your',
  'our',
  'my',
  'me',
  'us',
  'he',
  'she',
  'they',
  'has',
  'have',
  'had',
  'been',
  'being',
  'also',
  'only',
  'about',
  'via',
  'where',
  'here',
]);

/** The distinct search terms of a query, stop words removed, in first-seen order. */
export function queryTerms(query: string): string[] {
  const seen = new Set<string>();
  for (const term of codeTerms(query)) if (!STOP_WORDS.has(term)) seen.add(term);
  return [...seen];
}
