// What the panel shows about an answer's context: every chunk that went into the prompt and every one the token
// engine cut, where each came from, and how workspace retrieval found them; plus the commands the list's buttons
// send. Plain data (structured clone, persisted with the message); the words are written where they are shown
// (src/webview/chat/contextList.ts).
import type { ScoreReasons } from '../shared/scoreReasons';

/** Lines of a workspace file, 1-based and inclusive. `file` is workspace-relative with `/` (in a multi-root workspace: `<folder name>/<path>`). */
export interface ContextLocation {
  file: string;
  startLine: number;
  endLine: number;
}

/** How a chunk got into the request. */
export type ContextOrigin =
  /** Found by the workspace index for this question. */
  | 'retrieved'
  /** From a file the user pinned for this conversation. */
  | 'pinned'
  /** The definition of a symbol the selection uses (Explain Selection). */
  | 'definition'
  /** Code around the selection, in its own file (Explain Selection). */
  | 'selection'
  /** Another open editor (Explain Selection). */
  | 'editor'
  /** Anything else a command brought. */
  | 'other';

/** What the token engine did with a chunk: all of it went in, part of it (cut at the end), or none. */
export type ContextStatus = 'sent' | 'cut' | 'dropped';

/** Why a retrieved chunk ranks where it does (the fused score is their sum): the index's own reasons. */
export type ContextScoreParts = Pick<ScoreReasons, 'lexicalRank' | 'vectorRank' | 'vectorScore' | 'lexical' | 'vector' | 'selection' | 'recent'>;

/** One chunk of the request's context. */
export interface ContextEntry {
  id: string;
  /** What the model was told the chunk is (its source, e.g. `src/a.ts:10-42`). */
  label: string;
  /** Where it is: set for chunks of workspace files, which the panel opens on click. */
  location?: ContextLocation;
  origin: ContextOrigin;
  status: ContextStatus;
  /** The retrieval index's fused score (retrieved and pinned chunks), highest = most relevant to the question. */
  score?: number;
  parts?: ContextScoreParts;
  /** Names the chunk defines (`RateLimiter.isAllowed`). */
  symbols?: string[];
  /** For cut and dropped chunks: the whole chunk's tokens and what was kept (the token engine's counts). */
  tokens?: number;
  keptTokens?: number;
}

/** How workspace retrieval took part in this request. */
export type RetrievalMode =
  /** Lexical and vector ranks fused. */
  | 'semantic'
  /** BM25 only (no embedding model, not reachable, or vectors not ready: `note` says which). */
  | 'lexical'
  /** therapist.retrieval.enabled is false. */
  | 'off'
  /** No folder is open, or the index could not answer (`note` says why). */
  | 'unavailable'
  /** The request brought its own context and retrieval was not asked (a command). */
  | 'not-used';

/** The context of one answer, as the panel lists it. */
export interface ContextReport {
  /** Most relevant first: the order in which the token engine keeps them. */
  entries: ContextEntry[];
  retrieval: RetrievalMode;
  /** One sentence for the panel, e.g. "`ollama pull nomic-embed-text` for semantic search". */
  note?: string;
  /** Workspace paths pinned or excluded in this conversation when the request was made. */
  pinned: string[];
  excluded: string[];
}

/** What the context list's buttons ask the host to do. Pins and exclusions hold for the active conversation. */
export type ContextCommand =
  | { type: 'openContext'; location: ContextLocation }
  | { type: 'pinContextFile'; file: string; pinned: boolean }
  | { type: 'excludeContextFile'; file: string; excluded: boolean };
