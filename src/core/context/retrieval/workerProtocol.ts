import type { SerializedError } from './errors';
import type { RetrievalOptionsInput } from './options';
import type { IndexNotice, IndexProgress } from './types';

// The messages between the main-thread proxy (workerIndex.ts) and the worker (indexWorker.ts). Only plain
// data crosses: functions and AbortSignals cannot, so cancellation is a message naming the call.

/** The methods the worker runs, with the same names and arguments as WorkspaceIndex's. */
export type IndexMethod = 'open' | 'sync' | 'update' | 'rebuild' | 'embed' | 'search' | 'stats' | 'persist' | 'close';

/** Which token counter the worker builds (a function cannot be sent to it). */
export type TokenizerChoice =
  | 'estimate'
  | 'gpt2'
  /** A CommonJS module exporting `countTokens(text): number` (or the named export). */
  | { module: string; export?: string };

/** What the worker starts with (`workerData`). */
export interface WorkerInit {
  options: RetrievalOptionsInput;
  tokenizer: TokenizerChoice;
  autoEmbed: boolean;
}

export type ToWorker = { kind: 'call'; id: number; method: IndexMethod; args: unknown[] } | { kind: 'cancel'; id: number };

export type FromWorker =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: SerializedError }
  | { kind: 'progress'; progress: IndexProgress }
  | { kind: 'notice'; notice: IndexNotice };
