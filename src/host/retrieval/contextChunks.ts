// Context chunks that know where they come from. They are ordinary ContextChunks for the token engine (text,
// relevance, source, id) with two more fields the engine ignores and the context report reads back: the file and
// lines, and how the chunk got in. Typed data all the way, so the panel never parses a `source` string.
import { fence } from '../../core/context/explainContext';
import type { SearchResult } from '../../core/context/retrieval';
import type { ContextChunk } from '../../core/tokens/types';
import type { ContextLocation, ContextOrigin, ContextScoreParts } from '../../protocol/context';

/** A context chunk of a workspace file. */
export interface LocatedChunk {
  id: string;
  /** `path:start-end`: what the token engine reports when it cuts the chunk. */
  source: string;
  text: string;
  /** Higher is kept first by the token engine. */
  relevance: number;
  location: ContextLocation;
  origin: ContextOrigin;
  /** The index's fused score, when the index found it. */
  score?: number;
  parts?: ContextScoreParts;
  symbols?: string[];
}

/** True for chunks made here or by Explain Selection (they carry a location and an origin). */
export function isLocatedChunk(chunk: ContextChunk): chunk is ContextChunk & LocatedChunk {
  if (typeof chunk !== 'object' || chunk === null) return false;
  const c = chunk as Partial<LocatedChunk>;
  return typeof c.origin === 'string' && typeof c.location === 'object' && c.location !== null && typeof c.location.file === 'string';
}

/** `src/a.ts:10-42`: the one spelling of a chunk's source. */
export function sourceOf(location: ContextLocation): string {
  return `${location.file}:${location.startLine}-${location.endLine}`;
}

/** A hit of the index as the model sees it: where it is (and in which class), then the code, fenced. */
export function chunkFromHit(hit: SearchResult, file: string, origin: ContextOrigin, relevance: number): LocatedChunk {
  const c = hit.chunk;
  const location = { file, startLine: c.startLine, endLine: c.endLine };
  const lines = c.startLine === c.endLine ? `line ${c.startLine}` : `lines ${c.startLine}-${c.endLine}`;
  const inside = c.enclosing.length ? `, in ${c.enclosing.join('.')}` : '';
  const part = c.part ? `, part ${c.part.index} of ${c.part.count}` : '';
  const w = hit.why;
  return {
    id: `${origin}:${file}#${c.startLine}-${c.endLine}${c.columns ? `:${c.columns.start}` : ''}`,
    source: sourceOf(location),
    text: `${file} (${lines}${inside}${part}):\n${fence(c.language, c.text)}`,
    relevance,
    location,
    origin,
    score: hit.score,
    parts: {
      lexicalRank: w.lexicalRank,
      vectorRank: w.vectorRank,
      vectorScore: w.vectorScore,
      lexical: w.lexical,
      vector: w.vector,
      selection: w.selection,
      recent: w.recent,
    },
    symbols: c.symbols.length ? c.symbols : undefined,
  };
}
