import type { WorkspaceFile } from './fileSource';
import type { SyncReport } from './ingest';
import type { EmbedReport } from './semanticIndex';
import type { IndexNotice, IndexProgress, IndexStats, SearchOptions, SearchResponse } from './types';

// The API of the workspace index, shared by the in-thread WorkspaceIndex and the WorkerIndex proxy.

/** File events from the host, applied together. */
export interface FileChanges {
  /** Created or saved files (or dirty editors, with `text`). */
  changed?: WorkspaceFile[];
  /** Deleted files or folders (workspace-relative). */
  deleted?: string[];
  /** Renamed or moved files or folders: the new entry first takes the old chunks' vectors. */
  renamed?: { from: string; to: WorkspaceFile }[];
}

/** Per-call options of a long job. */
export interface JobOptions {
  signal?: AbortSignal;
}

/** What opening found in the storage folder. */
export interface OpenReport {
  loaded: boolean;
  files: number;
  chunks: number;
  vectors: number;
  elapsedMs: number;
  /** Set when the saved index was unusable and removed: why. */
  rebuiltBecause?: string;
}

/** The surface shared by the in-thread index and its worker proxy. */
export interface RetrievalIndex {
  open(): Promise<OpenReport>;
  sync(files: WorkspaceFile[], options?: JobOptions): Promise<SyncReport>;
  update(changes: FileChanges, options?: JobOptions): Promise<SyncReport>;
  rebuild(files: WorkspaceFile[], options?: JobOptions): Promise<SyncReport>;
  embed(options?: JobOptions): Promise<EmbedReport>;
  search(query: string, options?: SearchOptions): Promise<SearchResponse>;
  stats(): Promise<IndexStats>;
  persist(): Promise<void>;
  close(): Promise<void>;
  onProgress(listener: (progress: IndexProgress) => void): () => void;
  onNotice(listener: (notice: IndexNotice) => void): () => void;
}
