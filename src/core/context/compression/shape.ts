// A piece's shape: its layout, the file and line range it claims (checked against its lines), and how to write
// it back with other body lines. Merging and elision work on the body; the envelope is rewritten, never parsed twice.
import { factsOf, familyOfSource, layoutOf, parseLocation, type Layout, type LayoutHint, type LineRange } from './layout';
import type { LineFacts } from './scanner';
import type { Piece } from './types';

/** A piece split into envelope and body. */
export interface Shape {
  layout: Layout;
  /** The file the chunk is from, when its source, id or header names one. */
  path?: string;
  /** The body's 1-based line range in that file, only when the body has exactly that many lines. */
  range?: LineRange;
  /** Body lines [bodyStart, bodyEnd) of layout.lines (a final empty string after a trailing newline is not a line). */
  bodyStart: number;
  bodyEnd: number;
}

/** What a piece's source tells the layout. */
export function hintOf(piece: Piece): LayoutHint {
  if (piece.section === 'history') return { chat: true };
  const loc = piece.source !== undefined ? parseLocation(piece.source) : undefined;
  return { family: familyOfSource(piece.source), startsAtLine1: loc?.range?.start === 1 };
}

// Every step reads the layout of the pieces it is given, and pieces pass unchanged through most steps. This memo
// of a pure function, keyed by the immutable piece object, only saves scanning the same text again.
const memo = new WeakMap<Piece, { layout: Layout; facts?: LineFacts[]; shape?: Shape }>();

function entry(piece: Piece) {
  let e = memo.get(piece);
  if (!e) memo.set(piece, (e = { layout: layoutOf(piece.text, hintOf(piece)) }));
  return e;
}

/** The layout of a piece's text (memoized per piece). */
export function layoutOfPiece(piece: Piece): Layout {
  return entry(piece).layout;
}

/** The line facts of a piece's text (memoized per piece). */
export function factsOfPiece(piece: Piece): LineFacts[] {
  const e = entry(piece);
  return (e.facts ??= factsOf(e.layout));
}

/** The shape of a piece (memoized per piece). */
export function shapeOf(piece: Piece): Shape {
  const e = entry(piece);
  return (e.shape ??= computeShape(piece, e.layout));
}

function computeShape(piece: Piece, layout: Layout): Shape {
  const lines = layout.lines;
  const bodyStart = layout.body?.start ?? 0;
  let bodyEnd = Math.max(bodyStart, layout.body?.end ?? lines.length);
  const loc = piece.source !== undefined ? parseLocation(piece.source) : undefined;
  const path = layout.header?.path ?? loc?.path;
  const claimed = layout.header?.range ?? loc?.range;
  const claimedLines = claimed ? claimed.end - claimed.start + 1 : -1;
  // "a\n" is one line and a newline, or a line and a blank line: the claimed range decides; without one, a newline.
  const endsWithNewline = bodyEnd === lines.length && bodyEnd - 1 > bodyStart && lines[bodyEnd - 1] === '';
  if (endsWithNewline && claimedLines !== bodyEnd - bodyStart) bodyEnd--;
  const range = claimed && claimedLines === bodyEnd - bodyStart ? claimed : undefined;
  return { layout, path: path && path.length > 0 ? path : undefined, range, bodyStart, bodyEnd };
}

/** The body lines of a shape. */
export function bodyLines(shape: Shape): string[] {
  return shape.layout.lines.slice(shape.bodyStart, shape.bodyEnd);
}

/** The piece's text with a new body (and, when the header names a range, the header rewritten for `range`). */
export function rebuild(shape: Shape, body: readonly string[], range?: LineRange): string {
  const lines = shape.layout.lines;
  const head = lines.slice(0, shape.bodyStart);
  const header = shape.layout.header;
  if (header && range) {
    const cr = lines[header.line].endsWith('\r') ? '\r' : '';
    head[header.line] = `${header.path} (lines ${range.start}-${range.end}):${cr}`;
  }
  return [...head, ...body, ...lines.slice(shape.bodyEnd)].join('\n');
}
