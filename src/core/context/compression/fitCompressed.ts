// The optimizer's compressed path: compress, cut what still does not fit exactly as without compression, then
// check every reference (a merged chunk's shared lines, a repeated block's marker) against what was sent. A
// reference whose target was dropped or cut is never sent: the plan is made again without it.
import { chunkCost, fitContext, type ContextFit, type RankedChunk } from '../../tokens/contextFit';
import type { Meter } from '../../tokens/meter';
import type { ChunkReport, HistoryMessage, PromptCompression } from '../../tokens/types';
import { compressToFit, type HistoryPlan } from './compressToFit';
import { referenceKey, type Reference, type StepReport } from './types';

/** Plans are made again at most this many times with references excluded; the last one makes none. */
export const MAX_REFERENCE_PASSES = 4;

export interface CompressedFitInput {
  meter: Meter;
  /** The chunks as the optimizer ranked them (most relevant first). */
  ranked: readonly RankedChunk[];
  history: readonly HistoryMessage[];
  /** The system prompt and user message as they will be sent. */
  systemPrompt: string;
  userInput: string;
  /** Room for history and context together. */
  room: number;
  maxChunks: number;
  perMessageOverhead: number;
  planHistory(costs: readonly number[], contextNeed: number): HistoryPlan;
}

export interface CompressedFit {
  /** The kept history messages (the newest), as compressed. */
  history: HistoryMessage[];
  firstKept: number;
  historyTokens: number;
  context: ContextFit;
  /** Undefined when nothing that was sent had been compressed. */
  compression?: PromptCompression;
}

/** Compresses, cuts and checks references; see docs/compression.md. */
export function fitCompressed(input: CompressedFitInput): CompressedFit {
  const { meter } = input;
  const original = new Map(input.ranked.map((c, rank) => [c.index, { chunk: c, rank }]));
  const exclude = new Set<string>();
  for (let pass = 0; ; pass++) {
    const last = pass === MAX_REFERENCE_PASSES - 1;
    const result = compressToFit(
      {
        chunks: input.ranked.map((c) => ({ index: c.index, text: c.text, source: c.source })),
        history: input.history,
        systemPrompt: input.systemPrompt,
        userInput: input.userInput,
      },
      {
        room: input.room,
        maxChunks: input.maxChunks,
        measure: (t) => meter.measure(t),
        chunkCost: (t) => chunkCost(t, meter),
        messageCost: (t) => meter.measure(t) + input.perMessageOverhead,
        planHistory: input.planHistory,
      },
      { exclude, references: !last },
    );
    const ranked: RankedChunk[] = result.chunks.map((c) => {
      const o = original.get(c.index)!.chunk;
      return { ...o, text: c.text, tokens: meter.measure(c.text), cost: chunkCost(c.text, meter) };
    });
    const plan = result.historyPlan;
    const context = fitContext(ranked, input.maxChunks, plan.contextRoom, input.userInput, meter);
    const sent = new Map<string, string>([
      ['system', input.systemPrompt],
      ['user', input.userInput],
    ]);
    for (const k of context.kept) sent.set(`c${k.index}`, k.text);
    result.history.forEach((m, i) => {
      if (i >= plan.firstKept) sent.set(`h${i}`, m.content);
    });
    const holds = holdsText(sent, result.references);
    let broken = false;
    for (const r of result.references) {
      if (!sent.has(r.from)) continue;
      if (!holds(r.to, r.text)) {
        exclude.add(referenceKey(r.from, r.to));
        broken = true;
      }
    }
    if (broken && !last) continue;
    // A chunk merged whole into another is in the prompt exactly when its host was sent holding its lines.
    const absorbed = new Map<string, boolean>();
    for (const rep of result.reports) {
      for (const it of rep.items) {
        if (!it.absorbed) continue;
        const ref = result.references.find((r) => r.from === it.pieceId && r.to === it.into);
        absorbed.set(it.pieceId, ref !== undefined && holds(ref.to, ref.text));
      }
    }
    const dropped: ChunkReport[] = context.dropped.map((d) => ({ ...d, tokens: original.get(d.index)!.chunk.tokens }));
    for (const [pieceId, present] of absorbed) {
      if (present) continue;
      const o = original.get(Number(pieceId.slice(1)))!.chunk;
      dropped.push({ index: o.index, id: o.id, source: o.source, relevance: o.relevance, tokens: o.tokens, keptTokens: 0, status: 'dropped' });
    }
    dropped.sort((a, b) => original.get(a.index)!.rank - original.get(b.index)!.rank);
    return {
      history: result.history.slice(plan.firstKept),
      firstKept: plan.firstKept,
      historyTokens: plan.historyTokens,
      context: { ...context, dropped },
      compression: summarize(result.reports, (id) => absorbed.get(id) ?? sent.has(id)),
    };
  }
}

/**
 * Whether a sent text holds some lines, itself or through its own markers: a window whose lines were replaced by
 * "[same 30 lines as in an earlier message]" still holds them for a chunk that refers to the window, as long as
 * that message was sent. Chains are followed to a depth of 8 (they are one or two links long in practice).
 */
function holdsText(sent: ReadonlyMap<string, string>, references: readonly Reference[]): (id: string, text: string) => boolean {
  const expanded = new Map<string, string | undefined>();
  const expand = (id: string, depth: number): string | undefined => {
    if (expanded.has(id)) return expanded.get(id);
    let text = sent.get(id);
    if (text !== undefined && depth < 8) {
      for (const r of references) {
        if (r.from !== id || r.marker === undefined || !text.includes(r.marker)) continue;
        const target = expand(r.to, depth + 1);
        if (target !== undefined && target.includes(r.text)) text = text.replace(r.marker, r.text);
      }
    }
    expanded.set(id, text);
    return text;
  };
  return (id, text) => expand(id, 0)?.includes(text) ?? false;
}

/** The savings of the steps on what was sent: a piece's change counts when the piece (merged: its lines) was sent. */
function summarize(reports: readonly StepReport[], wasSent: (pieceId: string) => boolean): PromptCompression | undefined {
  const steps: PromptCompression['steps'] = [];
  for (const rep of reports) {
    const items = rep.items
      .filter((it) => wasSent(it.pieceId))
      .map((it) => ({ section: it.section, index: it.index, source: it.source, savedTokens: it.tokensBefore - it.tokensAfter }));
    if (items.length === 0) continue;
    steps.push({ step: rep.step, savedTokens: items.reduce((a, it) => a + it.savedTokens, 0), items });
  }
  if (steps.length === 0) return undefined;
  return { steps, savedTokens: steps.reduce((a, s) => a + s.savedTokens, 0) };
}
