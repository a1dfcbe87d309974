// Lines sent twice: retrieval and an open editor both send the same function, or two retrieval windows of a
// file overlap. Each shared line is kept once, in the more relevant chunk. A less relevant chunk wholly inside a
// more relevant one is absorbed; one that overlaps at an edge loses the shared lines; one that holds a more
// relevant chunk in its middle gets a one-line marker there. The less relevant chunk keeps its own rank: the
// union is not promoted to the higher relevance, so an editor's whole file cannot ride on a function's rank
// and push other relevant chunks out (docs/compression.md, "Merging").
import { bodyLines, rebuild, shapeOf, type Shape } from './shape';
import type { LineRange } from './layout';
import { itemOf, referenceKey, reportOf, type Measure, type Piece, type Reference, type StepItem, type StepResult } from './types';

/** Unranged chunks must share at least this many lines at an edge to count as overlapping. */
export const MIN_OVERLAP_LINES = 3;
/** ... and those lines at least this many non-whitespace characters (three lines of `}` are no evidence). */
export const MIN_OVERLAP_CHARS = 40;

interface Entry {
  piece: Piece;
  shape: Shape;
  lines: string[];
  /** The body lines joined (to find identical bodies without joining them for every pair). */
  body: string;
  range?: LineRange;
}

const nonSpace = (lines: readonly string[]) => lines.reduce((a, l) => a + l.replace(/\s+/g, '').length, 0);
const sameLines = (a: readonly string[], ai: number, b: readonly string[], bi: number, n: number) => {
  for (let k = 0; k < n; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
};

/** Where B's lines [from, to) are also in A: how to cut them from B. */
type Overlap = { from: number; to: number; kind: 'all' | 'head' | 'tail' | 'hole'; aStart?: number; aEnd?: number };

function rangedOverlap(a: Entry, b: Entry): Overlap | undefined {
  const ra = a.range!;
  const rb = b.range!;
  const s = Math.max(ra.start, rb.start);
  const e = Math.min(ra.end, rb.end);
  if (s > e) return undefined;
  // The same range with different lines means the file changed between the index and the editor: not a repeat.
  if (!sameLines(a.lines, s - ra.start, b.lines, s - rb.start, e - s + 1)) return undefined;
  const from = s - rb.start;
  const to = e - rb.start + 1;
  if (from === 0 && to === b.lines.length) return { from, to, kind: 'all' };
  if (from === 0) return { from, to, kind: 'head' };
  if (to === b.lines.length) return { from, to, kind: 'tail' };
  return { from, to, kind: 'hole', aStart: s, aEnd: e };
}

function textOverlap(a: Entry, b: Entry): Overlap | undefined {
  const A = a.lines;
  const B = b.lines;
  if (B.length === 0 || A.length === 0) return undefined;
  const enough = (lines: readonly string[]) => lines.length >= MIN_OVERLAP_LINES && nonSpace(lines) >= MIN_OVERLAP_CHARS;
  // B inside A.
  if (B.length <= A.length && (enough(B) || B.length === A.length)) {
    for (let i = A.indexOf(B[0]); i >= 0 && i + B.length <= A.length; i = A.indexOf(B[0], i + 1)) {
      if (sameLines(A, i, B, 0, B.length)) return { from: 0, to: B.length, kind: 'all' };
    }
  }
  // B's head is A's tail, or B's tail is A's head (the longest such overlap).
  for (let k = Math.min(A.length, B.length) - 1; k >= MIN_OVERLAP_LINES; k--) {
    if (sameLines(A, A.length - k, B, 0, k) && enough(B.slice(0, k))) return { from: 0, to: k, kind: 'head' };
    if (sameLines(A, 0, B, B.length - k, k) && enough(B.slice(B.length - k))) return { from: B.length - k, to: B.length, kind: 'tail' };
  }
  return undefined;
}

/** What a marker calls a chunk. */
export function chunkLabel(piece: Piece): string {
  return piece.source ?? 'another chunk';
}

/**
 * Sends each line shared by chunks of the same file once, in the most relevant of them (lossless). Chunks are
 * compared when they name the same file (with line ranges when both carry one, by their lines otherwise) or
 * have the same body. `pieces` are context pieces; `exclude` holds reference keys not to make again.
 */
export function mergeOverlapping(pieces: readonly Piece[], measure: Measure, exclude: ReadonlySet<string> = new Set()): StepResult {
  const ordered = [...pieces].sort((x, y) => x.rank - y.rank);
  const done: Entry[] = [];
  const items: StepItem[] = [];
  const references: Reference[] = [];
  const replaced = new Map<string, Piece | undefined>();
  for (const piece of ordered) {
    if (piece.section !== 'context') {
      replaced.set(piece.id, piece);
      continue;
    }
    const shape = shapeOf(piece);
    const b: Entry = { piece, shape, lines: bodyLines(shape), body: '', range: shape.range };
    const original = (b.body = b.lines.join('\n'));
    let absorbedInto: Entry | undefined;
    let cut = 0;
    const into: string[] = [];
    for (const a of done) {
      if (exclude.has(referenceKey(piece.id, a.piece.id))) continue;
      const samePath = a.shape.path !== undefined && a.shape.path === b.shape.path;
      if (!samePath && a.body !== original) continue;
      const ov = samePath && a.range && b.range ? rangedOverlap(a, b) : textOverlap(a, b);
      if (!ov) continue;
      const shared = b.lines.slice(ov.from, ov.to);
      const reference: Reference = { from: piece.id, to: a.piece.id, text: shared.join('\n') };
      references.push(reference);
      into.push(a.piece.id);
      cut += ov.to - ov.from;
      if (ov.kind === 'all') {
        absorbedInto = a;
        break;
      }
      if (ov.kind === 'hole') {
        const indent = /^[ \t]*/.exec(shared[0])![0];
        const dir = a.piece.index < piece.index ? 'above' : 'below';
        const cr = shared[shared.length - 1].endsWith('\r') ? '\r' : '';
        const marker = `${indent}… lines ${ov.aStart}-${ov.aEnd} are in ${chunkLabel(a.piece)} ${dir} …${cr}`;
        reference.marker = marker;
        b.lines = [...b.lines.slice(0, ov.from), marker, ...b.lines.slice(ov.to)];
        // The body no longer maps line for line onto its range.
        b.range = undefined;
      } else {
        b.lines = ov.kind === 'head' ? b.lines.slice(ov.to) : b.lines.slice(0, ov.from);
        if (b.range)
          b.range = ov.kind === 'head' ? { start: b.range.start + ov.to, end: b.range.end } : { start: b.range.start, end: b.range.start + ov.from - 1 };
      }
    }
    const before = measure(piece.text);
    if (absorbedInto) {
      items.push(itemOf(piece, before, 0, b.lines.length, { into: absorbedInto.piece.id, absorbed: true }));
      replaced.set(piece.id, undefined);
      continue;
    }
    if (cut > 0 && b.lines.join('\n') !== original) {
      const text = rebuild(shape, b.lines, b.range ?? undefined);
      const after = measure(text);
      if (after < before) {
        items.push(itemOf(piece, before, after, cut, { into: into.join(',') }));
        const next = { ...piece, text };
        replaced.set(piece.id, next);
        done.push({ piece: next, shape: shapeOf(next), lines: b.lines, body: b.lines.join('\n'), range: b.range });
        continue;
      }
      // Not worth it after all: forget the references this chunk made.
      for (let k = references.length - 1; k >= 0; k--) if (references[k].from === piece.id) references.splice(k, 1);
    }
    replaced.set(piece.id, piece);
    done.push({ piece, shape, lines: bodyLines(shape), body: original, range: shape.range });
  }
  const out = pieces.map((p) => replaced.get(p.id)).filter((p): p is Piece => p !== undefined);
  return { pieces: out, report: reportOf('mergeOverlapping', items), references };
}
