import { isErrorCode, type ErrorCode } from '../../../shared/errorCodes';
import { TherapistError } from '../../errors';

// Failures of the workspace index that reach the caller. Limits, skipped files and a missing embedding
// model are not failures: they are notices (notices.ts) and the index keeps working.

/** An option of the index is out of range. Never clamped silently. */
export class RetrievalOptionError extends TherapistError {
  readonly code = 'retrieval-option';
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly validRange: string,
  ) {
    super(`Invalid retrieval option ${option} = ${JSON.stringify(value)}: must be ${validRange}.`, `Pass ${option} within ${validRange}.`, ['openSettings']);
  }
}

/** A long job (sync, update, rebuild, embedding) was cancelled; what it finished before stays indexed. */
export class IndexCancelledError extends TherapistError {
  readonly code = 'retrieval-cancelled';
  constructor(
    readonly job: string,
    readonly filesDone: number,
    readonly filesTotal: number,
  ) {
    super(
      `Indexing (${job}) was cancelled after ${filesDone} of ${filesTotal} files.`,
      'The files done so far are searchable; the next sync indexes the rest.',
      ['retry'],
    );
  }
}

/** The worker thread running the index stopped (crash, out of memory, terminated). */
export class IndexWorkerError extends TherapistError {
  readonly code = 'retrieval-worker';
  constructor(
    readonly detail: string,
    readonly exitCode: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `The workspace index stopped: ${detail}${exitCode !== undefined ? ` (exit code ${exitCode})` : ''}.`,
      'Open the log for details. Lower the index limits (max files, max total bytes) if it ran out of memory, then rebuild the index.',
      ['openLog', 'retry'],
      options,
    );
  }
}

/** A saved index file cannot be used (truncated, garbage, another format): it is rebuilt, never trusted. */
export class CorruptIndexError extends TherapistError {
  readonly code = 'retrieval-corrupt';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`The saved index ${file} cannot be used: ${reason}.`, 'It is rebuilt from the workspace files; nothing to do.', []);
  }
}

/** The index was used after `close()`. */
export class IndexClosedError extends TherapistError {
  readonly code = 'retrieval-closed';
  constructor(readonly method: string) {
    super(`The workspace index is closed (called ${method}).`, 'Open a new index; a closed one cannot be reused.', []);
  }
}

/** Ollama answered /api/embed with something that is not one vector per input. */
export class EmbeddingResponseError extends TherapistError {
  readonly code = 'embedding-response';
  constructor(
    readonly model: string,
    detail: string,
  ) {
    super(
      `Ollama's /api/embed answer for '${model}' is unusable: ${detail}.`,
      'Check the embedding model (`ollama show <model>`); semantic search stays off until it answers correctly.',
      ['openLog', 'retry'],
    );
  }
}

/** An error in the plain form that crosses the worker boundary. */
export interface SerializedError {
  name: string;
  code?: string;
  message: string;
  advice?: string;
  actions?: readonly string[];
}

/** Any thrown value as plain data (structured clone would drop the class, `code` and `advice`). */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof TherapistError) return { name: error.name, code: error.code, message: error.message, advice: error.advice, actions: error.actions };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** An error rebuilt on the main thread: the worker's words, code and advice, as a TherapistError. */
export class RemoteIndexError extends TherapistError {
  readonly code: ErrorCode;
  constructor(readonly remote: SerializedError) {
    super(remote.message, remote.advice ?? '', (remote.actions ?? []) as TherapistError['actions']);
    // The worker is our own code: its codes are ours; anything else it threw is a worker failure.
    this.code = isErrorCode(remote.code) ? remote.code : 'retrieval-worker';
    this.name = remote.name;
  }
}
