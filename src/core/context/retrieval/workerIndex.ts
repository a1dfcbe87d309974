import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Listeners } from '../../runtime';
import { IndexClosedError, IndexWorkerError, RemoteIndexError } from './errors';
import type { SyncReport } from './ingest';
import { notices } from './notices';
import { resolveOptions, type RetrievalOptionsInput } from './options';
import type { EmbedReport } from './semanticIndex';
import type { IndexNotice, IndexProgress, IndexStats, SearchOptions, SearchResponse } from './types';
import type { FromWorker, IndexMethod, TokenizerChoice, ToWorker, WorkerInit } from './workerProtocol';
import type { WorkspaceFile } from './fileSource';
import type { FileChanges, JobOptions, OpenReport, RetrievalIndex } from './retrievalIndex';

// The main-thread face of the index: the same API as WorkspaceIndex, each call a message to the worker
// that holds the index. Nothing heavy runs here: a call costs one postMessage each way.

export interface WorkerIndexOptions {
  options: RetrievalOptionsInput;
  /** The worker's token counter (default: the conservative GPT-2 estimate, which is fast). */
  tokenizer?: TokenizerChoice;
  /** Embed in the background after each job (default true). */
  autoEmbed?: boolean;
  /** The worker's script: the bundled `retrievalWorker.js` beside this file by default. */
  workerScript?: string;
  /** Node flags for the worker (tests: a TypeScript loader). */
  execArgv?: string[];
  /** Heap limit of the worker in MB: over it the worker stops and calls fail with IndexWorkerError. */
  maxHeapMb?: number;
}

interface PendingCall {
  method: IndexMethod;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class WorkerIndex implements RetrievalIndex {
  private readonly worker: Worker;
  private readonly pending = new Map<number, PendingCall>();
  private readonly progressListeners = new Listeners<IndexProgress>();
  private readonly noticeListeners = new Listeners<IndexNotice>();
  private nextId = 1;
  private stopped: IndexWorkerError | undefined;
  private closing = false;

  constructor(options: WorkerIndexOptions) {
    // Bad options fail here, on the caller's thread, with the option's name.
    resolveOptions(options.options);
    const init: WorkerInit = { options: options.options, tokenizer: options.tokenizer ?? 'estimate', autoEmbed: options.autoEmbed ?? true };
    this.worker = new Worker(options.workerScript ?? path.join(__dirname, 'retrievalWorker.js'), {
      workerData: init,
      execArgv: options.execArgv,
      resourceLimits: options.maxHeapMb ? { maxOldGenerationSizeMb: options.maxHeapMb } : undefined,
    });
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (error) => this.stop(new IndexWorkerError(error.message, undefined, { cause: error })));
    this.worker.on('exit', (code) => {
      if (!this.closing || this.pending.size > 0) this.stop(new IndexWorkerError('the worker thread exited', code));
    });
  }

  onProgress(listener: (progress: IndexProgress) => void): () => void {
    return this.progressListeners.add(listener);
  }

  onNotice(listener: (notice: IndexNotice) => void): () => void {
    return this.noticeListeners.add(listener);
  }

  open(): Promise<OpenReport> {
    return this.call('open', []);
  }

  sync(files: WorkspaceFile[], options: JobOptions = {}): Promise<SyncReport> {
    return this.call('sync', [files], options.signal);
  }

  update(changes: FileChanges, options: JobOptions = {}): Promise<SyncReport> {
    return this.call('update', [changes], options.signal);
  }

  rebuild(files: WorkspaceFile[], options: JobOptions = {}): Promise<SyncReport> {
    return this.call('rebuild', [files], options.signal);
  }

  embed(options: JobOptions = {}): Promise<EmbedReport> {
    return this.call('embed', [], options.signal);
  }

  search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    return this.call('search', [query, options]);
  }

  stats(): Promise<IndexStats> {
    return this.call('stats', []);
  }

  persist(): Promise<void> {
    return this.call('persist', []);
  }

  /** Saves, stops the worker's jobs and ends the thread. */
  async close(): Promise<void> {
    if (this.closing) return;
    if (this.stopped) {
      this.closing = true;
      return;
    }
    try {
      await this.call('close', []);
    } finally {
      this.closing = true;
      await this.worker.terminate();
    }
  }

  private call<T>(method: IndexMethod, args: unknown[], signal?: AbortSignal): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    if (this.closing) return Promise.reject(new IndexClosedError(method));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const cancel = () => this.worker.postMessage({ kind: 'cancel', id } satisfies ToWorker);
      const settle = () => signal?.removeEventListener('abort', cancel);
      this.pending.set(id, {
        method,
        resolve: (value) => {
          settle();
          resolve(value as T);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      this.worker.postMessage({ kind: 'call', id, method, args } satisfies ToWorker);
      if (signal?.aborted) cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  private receive(message: FromWorker): void {
    if (message.kind === 'progress') {
      this.progressListeners.emit(message.progress);
    } else if (message.kind === 'notice') {
      this.noticeListeners.emit(message.notice);
    } else {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      if (message.ok) call.resolve(message.value);
      else call.reject(new RemoteIndexError(message.error));
    }
  }

  private stop(error: IndexWorkerError): void {
    if (this.stopped) return;
    this.stopped = error;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
    const notice = notices.workerStopped(error.detail);
    this.noticeListeners.emit(notice);
  }
}
