// Typed notices built from what the token engine and the server reported (the words live in shared/notices.ts).
import type { OmittedChunk, ServerCutNotice, TruncatedNotice } from '../../shared/notices';
import type { ChunkReport, PromptSection } from '../tokens/types';
import type { TruncationCheck } from './truncationCheck';

/** What a plan (or a plan's summary for the meter) says was cut. */
export interface CutFacts {
  truncated: boolean;
  truncatedSections: readonly PromptSection[];
  droppedChunks: readonly ChunkReport[];
  droppedMessages: number;
  /** Our total of the prompt as planned, and what it would have needed uncut. */
  total: number;
  requested: number;
  limit: number;
}

/** How a chunk is named when it is reported: its source, its id, or its position. */
export function chunkName(chunk: Pick<ChunkReport, 'source' | 'id' | 'index'>): string {
  return chunk.source ?? chunk.id ?? `context chunk ${chunk.index + 1}`;
}

function omitted(chunk: ChunkReport): OmittedChunk {
  const partial = chunk.status === 'cut';
  // For a cut chunk, what was lost is the whole minus what was kept (the kept part includes the cut marker).
  const tokens = partial ? Math.max(0, chunk.tokens - chunk.keptTokens) : chunk.tokens;
  return partial ? { source: chunkName(chunk), tokens, partial } : { source: chunkName(chunk), tokens };
}

/** The 'truncated' notice of a plan, or undefined when nothing was cut. */
export function truncatedNotice(facts: CutFacts): TruncatedNotice | undefined {
  if (!facts.truncated && facts.droppedChunks.length === 0) return undefined;
  const sections = facts.truncatedSections.length ? [...facts.truncatedSections] : (['context'] as PromptSection[]);
  const chunkTokens = facts.droppedChunks.reduce((sum, c) => sum + (omitted(c).tokens ?? 0), 0);
  const tokensCut = facts.requested > facts.total ? facts.requested - facts.total : chunkTokens > 0 ? chunkTokens : undefined;
  return {
    kind: 'truncated',
    sections,
    tokensCut,
    droppedChunks: facts.droppedChunks.map(omitted),
    droppedMessages: facts.droppedMessages,
    window: facts.limit,
  };
}

/** The 'serverCut' notice of a suspected server-side truncation. */
export function serverCutNotice(check: TruncationCheck, sentTokens: number, numCtx: number): ServerCutNotice {
  return { kind: 'serverCut', sentTokens, evaluatedTokens: check.actual, expectedTokens: check.expected, numCtx };
}
