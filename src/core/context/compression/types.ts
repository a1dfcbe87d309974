// The data every compression step takes and returns. A step is a pure function over pieces (context chunks and
// history messages); it returns new pieces and a report of what it saved, counted in the caller's model tokens.
import type { CompressionStep } from '../../../shared/notices';

export type { CompressionStep };

/** Counts a text in model tokens (the optimizer passes its Meter's measure, so counts are cached and calibrated). */
export type Measure = (text: string) => number;

/** One text the steps may shrink: a context chunk or an old history message. */
export interface Piece {
  /** Stable within one compression run: `c<index>` for chunk `index`, `h<index>` for history message `index`. */
  readonly id: string;
  readonly section: 'context' | 'history';
  /** Position in the caller's chunk array or history array. */
  readonly index: number;
  readonly text: string;
  /** Where a chunk came from (a file path, `src/a.ts:10-40`, ...). */
  readonly source?: string;
  /**
   * Survival order: lower survives longer. Context: the optimizer's rank (most relevant first); history: newest
   * first. A repeated block is kept in the piece that survives longest and referenced from the others.
   */
  readonly rank: number;
  /** A history message's role (the reference markers name it). */
  readonly role?: 'user' | 'assistant' | 'system';
}

/** What one step did to one piece. */
export interface StepItem {
  pieceId: string;
  section: 'context' | 'history';
  index: number;
  source?: string;
  tokensBefore: number;
  tokensAfter: number;
  /** Lines removed (whitespace, comments), elided, or replaced by a reference. */
  lines: number;
  /** For a merged or referencing piece: the piece (or `system` / `user`) that holds the lines it no longer sends. */
  into?: string;
  /** For a merged piece: absorbed whole (it leaves the prompt; all its lines are in `into`). */
  absorbed?: boolean;
}

/** The report every step returns; tokensBefore/After are summed over the pieces the step changed. */
export interface StepReport {
  step: CompressionStep;
  tokensBefore: number;
  tokensAfter: number;
  items: StepItem[];
}

/**
 * A piece whose lines now live in another text: a merged chunk's shared lines, or a repeated block replaced by a
 * marker. After cutting, the optimizer checks that `to` was sent and still holds `text`; if not, it plans again
 * without this reference, so a marker never points at something the model did not get.
 */
export interface Reference {
  from: string;
  /** A piece id, or `system` / `user` for the system prompt and the user's message. */
  to: string;
  /** The exact lines `from` relies on, joined with "\n". */
  text: string;
  /** The line that stands for them in `from`, when there is one (a repeat's or a hole's marker). */
  marker?: string;
}

/** A step's result. */
export interface StepResult {
  pieces: Piece[];
  report: StepReport;
  references: Reference[];
}

/** The key of a reference in an exclusion set. */
export function referenceKey(from: string, to: string): string {
  return `${from}>${to}`;
}

/** A report from the items a step produced. */
export function reportOf(step: CompressionStep, items: StepItem[]): StepReport {
  let before = 0;
  let after = 0;
  for (const it of items) {
    before += it.tokensBefore;
    after += it.tokensAfter;
  }
  return { step, tokensBefore: before, tokensAfter: after, items };
}

/** The item a step reports for a piece it changed. */
export function itemOf(piece: Piece, tokensBefore: number, tokensAfter: number, lines: number, extra: Partial<StepItem> = {}): StepItem {
  return { pieceId: piece.id, section: piece.section, index: piece.index, source: piece.source, tokensBefore, tokensAfter, lines, ...extra };
}
