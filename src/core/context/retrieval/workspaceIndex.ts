import type { Dispatcher } from 'undici';
import { Listeners, messageOf } from '../../runtime';
import { GrammarSet } from '../syntax/grammars';
import { Chunker, chunkId } from './chunker';
import { IndexClosedError } from './errors';
import type { WorkspaceFile } from './fileSource';
import { fuse } from './fusion';
import { queryTerms } from './identifiers';
import { IndexState } from './indexState';
import { deleteSavedIndex, estimateSavedBytes, loadIndex, saveIndex, savedBytes } from './indexStore';
import { Ingester, type SyncReport } from './ingest';
import { notices } from './notices';
import { indexFingerprint, resolveOptions, type RetrievalOptions, type RetrievalOptionsInput } from './options';
import { SemanticIndex, type EmbedReport } from './semanticIndex';
import type { FileChanges, JobOptions, OpenReport, RetrievalIndex } from './retrievalIndex';
import type { CountTokens, IndexNotice, IndexPhase, IndexProgress, IndexStats, SearchOptions, SearchResponse, SearchResult } from './types';

// The workspace index in one thread: the worker runs one of these, tests and scripts may too. Long jobs
// (open, sync, update, rebuild, embed, persist) run one at a time, in order; searches run at once, between
// the jobs' steps. Embedding runs in the background after a job that left chunks without vectors, and
// steps aside (between two requests) whenever another job is queued.

/** What the index needs from outside. */
export interface IndexDependencies {
  /** The token counter chunk sizes are measured with (the caller's choice of tokenizer). */
  countTokens: CountTokens;
  /** undici dispatcher for Ollama (tests pass their own). */
  dispatcher?: Dispatcher;
  /** Start embedding by itself after each job (default true). */
  autoEmbed?: boolean;
}

const MAX_NOTICES = 100;
const PROGRESS_EVERY_MS = 100;
const YIELD_EVERY_MS = 20;

export class WorkspaceIndex implements RetrievalIndex {
  readonly options: RetrievalOptions;
  private state: IndexState;
  private readonly grammars: GrammarSet;
  private readonly chunker: Chunker;
  private readonly semantic: SemanticIndex;
  private ingester: Ingester;
  private readonly fingerprint: string;
  private readonly noticeLog: IndexNotice[] = [];
  private readonly progressListeners = new Listeners<IndexProgress>();
  private readonly noticeListeners = new Listeners<IndexNotice>();
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private embeddingQueued = false;
  private readonly lifetime = new AbortController();
  private persistTimer: NodeJS.Timeout | undefined;
  private unsaved = false;
  private diskBytes = 0;
  private loadedVectorBudget: number | undefined;
  private closed = false;
  private lastProgress = 0;
  private lastYield = 0;
  private jobStarted = 0;

  constructor(
    options: RetrievalOptionsInput,
    private readonly deps: IndexDependencies,
  ) {
    this.options = resolveOptions(options);
    this.fingerprint = indexFingerprint(this.options);
    this.state = new IndexState(this.options.bm25);
    this.grammars = new GrammarSet(this.options.grammarDir);
    this.chunker = new Chunker(this.grammars, deps.countTokens, this.options.chunker);
    this.semantic = new SemanticIndex(this.options.embedding, deps.dispatcher, (n) => this.raise(n));
    this.ingester = new Ingester(this.state, this.chunker, this.options);
  }

  onProgress(listener: (progress: IndexProgress) => void): () => void {
    return this.progressListeners.add(listener);
  }

  onNotice(listener: (notice: IndexNotice) => void): () => void {
    return this.noticeListeners.add(listener);
  }

  /** Loads the saved index from the storage folder (searchable at once); a corrupt one is removed. */
  open(): Promise<OpenReport> {
    return this.run('open', undefined, async () => {
      const started = performance.now();
      const dir = this.options.storageDir;
      if (!dir) return { loaded: false, files: 0, chunks: 0, vectors: 0, elapsedMs: 0 };
      this.progress('loading', 0, 1, true);
      const loaded = await loadIndex(dir, this.state, this.fingerprint, this.semantic.vectorKey);
      if (!loaded.loaded) this.resetState();
      if (loaded.corrupt) this.raise(notices.rebuilt(loaded.corrupt.file, loaded.corrupt.reason));
      this.loadedVectorBudget = loaded.vectorBudgetBytes;
      this.diskBytes = loaded.loaded ? await savedBytes(dir) : 0;
      this.progress('loading', 1, 1, true);
      return {
        loaded: loaded.loaded,
        files: this.state.files.size,
        chunks: this.state.chunks.count,
        vectors: loaded.vectors,
        elapsedMs: performance.now() - started,
        rebuiltBecause: loaded.corrupt?.reason,
      };
    });
  }

  /** Makes the index match the host's file list: new and changed files read, missing ones dropped. */
  sync(files: WorkspaceFile[], options: JobOptions = {}): Promise<SyncReport> {
    return this.run('sync', options.signal, (signal) => this.ingester.sync(files, this.context('sync', signal), false)).then((r) => this.afterChange(r));
  }

  /** Applies file events (save, create, delete, rename). */
  update(changes: FileChanges, options: JobOptions = {}): Promise<SyncReport> {
    return this.run('update', options.signal, (signal) => this.ingester.update(changes, this.context('update', signal))).then((r) => this.afterChange(r));
  }

  /** Forgets every chunk and indexes the files again (vectors of unchanged chunks are kept). */
  rebuild(files: WorkspaceFile[], options: JobOptions = {}): Promise<SyncReport> {
    return this.run('rebuild', options.signal, async (signal) => {
      this.state.clear();
      if (this.options.storageDir) await deleteSavedIndex(this.options.storageDir);
      return this.ingester.sync(files, this.context('rebuild', signal), true);
    }).then((r) => this.afterChange(r));
  }

  /** Embeds every chunk still without a vector (waits for the background embedding too). */
  embed(options: JobOptions = {}): Promise<EmbedReport> {
    return this.run('embed', options.signal, (signal) => this.embedNow(signal, () => false));
  }

  /** Ranks chunks for a question: BM25 and vectors fused by rank, boosted near the selection and in recent files. */
  async search(query: string, options: SearchOptions = {}): Promise<SearchResponse> {
    this.assertOpen('search');
    const started = performance.now();
    const limit = Math.max(1, options.limit ?? 20);
    let vector: ArrayLike<number> | undefined = options.queryVector;
    let note: string | undefined;
    let embedQueryMs = 0;
    const wantVectors = options.semantic !== false && (this.state.vectors?.count ?? 0) > 0;
    // Vectors loaded from disk, model not asked yet: probe once before the first semantic search.
    if (wantVectors && !vector && this.semantic.state === 'probing') await this.semanticReady(undefined);
    if (wantVectors && !vector) {
      const t = performance.now();
      const embedded = await this.semantic.embedQuery(query);
      embedQueryMs = performance.now() - t;
      vector = embedded.vector;
      note = embedded.note;
    } else if (!wantVectors && options.semantic !== false) {
      note =
        this.semantic.state === 'ready' && this.state.pending.size > 0
          ? `Semantic search starts once the chunks are embedded (${this.state.pending.size} waiting)`
          : this.semantic.note;
    }
    // From here on everything is synchronous: document numbers cannot change under the search.
    const t0 = performance.now();
    const lexical = this.state.lexical.search(queryTerms(query), this.options.lexicalCandidates);
    const t1 = performance.now();
    const vectors = wantVectors && vector && this.state.vectors ? this.state.vectors.search(vector, this.options.vectorCandidates) : [];
    const t2 = performance.now();
    const nearby: number[] = [];
    const selection = options.selection;
    if (selection) {
      const w = this.options.selectionWindowLines;
      for (const doc of this.state.files.get(selection.file)?.docs ?? []) {
        const m = this.state.chunks.meta(doc);
        if (m && m.endLine >= selection.startLine - w && m.startLine <= selection.endLine + w) nearby.push(doc);
      }
    }
    const fused = fuse({
      lexical,
      vector: vectors,
      nearby,
      locate: (doc) => this.state.chunks.meta(doc)!,
      selection,
      recentFiles: options.recentFiles,
      weights: this.options.fusion,
    });
    const results: SearchResult[] = [];
    for (const f of fused) {
      if (results.length >= limit) break;
      const chunk = this.state.chunks.chunk(f.doc);
      if (chunk) results.push({ id: chunkId(chunk), chunk, score: f.score, why: f.why });
    }
    const t3 = performance.now();
    return {
      results,
      semantic: vectors.length > 0,
      note,
      timings: { lexicalMs: t1 - t0, vectorMs: t2 - t1, embedQueryMs, fuseMs: t3 - t2, totalMs: t3 - started },
    };
  }

  /** Sizes, the semantic state and the notices so far. */
  async stats(): Promise<IndexStats> {
    const languages: Record<string, number> = {};
    for (const f of this.state.files.values()) languages[f.language] = (languages[f.language] ?? 0) + 1;
    const info = this.semantic.info;
    return {
      files: this.state.files.size,
      chunks: this.state.chunks.count,
      bytes: this.state.totalBytes,
      terms: this.state.lexical.termCount,
      postings: this.state.lexical.postingCount,
      embedded: this.state.vectors?.count ?? 0,
      pendingEmbeddings: this.semantic.state === 'off' ? 0 : this.state.pending.size,
      semantic: this.semantic.state,
      embeddingModel: this.semantic.model || undefined,
      dimensions: this.state.vectors?.dimensions ?? info?.dimensions,
      embeddingContext: info?.contextLength,
      vectorBytes: this.state.vectors?.bytes ?? 0,
      diskBytes: this.diskBytes,
      languages,
      memory: { heapUsedBytes: process.memoryUsage().heapUsed, arrayBufferBytes: process.memoryUsage().arrayBuffers },
      notices: [...this.noticeLog],
      note: this.semantic.note,
    };
  }

  /** Saves now (normally it happens by itself, `persistDebounceMs` after the last change). */
  persist(): Promise<void> {
    return this.run('persist', undefined, () => this.persistNow());
  }

  /** Stops background work, saves what is unsaved, frees the parsers. Further calls throw. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.lifetime.abort();
    await this.queue.catch(() => undefined);
    if (this.unsaved) await this.persistNow().catch(() => undefined);
    this.closed = true;
    await this.grammars.dispose();
  }

  private assertOpen(method: string): void {
    if (this.closed || this.lifetime.signal.aborted) throw new IndexClosedError(method);
  }

  /** Queues a job; it runs after the jobs before it, with a signal tied to the caller's and to close(). */
  private run<T>(name: string, external: AbortSignal | undefined, job: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.assertOpen(name);
    this.waiting++;
    const result = this.queue.then(async () => {
      this.waiting--;
      this.jobStarted = performance.now();
      const signal = external ? AbortSignal.any([external, this.lifetime.signal]) : this.lifetime.signal;
      try {
        return await job(signal);
      } finally {
        this.progress('idle', 0, 0, true);
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private context(job: string, signal: AbortSignal) {
    return {
      signal,
      job,
      progress: (phase: IndexPhase, done: number, total: number) => this.progress(phase, done, total, done === total),
      yieldNow: () => this.yieldNow(),
    };
  }

  private afterChange(report: SyncReport): SyncReport {
    for (const n of report.notices) this.raise(n);
    this.unsaved = true;
    this.schedulePersist();
    this.scheduleEmbedding();
    return report;
  }

  /** Queues a background embedding job, unless one is queued or nothing waits for a vector. */
  private scheduleEmbedding(): void {
    if (this.deps.autoEmbed === false || this.semantic.state === 'off' || this.state.pending.size === 0 || this.embeddingQueued || this.closed) return;
    this.embeddingQueued = true;
    this.queue = this.queue.then(async () => {
      this.embeddingQueued = false;
      try {
        await this.embedNow(this.lifetime.signal, () => this.waiting > 0);
      } catch {
        // Aborted by close(), or a failure already turned into the semantic state and its notice.
      } finally {
        this.progress('idle', 0, 0, true);
      }
    });
  }

  private async embedNow(signal: AbortSignal, shouldPause: () => boolean): Promise<EmbedReport> {
    this.jobStarted = performance.now();
    await this.semanticReady(signal);
    let lastSave = performance.now();
    const report = await this.semantic.embedPending(
      this.state,
      signal,
      (done, total) => {
        this.progress('embedding', done, total, done === total);
        this.unsaved = true;
        // Embedding can take hours on a CPU: save every minute so a restart does not start over.
        if (performance.now() - lastSave > 60_000) {
          lastSave = performance.now();
          this.schedulePersist();
        }
      },
      shouldPause,
    );
    if (report.embedded > 0) this.schedulePersist();
    if (shouldPause() && this.state.pending.size > 0) queueMicrotask(() => this.scheduleEmbedding());
    return report;
  }

  /** Probes the embedding model when not ready; vectors saved with another input budget are dropped. */
  private async semanticReady(signal: AbortSignal | undefined): Promise<boolean> {
    if (this.semantic.state === 'ready') return true;
    const ready = await this.semantic.ready(signal);
    if (ready && this.loadedVectorBudget !== undefined && this.loadedVectorBudget !== this.semantic.info?.budgetBytes) {
      // The model's window changed since the vectors were saved: they were cut differently.
      this.state.resetVectors();
    }
    if (ready) this.loadedVectorBudget = undefined;
    return ready;
  }

  private schedulePersist(): void {
    if (!this.options.storageDir || this.closed) return;
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      if (!this.closed && !this.lifetime.signal.aborted) this.persist().catch(() => undefined);
    }, this.options.persistDebounceMs);
    this.persistTimer.unref?.();
  }

  private async persistNow(): Promise<void> {
    const dir = this.options.storageDir;
    if (!dir) return;
    this.progress('persisting', 0, 1, true);
    const estimate = estimateSavedBytes(this.state);
    if (estimate > this.options.limits.maxDiskBytes) {
      this.raise(notices.diskLimit(estimate, this.options.limits.maxDiskBytes));
      return;
    }
    try {
      const info = this.semantic.info;
      const key = this.semantic.vectorKey;
      const saved = await saveIndex(dir, this.state, this.fingerprint, key && info ? { ...key, budgetBytes: info.budgetBytes } : undefined);
      this.diskBytes = saved.indexBytes + saved.vectorBytes;
      this.unsaved = false;
    } catch (error) {
      this.raise(notices.persistFailed(dir, messageOf(error)));
    }
    this.progress('persisting', 1, 1, true);
  }

  private resetState(): void {
    this.state = new IndexState(this.options.bm25);
    this.ingester = new Ingester(this.state, this.chunker, this.options);
  }

  private raise(notice: IndexNotice): void {
    this.noticeLog.push(notice);
    if (this.noticeLog.length > MAX_NOTICES) this.noticeLog.splice(0, this.noticeLog.length - MAX_NOTICES);
    this.noticeListeners.emit(notice);
  }

  private progress(phase: IndexPhase, done: number, total: number, force = false): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    const event: IndexProgress = { phase, done, total, files: this.state.files.size, chunks: this.state.chunks.count, elapsedMs: now - this.jobStarted };
    this.progressListeners.emit(event);
  }

  /** Gives queued messages (a search, a cancel) a turn every YIELD_EVERY_MS of work. */
  private async yieldNow(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < YIELD_EVERY_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
  }
}
