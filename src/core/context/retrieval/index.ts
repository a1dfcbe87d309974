// Workspace retrieval: the public surface. The host creates a WorkerIndex (or, in tests and scripts, a
// WorkspaceIndex in the same thread), feeds it the workspace's files and their changes, and asks it for
// the chunks relevant to a question. See docs/retrieval.md.
export { Chunker, DEFAULT_CHUNKER_OPTIONS, chunkId, type ChunkMode, type ChunkedFile, type ChunkerOptions } from './chunker';
export { EmbeddingClient, MARGIN_TOKENS, cutToBytes, type EmbeddingClientOptions, type EmbeddingModelInfo, type ProbeResult } from './embeddingClient';
export {
  CorruptIndexError,
  EmbeddingResponseError,
  IndexCancelledError,
  IndexClosedError,
  IndexWorkerError,
  RemoteIndexError,
  RetrievalOptionError,
} from './errors';
export { IgnoreRules, isBinaryContent, isBinaryPath, isGeneratedContent, isGeneratedPath } from './fileFilter';
export { normalisePath, type WorkspaceFile } from './fileSource';
export { DEFAULT_FUSION, fuse, lineDistance, type FusedDoc, type FusionInput, type FusionWeights } from './fusion';
export { codeTerms, foldPlural, queryTerms } from './identifiers';
export type { SyncReport } from './ingest';
export { DEFAULT_BM25, LexicalIndex, type Bm25Options, type LexicalHit } from './lexicalIndex';
export { notices, pullNote } from './notices';
export {
  DEFAULT_RETRIEVAL_OPTIONS,
  resolveOptions,
  type EmbeddingOptions,
  type IndexLimits,
  type RetrievalOptions,
  type RetrievalOptionsInput,
} from './options';
export type { EmbedReport } from './semanticIndex';
export * from './types';
export { VectorStore, type VectorHit } from './vectorStore';
export { WorkerIndex, type WorkerIndexOptions } from './workerIndex';
export type { TokenizerChoice } from './workerProtocol';
export type { FileChanges, JobOptions, OpenReport, RetrievalIndex } from './retrievalIndex';
export { WorkspaceIndex, type IndexDependencies } from './workspaceIndex';
export { GrammarLoadError, GrammarSet, defaultGrammarDir } from '../syntax/grammars';
export { LANGUAGES, languageOfPath, type DefinitionKind, type LanguageSpec } from '../syntax/languages';
