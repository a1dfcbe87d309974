import type { CountTokens } from './types';

// Cutting text by lines and by characters under a token cap. Used for languages without a grammar, for
// definitions too big for one chunk, and for lines longer than the cap (minified code).
//
// Spans are sized by characters, with the file's own characters-per-token ratio learnt from the exact
// counts already made, then counted exactly ONCE and shortened in the rare case the exact count is over
// the cap. Counting every line first (then the span again) cost 2.5x the text in counts, measured on
// 9 MB of node_modules code; this costs about 1.1x.

/** A span of rows (0-based, inclusive), or a slice of one row by UTF-16 columns. */
export interface Span {
  startRow: number;
  endRow: number;
  columns?: { start: number; end: number };
  text: string;
  tokens: number;
}

/** The lines of one file, and what its exact counts so far say about characters per token. */
export class LineTable {
  readonly lines: string[];
  /** Characters per token, learnt from exact counts; starts low (over-estimating tokens) to avoid recounts. */
  private ratio = 2;

  constructor(text: string) {
    this.lines = text.split('\n');
  }

  get length(): number {
    return this.lines.length;
  }

  /** The exact text of rows [start, end]. */
  textOf(startRow: number, endRow: number): string {
    return startRow === endRow ? this.lines[startRow] : this.lines.slice(startRow, endRow + 1).join('\n');
  }

  /** True when the rows hold nothing but whitespace. */
  isBlank(startRow: number, endRow: number): boolean {
    for (let r = startRow; r <= endRow; r++) if (this.lines[r].trim() !== '') return false;
    return true;
  }

  /** Characters that probably hold `tokens` tokens in this file. */
  charsFor(tokens: number): number {
    return tokens * this.ratio;
  }

  /** Learns from one exact count (a moving average, so one odd span does not swing it). */
  learn(chars: number, tokens: number): void {
    if (tokens > 0 && chars > 0) this.ratio = Math.min(12, Math.max(0.5, this.ratio * 0.7 + (chars / tokens) * 0.3));
  }
}

/** A counter that also teaches the table: every exact count is evidence for the ratio. */
function counted(table: LineTable, count: CountTokens, text: string): number {
  const tokens = count(text);
  table.learn(text.length, tokens);
  return tokens;
}

/** True when one line alone is over the cap (checked exactly only when its length makes it plausible). */
function lineOverCap(table: LineTable, row: number, cap: number, count: CountTokens): boolean {
  const line = table.lines[row];
  return line.length > table.charsFor(cap) * 0.5 && counted(table, count, line) > cap;
}

/**
 * Splits rows [start, end] into consecutive spans of at most `cap` tokens, greedily by whole lines; a line
 * over the cap alone becomes character windows.
 */
export function packLines(table: LineTable, startRow: number, endRow: number, cap: number, count: CountTokens): Span[] {
  const spans: Span[] = [];
  let row = startRow;
  while (row <= endRow) {
    if (lineOverCap(table, row, cap, count)) {
      spans.push(...charWindows(table.lines[row], row, cap, count));
      row++;
      continue;
    }
    const span = greedySpan(table, row, endRow, Number.POSITIVE_INFINITY, cap, count);
    spans.push(span);
    row = span.endRow + 1;
  }
  rebalanceTail(table, spans, cap, count);
  return spans;
}

/**
 * A last part under a quarter of the cap means little on its own (`}` and a return): the last two line
 * spans are cut again at their middle line, so a 420-token function becomes about 210 + 210, not 384 + 36.
 */
function rebalanceTail(table: LineTable, spans: Span[], cap: number, count: CountTokens): void {
  const n = spans.length;
  if (n < 2) return;
  const [a, b] = [spans[n - 2], spans[n - 1]];
  if (a.columns || b.columns || b.tokens >= cap / 4 || a.endRow + 1 !== b.startRow) return;
  let chars = 0;
  for (let r = a.startRow; r <= b.endRow; r++) chars += table.lines[r].length + 1;
  let mid = a.startRow;
  for (let seen = 0; mid < b.endRow && seen + table.lines[mid].length + 1 <= chars / 2; mid++) seen += table.lines[mid].length + 1;
  if (mid <= a.startRow || mid > b.endRow) return;
  const first = table.textOf(a.startRow, mid - 1);
  const second = table.textOf(mid, b.endRow);
  const firstTokens = counted(table, count, first);
  const secondTokens = counted(table, count, second);
  if (firstTokens > cap || secondTokens > cap) return;
  spans[n - 2] = { startRow: a.startRow, endRow: mid - 1, text: first, tokens: firstTokens };
  spans[n - 1] = { startRow: mid, endRow: b.endRow, text: second, tokens: secondTokens };
}

/**
 * The longest span from `row` (at most `maxLines` lines, not past `limitRow`) that fits the cap by the
 * learnt ratio, counted exactly and shortened while over the cap. `row` itself must fit; the span stops
 * before a line long enough to be over the cap on its own.
 */
function greedySpan(table: LineTable, row: number, limitRow: number, maxLines: number, cap: number, count: CountTokens): Span {
  const budget = table.charsFor(cap) * 0.9;
  let end = row;
  let chars = table.lines[row].length;
  while (end + 1 <= limitRow && end + 1 - row < maxLines) {
    const next = table.lines[end + 1].length + 1;
    if (chars + next > budget) break;
    chars += next;
    end++;
  }
  for (;;) {
    const text = table.textOf(row, end);
    const tokens = counted(table, count, text);
    if (tokens <= cap || end === row) return { startRow: row, endRow: end, text, tokens };
    // Over: keep the share of lines the cap allows (at least one line fewer) and count again.
    end = Math.min(end - 1, row + Math.floor((end - row + 1) * (cap / tokens) * 0.95) - 1);
    end = Math.max(row, end);
  }
}

/**
 * Line windows of at most `windowLines` lines and `cap` tokens, each starting `overlapLines` before the
 * previous one ended, so a function cut by a window boundary is whole in one of the two windows.
 */
export function lineWindows(table: LineTable, windowLines: number, overlapLines: number, cap: number, count: CountTokens): Span[] {
  const spans: Span[] = [];
  const last = table.length - 1;
  let row = 0;
  let coveredEnd = -1;
  while (row <= last) {
    if (table.isBlank(row, row)) {
      row++;
      continue;
    }
    if (lineOverCap(table, row, cap, count)) {
      spans.push(...charWindows(table.lines[row], row, cap, count));
      coveredEnd = row;
      row++;
      continue;
    }
    const span = greedySpan(table, row, last, windowLines, cap, count);
    if (span.endRow <= coveredEnd) {
      // The overlap alone filled the window (long lines): start after what is covered, without overlap.
      row = coveredEnd + 1;
      continue;
    }
    spans.push(span);
    coveredEnd = span.endRow;
    if (coveredEnd >= last) break;
    // Long lines make windows short: never overlap more than a quarter of the window just made.
    const overlap = Math.min(overlapLines, Math.floor((span.endRow - span.startRow + 1) / 4));
    row = Math.max(row + 1, coveredEnd + 1 - overlap);
  }
  return spans;
}

const BREAK_CHARS = new Set([32, 9, 44, 59, 125, 41, 93, 62]); // space tab , ; } ) ] >

/**
 * Character windows of one long line, each at most `cap` tokens, cut after a space or punctuation near
 * the end when there is one, never inside a surrogate pair. Linear: each window is counted about once.
 */
export function charWindows(line: string, row: number, cap: number, count: CountTokens): Span[] {
  const spans: Span[] = [];
  let charsPerToken = 2;
  let start = 0;
  while (start < line.length) {
    let end = Math.min(line.length, start + Math.max(1, Math.floor(cap * charsPerToken * 0.9)));
    if (end < line.length) end = breakBefore(line, start, end);
    let text = line.slice(start, end);
    let tokens = count(text);
    while (tokens > cap && end - start > 1) {
      end = alignEnd(line, start + Math.max(1, Math.floor((((end - start) * cap) / tokens) * 0.9)));
      text = line.slice(start, end);
      tokens = count(text);
    }
    spans.push({ startRow: row, endRow: row, columns: { start, end }, text, tokens });
    if (tokens > 0) charsPerToken = Math.min(12, Math.max(0.25, charsPerToken * 0.5 + ((end - start) / tokens) * 0.5));
    start = end;
  }
  return spans;
}

function breakBefore(line: string, start: number, end: number): number {
  const floor = Math.max(start + 1, end - 80);
  for (let i = end; i > floor; i--) if (BREAK_CHARS.has(line.charCodeAt(i - 1))) return i;
  return alignEnd(line, end);
}

/** Moves an end offset back off a high surrogate so a window never splits a character. */
function alignEnd(line: string, end: number): number {
  const c = line.charCodeAt(end - 1);
  return c >= 0xd800 && c <= 0xdbff && end - 1 > 0 ? end - 1 : end;
}
