// Lossy, first: a long chunk keeps its first lines, its signature (when the head does not already hold it) and
// its last lines; the middle becomes one marker line that says how many lines are gone and which. The marker is
// part of the text, so its tokens are counted like any other.
import { bodyLines, factsOfPiece, rebuild, shapeOf, type Shape } from './shape';
import { itemOf, reportOf, type Measure, type Piece, type StepItem, type StepResult } from './types';

/** Only chunks with at least this many body lines are elided. */
export const LONG_CHUNK_LINES = 24;
/** An elided chunk keeps at least this many first and last lines. */
export const MIN_HEAD_LINES = 6;
export const MIN_TAIL_LINES = 3;
/** A gap shorter than this is kept: its marker would cost about as much as its lines. */
export const MIN_GAP_LINES = 3;
/** What elideMiddle keeps when no budget is given (the bench's fixed setting). */
export const DEFAULT_HEAD_LINES = 20;
export const DEFAULT_TAIL_LINES = 10;

/** The marker line for lines [from, to] (1-based, inclusive) of a file, or a count alone when the range is unknown. */
export function elisionMarker(indent: string, count: number, fileLines?: { from: number; to: number }): string {
  return `${indent}… ${count} lines elided${fileLines ? ` (lines ${fileLines.from}-${fileLines.to})` : ''} …`;
}

interface Plan {
  shape: Shape;
  body: string[];
  /** First body line of the signature and the last (inclusive), or -1. */
  sigStart: number;
  sigEnd: number;
}

function planOf(piece: Piece): Plan | undefined {
  const shape = shapeOf(piece);
  const body = bodyLines(shape);
  if (body.length < LONG_CHUNK_LINES) return undefined;
  const facts = factsOfPiece(piece);
  // The signature is the first line with code on it (not blank, not only a comment) and its continuation lines
  // up to the one that opens the body: `function f(`, `  a: A,`, `): R {`.
  let sigStart = -1;
  for (let i = 0; i < body.length; i++) {
    const f = facts[shape.bodyStart + i];
    const line = body[i];
    const covered = f.comments.reduce((a, [s, e]) => a + line.slice(s, e).replace(/\s+/g, '').length, 0);
    if (line.replace(/\s+/g, '').length > covered && !/^\s*(\*|\/\/|#|\/\*)/.test(line)) {
      sigStart = i;
      break;
    }
  }
  let sigEnd = sigStart;
  while (sigEnd >= 0 && sigEnd < body.length - 1 && sigEnd - sigStart < 6 && !/\{|[:;]\s*$|=>\s*$/.test(body[sigEnd])) sigEnd++;
  return { shape, body, sigStart, sigEnd };
}

/** The text keeping `head` first and `tail` last body lines (and the signature), with markers for the gaps. */
function render(plan: Plan, head: number, tail: number): { text: string; elided: number } | undefined {
  const n = plan.body.length;
  const keep = new Array<boolean>(n).fill(false);
  for (let i = 0; i < Math.min(head, n); i++) keep[i] = true;
  for (let i = Math.max(0, n - tail); i < n; i++) keep[i] = true;
  if (plan.sigStart >= 0) for (let i = plan.sigStart; i <= plan.sigEnd; i++) keep[i] = true;
  const out: string[] = [];
  let elided = 0;
  const start = plan.shape.range?.start;
  for (let i = 0; i < n;) {
    if (keep[i]) {
      out.push(plan.body[i++]);
      continue;
    }
    let j = i;
    while (j < n && !keep[j]) j++;
    if (j - i < MIN_GAP_LINES) {
      for (let k = i; k < j; k++) out.push(plan.body[k]);
    } else {
      const indent = /^[ \t]*/.exec(plan.body.slice(i, j).find((l) => l.trim().length > 0) ?? '')![0];
      const cr = plan.body[j - 1].endsWith('\r') ? '\r' : '';
      out.push(elisionMarker(indent, j - i, start !== undefined ? { from: start + i, to: start + j - 1 } : undefined) + cr);
      elided += j - i;
    }
    i = j;
  }
  if (elided === 0) return undefined;
  return { text: rebuild(plan.shape, out), elided };
}

const split = (k: number) => {
  const head = Math.max(MIN_HEAD_LINES, Math.ceil((k * 2) / 3));
  return { head, tail: Math.max(MIN_TAIL_LINES, k - head) };
};

/**
 * Elides the middle of one chunk as little as possible so that `fits(text)` holds: the most lines kept (two
 * thirds at the head, one third at the tail) for which it fits. Undefined when the chunk is not long or even
 * the shortest elision does not fit.
 */
export function elideToFit(piece: Piece, fits: (text: string) => boolean): { text: string; elided: number } | undefined {
  const plan = planOf(piece);
  if (!plan) return undefined;
  const n = plan.body.length;
  let lo = MIN_HEAD_LINES + MIN_TAIL_LINES;
  let hi = n - MIN_GAP_LINES;
  const at = (k: number) => {
    const { head, tail } = split(k);
    return render(plan, head, tail);
  };
  const smallest = at(lo);
  if (!smallest || !fits(smallest.text)) return undefined;
  let best = smallest;
  // Kept lines grow with k and so do tokens: find the largest k that still fits.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const r = at(mid);
    if (r && fits(r.text)) {
      best = r;
      lo = mid;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * Elides the middle of every long chunk, keeping `headLines` first and `tailLines` last lines and the signature
 * (lossy; the optimizer uses elideToFit on the one chunk that needs it). History pieces are left alone.
 */
export function elideMiddle(
  pieces: readonly Piece[],
  measure: Measure,
  headLines: number = DEFAULT_HEAD_LINES,
  tailLines: number = DEFAULT_TAIL_LINES,
): StepResult {
  const items: StepItem[] = [];
  const out = pieces.map((piece) => {
    if (piece.section !== 'context') return piece;
    const plan = planOf(piece);
    const r = plan && render(plan, headLines, tailLines);
    if (!r) return piece;
    const before = measure(piece.text);
    const after = measure(r.text);
    if (after >= before) return piece;
    items.push(itemOf(piece, before, after, r.elided));
    return { ...piece, text: r.text };
  });
  return { pieces: out, report: reportOf('elideMiddle', items), references: [] };
}
