// The driver the optimizer runs when a prompt would otherwise lose context or history. Lossless steps first
// (merge, repeats, whitespace), each over every chunk and old message, stopping as soon as everything fits; then the history is fitted as the
// optimizer fits it; then lossy steps on the one chunk that does not fit whole (the least relevant one the
// window can still take), only as far as needed. A more relevant chunk never loses a line so that a less
// relevant one can stay. What still does not fit is left to the optimizer's cutting.
import type { HistoryMessage } from '../../tokens/types';
import { withoutComments } from './comments';
import { elideToFit } from './elide';
import { mergeOverlapping } from './overlap';
import { dedupeRepeats } from './repeats';
import { collapseBlankRuns, trimTrailingWhitespace } from './whitespace';
import { itemOf, reportOf, type Measure, type Piece, type Reference, type StepItem, type StepReport, type StepResult } from './types';

/** A context chunk as the driver sees it. */
export interface CompressChunk {
  /** Position in the caller's array. */
  index: number;
  text: string;
  source?: string;
}

/** What is compressed, and what is only read (a block repeated there is referenced, never removed). */
export interface CompressInput {
  /** Context chunks in the optimizer's rank order (most relevant first). */
  chunks: readonly CompressChunk[];
  /** The conversation so far, oldest first. */
  history: readonly HistoryMessage[];
  systemPrompt: string;
  userInput: string;
}

/** The optimizer's decision for history, given what history and context need. */
export interface HistoryPlan {
  /** Index of the oldest message kept. */
  firstKept: number;
  historyTokens: number;
  /** The room left for the context block. */
  contextRoom: number;
}

/** The optimizer's rules, passed in so the driver plans exactly as the optimizer will cut. */
export interface CompressBudget {
  /** Room for history and context together, in model tokens. */
  room: number;
  maxChunks: number;
  measure: Measure;
  /** A chunk's planned cost in the context block (text, separator, seam slack). */
  chunkCost(text: string): number;
  /** A message's cost (text and per-message overhead). */
  messageCost(text: string): number;
  planHistory(costs: readonly number[], contextNeed: number): HistoryPlan;
}

export interface CompressOptions {
  /** Reference keys (referenceKey) not to make: they pointed at text that was cut in an earlier plan. */
  exclude?: ReadonlySet<string>;
  /** False: no step that leaves a reference (merging, repeats), for the last-resort plan. Default true. */
  references?: boolean;
}

export interface CompressResult {
  /** The chunks left (merged ones are gone), in rank order, with their texts as compressed. */
  chunks: CompressChunk[];
  /** Every history message, compressed where it helped. */
  history: HistoryMessage[];
  historyPlan: HistoryPlan;
  /** The steps that changed anything, in the order they ran. */
  reports: StepReport[];
  references: Reference[];
}

/** Chunks starting beyond this multiple of the room are not scanned for whitespace. */
export const REACH = 1.5;

/** Shrinks context and old history toward the room, lossless steps first, then the one chunk that needs it. */
export function compressToFit(input: CompressInput, budget: CompressBudget, options: CompressOptions = {}): CompressResult {
  const exclude = options.exclude ?? new Set<string>();
  const references = options.references ?? true;
  const n = input.history.length;
  let pieces: Piece[] = [
    ...input.chunks.map((c, rank): Piece => ({ id: `c${c.index}`, section: 'context', index: c.index, text: c.text, source: c.source, rank })),
    ...input.history.map((m, i): Piece => ({ id: `h${i}`, section: 'history', index: i, text: m.content, rank: n - 1 - i, role: m.role })),
  ];
  const context = () => pieces.filter((p) => p.section === 'context').sort((a, b) => a.rank - b.rank);
  const historyCosts = () =>
    pieces
      .filter((p) => p.section === 'history')
      .sort((a, b) => a.index - b.index)
      .map((p) => budget.messageCost(p.text));
  const contextNeed = () =>
    context()
      .slice(0, budget.maxChunks)
      .reduce((a, p) => a + budget.chunkCost(p.text), 0);
  const need = () => contextNeed() + historyCosts().reduce((a, b) => a + b, 0);

  const reports: StepReport[] = [];
  const refs: Reference[] = [];
  const run = (result: StepResult) => {
    pieces = result.pieces;
    if (result.report.items.length > 0) reports.push(result.report);
    refs.push(...result.references);
  };
  const m = budget.measure;
  // Merging and repeats first: they hold the savings (whitespace saves ~0% on real code, docs/compression.md) and
  // compare lines exactly, so they must see the texts before whitespace steps touch some pieces and not others.
  const lossless: Array<() => StepResult> = [];
  if (references) {
    lossless.push(
      () => {
        const merged = mergeOverlapping(context(), m, exclude);
        return { ...merged, pieces: [...merged.pieces, ...pieces.filter((p) => p.section === 'history')] };
      },
      () => dedupeRepeats(pieces, m, { systemPrompt: input.systemPrompt, userInput: input.userInput }, exclude),
    );
  }
  // Whitespace saves a few percent at best: a chunk that starts beyond REACH x the room cannot be brought in by
  // it, so it is not scanned (with 500 chunks for a small window, most of them).
  const whitespace = (step: (ps: readonly Piece[], measure: Measure) => StepResult) => (): StepResult => {
    let cumulative = 0;
    const far = new Set<string>();
    for (const p of context()) {
      if (cumulative > REACH * budget.room) far.add(p.id);
      cumulative += budget.chunkCost(p.text);
    }
    const near = pieces.filter((p) => !far.has(p.id));
    const r = step(near, m);
    const changed = new Map(r.pieces.map((p) => [p.id, p]));
    return { ...r, pieces: pieces.map((p) => changed.get(p.id) ?? p) };
  };
  lossless.push(whitespace(trimTrailingWhitespace), whitespace(collapseBlankRuns));
  for (const step of lossless) {
    if (need() <= budget.room) break;
    run(step());
  }

  const historyPlan = budget.planHistory(historyCosts(), contextNeed());
  if (need() > budget.room) shrinkBoundary(context(), historyPlan.contextRoom, budget, (p) => (pieces = pieces.map((q) => (q.id === p.id ? p : q))), reports);

  return {
    chunks: context().map((p) => ({ index: p.index, text: p.text, source: p.source })),
    history: pieces
      .filter((p) => p.section === 'history')
      .sort((a, b) => a.index - b.index)
      .map((p) => ({ role: p.role!, content: p.text })),
    historyPlan,
    reports,
    references: refs,
  };
}

/**
 * Walks the chunks as the optimizer will (most relevant first, whole while they fit); the first that does not
 * fit is elided as little as needed, or loses its comments and then is elided as needed. The walk goes on
 * after it (a small chunk may still fit), and stops at the first chunk no lossy step can fit.
 */
function shrinkBoundary(ranked: readonly Piece[], room: number, budget: CompressBudget, replace: (p: Piece) => void, reports: StepReport[]): void {
  const elided: StepItem[] = [];
  const uncommented: StepItem[] = [];
  let left = room;
  for (let r = 0; r < Math.min(ranked.length, budget.maxChunks); r++) {
    const piece = ranked[r];
    const cost = budget.chunkCost(piece.text);
    if (cost <= left) {
      left -= cost;
      continue;
    }
    const fits = (text: string) => budget.chunkCost(text) <= left;
    const before = budget.measure(piece.text);
    let text: string | undefined;
    const e = elideToFit(piece, fits);
    if (e) {
      text = e.text;
      elided.push(itemOf(piece, before, budget.measure(text), e.elided));
    } else {
      const d = withoutComments(piece);
      if (!d) break;
      const dTokens = budget.measure(d.text);
      if (dTokens >= before) break;
      if (fits(d.text)) {
        text = d.text;
        uncommented.push(itemOf(piece, before, dTokens, d.lines));
      } else {
        const e2 = elideToFit({ ...piece, text: d.text }, fits);
        if (!e2) break;
        text = e2.text;
        uncommented.push(itemOf(piece, before, dTokens, d.lines));
        elided.push(itemOf(piece, dTokens, budget.measure(text), e2.elided));
      }
    }
    replace({ ...piece, text });
    left -= budget.chunkCost(text);
  }
  if (elided.length > 0) reports.push(reportOf('elideMiddle', elided));
  if (uncommented.length > 0) reports.push(reportOf('dropComments', uncommented));
}
