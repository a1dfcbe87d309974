// The context list of one answer: every chunk the request carried, what the token engine did with it (the
// ChunkReports of its fit say which were cut or dropped; the rest went in whole), and how retrieval took part.
import type { ChunkReport, ContextChunk } from '../../core/tokens/types';
import type { ContextEntry, ContextReport } from '../../protocol/context';
import { isLocatedChunk } from './contextChunks';

/** How retrieval took part in a request: the report without its entries. */
export type RetrievalInfo = Omit<ContextReport, 'entries'>;

/**
 * The report for a request's context (`context` exactly as handed to the token engine, `dropped` from its fit).
 * Entries are most relevant first, as the engine keeps them. Undefined when there is nothing to say: no context and
 * no retrieval information.
 */
export function reportContext(
  context: readonly ContextChunk[],
  dropped: readonly ChunkReport[],
  retrieval: RetrievalInfo | undefined,
): ContextReport | undefined {
  if (context.length === 0 && !retrieval) return undefined;
  const cuts = new Map(dropped.map((d) => [d.index, d]));
  const entries = context.map((chunk, index) => ({ entry: entryOf(chunk, index, cuts.get(index)), relevance: relevanceOf(chunk), index }));
  // The engine ranks by relevance, chunks without one after those with one, each group in the caller's order.
  entries.sort((a, b) => (b.relevance ?? -Infinity) - (a.relevance ?? -Infinity) || a.index - b.index);
  const report: ContextReport = {
    entries: entries.map((e) => e.entry),
    retrieval: retrieval?.retrieval ?? 'not-used',
    pinned: retrieval?.pinned ?? [],
    excluded: retrieval?.excluded ?? [],
  };
  if (retrieval?.note) report.note = retrieval.note;
  return report;
}

function relevanceOf(chunk: ContextChunk): number | undefined {
  return typeof chunk === 'string' ? undefined : chunk.relevance;
}

function entryOf(chunk: ContextChunk, index: number, cut: ChunkReport | undefined): ContextEntry {
  const status = cut ? cut.status : 'sent';
  const counts = cut ? { tokens: cut.tokens, keptTokens: cut.keptTokens } : {};
  if (isLocatedChunk(chunk)) {
    const entry: ContextEntry = { id: chunk.id, label: chunk.source, location: chunk.location, origin: chunk.origin, status, ...counts };
    // Only the facts there are: the report is stored with the conversation and posted to the panel as JSON.
    if (chunk.score !== undefined) entry.score = chunk.score;
    if (chunk.parts) entry.parts = chunk.parts;
    if (chunk.symbols) entry.symbols = chunk.symbols;
    return entry;
  }
  const label = typeof chunk === 'string' ? `context ${index + 1}` : (chunk.source ?? chunk.id ?? `context ${index + 1}`);
  return { id: typeof chunk === 'string' ? `context-${index}` : (chunk.id ?? `context-${index}`), label, origin: 'other', status, ...counts };
}
