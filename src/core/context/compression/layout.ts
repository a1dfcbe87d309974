// How a piece's text is laid out: an optional envelope (Explain's `path (lines 10-40):` header and a code fence)
// around one block of code, or chat prose with fenced blocks in it; and, per line, what the steps may change.
import { familyOfFence, familyOfPath, hasMultiLineLiterals, startsLikeCode, type Family } from './languages';
import { isScannedFamily, scanLines, type LineFacts } from './scanner';
import { scanYaml } from './yamlScanner';

/** A 1-based inclusive line range of a file. */
export interface LineRange {
  start: number;
  end: number;
}

/** Where a chunk came from, read from its source or id: `src/a.ts:10-40`, `src/a.ts#10-40`, `src/a.ts#L10-L40`. */
export interface Location {
  path: string;
  range?: LineRange;
}

// The range must end the string; a `:col` after a retrieval id's range means a slice of one long line (no range).
const LOCATION = /^(.+?)(?:#L?(\d+)(?:-L?(\d+))?(:\d+(?:-\d+)?)?|:(\d+)(?:-(\d+))?)$/;

/** Reads a path and line range from a chunk's source or id. */
export function parseLocation(s: string): Location {
  const m = LOCATION.exec(s);
  if (!m) return { path: s };
  if (m[4]) return { path: m[1] };
  const a = Number(m[2] ?? m[5]);
  const b = Number(m[3] ?? m[6] ?? a);
  if (!(a >= 1 && b >= a)) return { path: m[1] };
  return { path: m[1], range: { start: a, end: b } };
}

/** Explain's chunk header (src/core/context/explainContext.ts): `src/a.ts (lines 10-40):`. */
const HEADER = /^(.+) \(lines? (\d+)(?:-(\d+))?\):$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})([^`]*)$/;

/**
 * How sure we are that a run of lines starts outside any literal: `known` (line 1 of a file, a chat message),
 * `guessed` (a fenced block, a fragment opening with a definition: trusted only if its scan ends balanced), `unknown`.
 */
export type StartState = 'known' | 'guessed' | 'unknown';

/** A run of lines read with one family. */
export interface Segment {
  start: number;
  end: number;
  family: Family;
  state: StartState;
  /** Envelope lines (header, fences) belong to the prompt's wording, not to the code. */
  envelope?: boolean;
}

/** A piece's text split into lines and segments. */
export interface Layout {
  lines: string[];
  segments: Segment[];
  /** The block of code of a chunk, when the chunk is one (the lines merging and elision work on). */
  body?: { start: number; end: number; family: Family };
  /** The header line (`path (lines a-b):`) when the chunk has one, and what it says. */
  header?: { line: number; path: string; range: LineRange };
  /** Fence opener and closer lines of the envelope. */
  fence?: { open: number; close: number };
}

/** What the caller knows of a text besides its content. */
export interface LayoutHint {
  /** The family from the chunk's source path. */
  family?: Family;
  /** True when the text starts at line 1 of its file (its state at the first line is known). */
  startsAtLine1?: boolean;
  /** A chat message: prose from its first line, with fenced blocks. */
  chat?: boolean;
}

/** The family a chunk's source or id names. */
export function familyOfSource(source: string | undefined): Family | undefined {
  return source === undefined ? undefined : familyOfPath(parseLocation(source).path);
}

const lineOf = (raw: string) => (raw.endsWith('\r') ? raw.slice(0, -1) : raw);

/** Splits a text into its envelope, body and fenced blocks. */
export function layoutOf(text: string, hint: LayoutHint = {}): Layout {
  const lines = text.split('\n');
  const n = lines.length;
  // The last line when the text ends with a newline is an empty string, not a line of the text.
  const last = n > 1 && lines[n - 1] === '' ? n - 2 : n - 1;
  if (!hint.chat) {
    const open = FENCE_OPEN.exec(lineOf(lines[0])) ? 0 : n > 1 && FENCE_OPEN.exec(lineOf(lines[1])) ? 1 : -1;
    if (open >= 0 && last > open) {
      const m = FENCE_OPEN.exec(lineOf(lines[open]))!;
      const closer = lineOf(lines[last]).trim();
      if (closer.length >= m[1].length && closer === m[1][0].repeat(closer.length)) {
        const family = familyOfFence(m[2]) ?? hint.family ?? 'generic';
        const h = open === 1 ? HEADER.exec(lineOf(lines[0])) : null;
        const header = h ? { line: 0, path: h[1], range: { start: Number(h[2]), end: Number(h[3] ?? h[2]) } } : undefined;
        const atLine1 = hint.startsAtLine1 || header?.range.start === 1;
        const body = { start: open + 1, end: last, family };
        return {
          lines,
          header,
          fence: { open, close: last },
          body,
          segments: [
            { start: 0, end: open + 1, family: 'generic', state: 'known', envelope: true },
            { start: open + 1, end: last, family, state: startState(lines, body.start, body.end, family, atLine1) },
            { start: last, end: n, family: 'generic', state: 'known', envelope: true },
          ],
        };
      }
    }
    if (hint.family && hint.family !== 'markdown' && hint.family !== 'generic') {
      const state = startState(lines, 0, n, hint.family, hint.startsAtLine1 ?? false);
      return { lines, body: { start: 0, end: n, family: hint.family }, segments: [{ start: 0, end: n, family: hint.family, state }] };
    }
  }
  // Prose with fenced blocks: a chat message, a Markdown file, or a text of unknown kind.
  const prose: StartState = hint.chat === true || hint.startsAtLine1 === true ? 'known' : 'unknown';
  const segments: Segment[] = [];
  let i = 0;
  let proseStart = 0;
  while (i < n) {
    const m = FENCE_OPEN.exec(lineOf(lines[i]));
    if (!m) {
      i++;
      continue;
    }
    if (i > proseStart) segments.push({ start: proseStart, end: i, family: 'markdown', state: prose });
    let close = i + 1;
    while (close < n) {
      const l = lineOf(lines[close]);
      const t = l.trim();
      if (l.length - l.trimStart().length <= 3 && t.length >= m[1].length && t === m[1][0].repeat(t.length)) break;
      close++;
    }
    segments.push({ start: i, end: i + 1, family: 'generic', state: 'known', envelope: true });
    const family = familyOfFence(m[2]) ?? (hint.chat ? 'generic' : (hint.family ?? 'generic'));
    // A pasted block usually starts in code; its scan must end balanced to be trusted.
    segments.push({ start: i + 1, end: close, family, state: prose === 'known' ? 'guessed' : 'unknown' });
    if (close < n) segments.push({ start: close, end: close + 1, family: 'generic', state: 'known', envelope: true });
    i = close + 1;
    proseStart = i;
  }
  if (proseStart < n) segments.push({ start: proseStart, end: n, family: 'markdown', state: prose });
  const body = hint.chat ? undefined : { start: 0, end: n, family: 'markdown' as Family };
  return { lines, segments: segments.filter((s) => s.end > s.start), body };
}

/** A body starts in code at line 1 of its file; it probably does when it opens with a definition (a doc comment, `def`, ...). */
function startState(lines: readonly string[], start: number, end: number, family: Family, atLine1: boolean): StartState {
  if (atLine1) return 'known';
  // Without multi-line strings, a fragment can start inside nothing that matters (a block comment's text is not code).
  if (!hasMultiLineLiterals(family)) return 'known';
  return startsLikeCode(lines, start, end, family) ? 'guessed' : 'unknown';
}

const PROTECTED: LineFacts = { startInside: true, endInside: true, comments: [] };
const FREE: LineFacts = { startInside: false, endInside: false, comments: [] };

/**
 * The facts of every line of a layout. A segment that may start inside a literal, or whose scan from a guessed
 * start ends inside one (a sign the guess was wrong), is protected whole: no step changes its whitespace or
 * comments. Markdown prose keeps its hard line breaks (two trailing spaces) and the blank lines of indented code.
 */
export function factsOf(layout: Layout): LineFacts[] {
  const facts: LineFacts[] = new Array(layout.lines.length);
  for (const seg of layout.segments) {
    const protect = () => facts.fill(PROTECTED, seg.start, seg.end);
    if (seg.envelope) {
      facts.fill(FREE, seg.start, seg.end);
      continue;
    }
    if (seg.family === 'verbatim') {
      protect();
      continue;
    }
    if (seg.family === 'yaml') {
      const scan = scanYaml(layout.lines, seg.start, seg.end, seg.state !== 'known');
      scan.lines.forEach((f, k) => (facts[seg.start + k] = f));
      continue;
    }
    if (seg.state === 'unknown') {
      protect();
      continue;
    }
    const family = seg.family === 'markdown' ? 'generic' : seg.family;
    if (!isScannedFamily(family)) {
      protect();
      continue;
    }
    const scan = scanLines(layout.lines, seg.start, seg.end, family);
    // From a known start a literal left open at the end is real (the window ended inside it); from a guess it is a warning.
    if (!scan.balanced && seg.state === 'guessed') {
      protect();
      continue;
    }
    scan.lines.forEach((f, k) => (facts[seg.start + k] = f));
    if (seg.family === 'markdown') markdownRules(layout.lines, seg, facts);
  }
  return facts;
}

function markdownRules(lines: readonly string[], seg: Segment, facts: LineFacts[]): void {
  const indented = (l: string) => /^( {4}|\t)/.test(l) && l.trim().length > 0;
  let prevIndented = false;
  for (let i = seg.start; i < seg.end; i++) {
    const line = lineOf(lines[i]);
    if (/\S {2,}$/.test(line)) facts[i] = { ...facts[i], endInside: true };
    if (line.trim().length > 0) {
      prevIndented = indented(line);
      continue;
    }
    let next = i;
    while (next < seg.end && lineOf(lines[next]).trim().length === 0) next++;
    if (prevIndented && next < seg.end && indented(lineOf(lines[next]))) {
      for (let k = i; k < next; k++) facts[k] = { ...facts[k], startInside: true };
    }
    i = next - 1;
  }
}
