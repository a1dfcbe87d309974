import { DEFAULT_CHUNKER_OPTIONS, type ChunkerOptions } from './chunker';
import { RetrievalOptionError } from './errors';
import { DEFAULT_FUSION, type FusionWeights } from './fusion';
import { DEFAULT_BM25, type Bm25Options } from './lexicalIndex';

// Every option of the workspace index in one place: defaults, limits, validation. The host maps its
// settings onto these; nothing out of range is clamped silently.

export interface IndexLimits {
  /** Files over this many bytes are skipped (with a notice). */
  maxFileBytes: number;
  /** Files indexed at most; the rest of the list is skipped (with a notice). */
  maxFiles: number;
  /** Bytes of source indexed at most (memory and disk grow with it). */
  maxTotalBytes: number;
  /** Chunks at most (the vectors' memory grows with it: 869 bytes per chunk at 768 dimensions). */
  maxChunks: number;
  /** The persisted files may not exceed this; over it the index is not saved (with a notice). */
  maxDiskBytes: number;
}

export interface EmbeddingOptions {
  /** Ollama's base URL. */
  ollamaUrl: string;
  /** The embedding model; '' turns semantic search off. */
  model: string;
  batchSize: number;
  timeoutMs: number;
  documentPrefix?: string;
  queryPrefix?: string;
}

/** Everything that shapes the index. */
export interface RetrievalOptions {
  /** Folder of tree-sitter.wasm and the tree-sitter-<lang>.wasm grammars (the bundle ships a copy). */
  grammarDir?: string;
  /** Folder where the index is saved (the host's storage folder for the workspace); none = memory only. */
  storageDir?: string;
  /** Absolute path of the workspace folder, to read .gitignore files and files given without fsPath. */
  root?: string;
  chunker: ChunkerOptions;
  limits: IndexLimits;
  /** gitignore-style patterns to leave out besides .gitignore. */
  ignore: string[];
  /** Skip lock files, bundles, maps, minified and `@generated` files. */
  skipGenerated: boolean;
  bm25: Bm25Options;
  fusion: FusionWeights;
  /** Candidates taken from each list before fusion. */
  lexicalCandidates: number;
  vectorCandidates: number;
  /** Chunks around the selection added as candidates, within this many lines of it. */
  selectionWindowLines: number;
  embedding: EmbeddingOptions;
  /** Saving waits for this much quiet after a change (several saves in a row write once). */
  persistDebounceMs: number;
  /** Name of the token counter, stored with the index: another counter means other chunks, so a rebuild. */
  tokenizerName: string;
}

/** Defaults; each nested group can be given in part. */
export const DEFAULT_RETRIEVAL_OPTIONS: RetrievalOptions = {
  chunker: DEFAULT_CHUNKER_OPTIONS,
  limits: { maxFileBytes: 1_048_576, maxFiles: 50_000, maxTotalBytes: 256 * 1_048_576, maxChunks: 200_000, maxDiskBytes: 1024 * 1_048_576 },
  ignore: [],
  skipGenerated: true,
  bm25: DEFAULT_BM25,
  fusion: DEFAULT_FUSION,
  lexicalCandidates: 100,
  vectorCandidates: 100,
  selectionWindowLines: 60,
  embedding: { ollamaUrl: 'http://127.0.0.1:11434', model: 'nomic-embed-text', batchSize: 32, timeoutMs: 120_000 },
  persistDebounceMs: 2000,
  tokenizerName: 'custom',
};

/** Options as a caller gives them: any group, any field, may be left out. */
export type RetrievalOptionsInput = Partial<Omit<RetrievalOptions, 'chunker' | 'limits' | 'bm25' | 'fusion' | 'embedding'>> & {
  chunker?: Partial<ChunkerOptions>;
  limits?: Partial<IndexLimits>;
  bm25?: Partial<Bm25Options>;
  fusion?: Partial<FusionWeights>;
  embedding?: Partial<EmbeddingOptions>;
};

function integer(option: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RetrievalOptionError(option, value, `an integer from ${min} to ${max}`);
}

function positive(option: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max)
    throw new RetrievalOptionError(option, value, `a number from 0 to ${max}`);
}

/** Fills in the defaults and checks every value; throws RetrievalOptionError naming the first bad one. */
export function resolveOptions(input: RetrievalOptionsInput = {}): RetrievalOptions {
  const d = DEFAULT_RETRIEVAL_OPTIONS;
  const o: RetrievalOptions = {
    ...d,
    ...input,
    chunker: { ...d.chunker, ...input.chunker },
    limits: { ...d.limits, ...input.limits },
    bm25: { ...d.bm25, ...input.bm25 },
    fusion: { ...d.fusion, ...input.fusion },
    embedding: { ...d.embedding, ...input.embedding },
    ignore: [...(input.ignore ?? d.ignore)],
  };
  const c = o.chunker;
  integer('chunker.maxChunkTokens', c.maxChunkTokens, 16, 100_000);
  integer('chunker.minChunkTokens', c.minChunkTokens, 0, Math.floor(c.maxChunkTokens / 2));
  integer('chunker.windowLines', c.windowLines, 1, 10_000);
  integer('chunker.overlapLines', c.overlapLines, 0, c.windowLines - 1);
  integer('chunker.minifiedLineChars', c.minifiedLineChars, 40, 1_000_000);
  integer('chunker.parseTimeoutMs', c.parseTimeoutMs, 1, 600_000);
  integer('chunker.descendRows', c.descendRows, 1, 1_000_000);
  const l = o.limits;
  integer('limits.maxFileBytes', l.maxFileBytes, 1, 1 << 30);
  integer('limits.maxFiles', l.maxFiles, 1, 10_000_000);
  integer('limits.maxTotalBytes', l.maxTotalBytes, 1, Number.MAX_SAFE_INTEGER);
  integer('limits.maxChunks', l.maxChunks, 1, 50_000_000);
  integer('limits.maxDiskBytes', l.maxDiskBytes, 1, Number.MAX_SAFE_INTEGER);
  positive('bm25.k1', o.bm25.k1, 100);
  positive('bm25.b', o.bm25.b, 1);
  integer('bm25.maxQueryTerms', o.bm25.maxQueryTerms, 1, 10_000);
  positive('fusion.k', o.fusion.k, 1e6);
  for (const key of ['lexical', 'vector', 'selection', 'recent'] as const) positive(`fusion.${key}`, o.fusion[key], 1e6);
  if (!(o.fusion.selectionHalfLines > 0)) throw new RetrievalOptionError('fusion.selectionHalfLines', o.fusion.selectionHalfLines, 'a number above 0');
  integer('lexicalCandidates', o.lexicalCandidates, 1, 100_000);
  integer('vectorCandidates', o.vectorCandidates, 1, 100_000);
  integer('selectionWindowLines', o.selectionWindowLines, 0, 1_000_000);
  integer('embedding.batchSize', o.embedding.batchSize, 1, 4096);
  integer('embedding.timeoutMs', o.embedding.timeoutMs, 1, 3_600_000);
  integer('persistDebounceMs', o.persistDebounceMs, 0, 3_600_000);
  if (typeof o.embedding.model !== 'string') throw new RetrievalOptionError('embedding.model', o.embedding.model, "a model name, or '' for no semantic search");
  if (!Array.isArray(o.ignore) || !o.ignore.every((p) => typeof p === 'string'))
    throw new RetrievalOptionError('ignore', o.ignore, 'a list of gitignore patterns');
  return o;
}

/** What must match for a saved index to be reused: anything that changes how files are cut or counted. */
export function indexFingerprint(o: RetrievalOptions): string {
  return JSON.stringify({
    chunker: o.chunker,
    tokenizer: o.tokenizerName,
    skipGenerated: o.skipGenerated,
    ignore: o.ignore,
    limits: { maxFileBytes: o.limits.maxFileBytes },
  });
}
