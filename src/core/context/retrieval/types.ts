// The data the retrieval core hands out: chunks, search results with their reasons, progress, notices.
// Plain objects only, so they cross the worker boundary unchanged (structured clone).

import type { DefinitionKind } from '../syntax/languages';
import type { ScoreReasons } from '../../../shared/scoreReasons';

/** Counts tokens of a text with the tokenizer the caller chose. */
export type CountTokens = (text: string) => number;

/** What a chunk holds: a definition, code between definitions, or a window of a file without a grammar. */
export type ChunkKind = DefinitionKind | 'block' | 'window';

/** One piece of a file, as indexed and as handed to the prompt. */
export interface Chunk {
  /** Workspace-relative path with `/` separators. */
  file: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** When the chunk is part of one long line (minified code): UTF-16 offsets within that line. */
  columns?: { start: number; end: number };
  kind: ChunkKind;
  /** Qualified names defined in the chunk, outermost first (`RateLimiter.Decision.isAllowed`). */
  symbols: string[];
  /** Names of the definitions around the chunk, outermost first. */
  enclosing: string[];
  /** The declaration line(s) of the chunk's first definition, whitespace collapsed. */
  signature?: string;
  /** Set when one definition was split to respect the token cap: which part this is. */
  part?: { index: number; count: number };
  /** Grammar id (`typescript`, `python`, ...) or the file extension for line windows. */
  language: string;
  /** Tokens of `text`, by the injected counter. Never above the chunker's cap. */
  tokens: number;
  /** The exact source text of the lines (or the slice of the line, with `columns`). */
  text: string;
}

/** Where the user is, for nearness boosts. Lines are 1-based, inclusive. */
export interface SelectionHint {
  file: string;
  startLine: number;
  endLine: number;
}

/** Everything a search can take besides the query. */
export interface SearchOptions {
  /** How many results to return (default 20). */
  limit?: number;
  selection?: SelectionHint;
  /** Recently edited files, most recent first. */
  recentFiles?: string[];
  /** Set false to skip the vector side even when embeddings are ready (e.g. no time to embed the query). */
  semantic?: boolean;
  /** A precomputed query vector (the same model as the index); skips the /api/embed call for the query. */
  queryVector?: Float32Array | number[];
}

/** Why a result ranks where it does: every term of its score (shared with the panel's context list). */
export type { ScoreReasons };

/** One ranked chunk. Results come sorted by `score`, highest first; the token engine cuts the lowest first. */
export interface SearchResult {
  /** Stable id of the chunk: `file#startLine-endLine` (plus `:column` for line slices). */
  id: string;
  chunk: Chunk;
  score: number;
  why: ScoreReasons;
}

/** What the semantic side can do right now. */
export type SemanticState = 'off' | 'probing' | 'ready' | 'model-missing' | 'unreachable' | 'failed';

/** The answer to a search: results plus what the user should know about how they were found. */
export interface SearchResponse {
  results: SearchResult[];
  /** Whether vectors took part in this ranking. */
  semantic: boolean;
  /** The note the panel shows when the vector side is not available, e.g. "`ollama pull nomic-embed-text` for semantic search". */
  note?: string;
  /** Milliseconds spent in each stage, for the log and the bench. */
  timings: { lexicalMs: number; vectorMs: number; embedQueryMs: number; fuseMs: number; totalMs: number };
}

/** Stages of a long index job. */
export type IndexPhase = 'loading' | 'scanning' | 'chunking' | 'embedding' | 'persisting' | 'idle';

/** A progress event of a long job (at most one every 100 ms, plus one at each phase's end). */
export interface IndexProgress {
  phase: IndexPhase;
  /** Units done and total of this phase (files for scanning/chunking, chunks for embedding). */
  done: number;
  total: number;
  files: number;
  chunks: number;
  elapsedMs: number;
}

/** Something the user should know about the index: a limit reached, a file skipped, a rebuilt index. */
export interface IndexNotice {
  code: IndexNoticeCode;
  /** The sentence the UI shows, with the numbers. */
  message: string;
  /** What the user can do. */
  advice: string;
  /** The numbers and paths behind the message. */
  details: Record<string, string | number>;
}

export type IndexNoticeCode =
  | 'file-too-large'
  | 'too-many-files'
  | 'total-bytes-limit'
  | 'chunk-limit'
  | 'binary-skipped'
  | 'generated-skipped'
  | 'unreadable-file'
  | 'grammar-unavailable'
  | 'index-rebuilt'
  | 'persist-failed'
  | 'disk-limit'
  | 'embedding-model-missing'
  | 'embedding-unreachable'
  | 'embedding-failed'
  | 'embedding-cut'
  | 'worker-stopped';

/** How big the index is and what it can do. */
export interface IndexStats {
  files: number;
  chunks: number;
  /** Bytes of source text indexed. */
  bytes: number;
  terms: number;
  postings: number;
  /** Chunks with a vector, chunks still waiting for one. */
  embedded: number;
  pendingEmbeddings: number;
  semantic: SemanticState;
  /** The embedding model and its facts, when probed. */
  embeddingModel?: string;
  dimensions?: number;
  embeddingContext?: number;
  /** Bytes held by vectors (int8 + sign bits + scales). */
  vectorBytes: number;
  /** Bytes of the persisted files, when persisted. */
  diskBytes: number;
  /** Files indexed per language id. */
  languages: Record<string, number>;
  /** Memory of the thread holding the index (its own heap in a worker), from process.memoryUsage(). */
  memory: { heapUsedBytes: number; arrayBufferBytes: number };
  /** Every notice of the last job, newest last (a bounded list). */
  notices: IndexNotice[];
  /** The note for the panel when semantic search is unavailable. */
  note?: string;
}
