import type { Dispatcher } from 'undici';
import { normaliseBaseUrl } from '../../ollama/http';
import { EmbeddingClient, type EmbeddingModelInfo, type ProbeResult } from './embeddingClient';
import type { IndexState } from './indexState';
import type { VectorKey } from './indexStore';
import { notices } from './notices';
import type { EmbeddingOptions } from './options';
import type { IndexNotice, SemanticState } from './types';

// The semantic side of the index: whether it can run (model installed, server up), embedding the chunks
// that have no vector yet, and embedding queries. Any failure turns semantic search off with a note for
// the panel and leaves lexical search untouched; the next sync tries again.

/** Chunks sent per embedding round (several requests of `batchSize`), between progress events. */
const ROUND = 128;
const QUERY_CACHE = 64;
const QUERY_TIMEOUT_MS = 10_000;

export interface EmbedReport {
  embedded: number;
  pending: number;
  cut: number;
  state: SemanticState;
}

export class SemanticIndex {
  state: SemanticState;
  note: string | undefined;
  private readonly client: EmbeddingClient | undefined;
  private readonly queryCache = new Map<string, Float32Array>();

  constructor(
    private readonly options: EmbeddingOptions,
    dispatcher: Dispatcher | undefined,
    private readonly raise: (notice: IndexNotice) => void,
  ) {
    this.state = options.model ? 'probing' : 'off';
    this.client = options.model
      ? new EmbeddingClient({
          endpoint: { baseUrl: normaliseBaseUrl(options.ollamaUrl), dispatcher },
          model: options.model,
          batchSize: options.batchSize,
          timeoutMs: options.timeoutMs,
          documentPrefix: options.documentPrefix,
          queryPrefix: options.queryPrefix,
        })
      : undefined;
  }

  get model(): string {
    return this.options.model;
  }

  get info(): EmbeddingModelInfo | undefined {
    return this.client?.modelInfo;
  }

  /** What saved vectors must match (the budget is checked once the model is probed). */
  get vectorKey(): VectorKey | undefined {
    return this.client ? { model: this.options.model, documentPrefix: this.client.documentPrefix } : undefined;
  }

  /** Probes the model (again, after a failure). True when vectors can be made. */
  async ready(signal?: AbortSignal): Promise<boolean> {
    if (!this.client) return false;
    if (this.state === 'ready') return true;
    const probe = await this.client.probe(signal);
    this.apply(probe);
    return probe.ok;
  }

  private apply(probe: ProbeResult): void {
    if (probe.ok) {
      this.state = 'ready';
      this.note = undefined;
      return;
    }
    const changed = this.state !== probe.state;
    this.state = probe.state;
    this.note = probe.note;
    if (changed) this.raise(probe.notice);
  }

  /**
   * Embeds pending chunks in rounds until none is left, `shouldPause` says another job waits (checked
   * between rounds, so no request is thrown away), the signal aborts (rejects with its reason) or the
   * server fails (semantic search goes off with a notice). `onRound` runs after each round.
   */
  async embedPending(
    state: IndexState,
    signal: AbortSignal | undefined,
    onRound: (done: number, total: number) => void,
    shouldPause: () => boolean = () => false,
  ): Promise<EmbedReport> {
    const report: EmbedReport = { embedded: 0, pending: state.pending.size, cut: 0, state: this.state };
    if (!this.client || state.pending.size === 0 || !(await this.ready(signal))) return { ...report, state: this.state };
    const client = this.client;
    const total = state.pending.size;
    while (state.pending.size > 0 && !shouldPause()) {
      signal?.throwIfAborted();
      const docs = [...state.pending].sort((a, b) => a - b).slice(0, ROUND);
      const prepared = docs.map((doc) => client.prepare(state.chunks.text(doc), 'document'));
      let vectors: Float32Array[];
      try {
        vectors = await client.embed(
          prepared.map((p) => p.input),
          signal,
        );
      } catch (error) {
        if (signal?.aborted) throw error;
        this.apply(client.failure(error));
        break;
      }
      // A job may have removed some of these chunks while the request was out: only live ones take a vector.
      const dims = state.vectors?.dimensions ?? vectors[0]?.length;
      if (dims !== undefined && vectors.some((v) => v.length !== dims)) {
        // The model now answers with other dimensions (replaced under the same name): start over.
        state.resetVectors();
        continue;
      }
      docs.forEach((doc, i) => {
        if (!state.chunks.meta(doc)) return;
        state.setVector(doc, vectors[i]);
        report.embedded++;
        if (prepared[i].cut) report.cut++;
      });
      onRound(total - state.pending.size, total);
    }
    if (report.cut > 0 && this.client.modelInfo) this.raise(notices.embeddingCut(report.cut, this.client.modelInfo.budgetBytes, this.options.model));
    return { ...report, pending: state.pending.size, state: this.state };
  }

  /** The query's vector, or why there is none (the note for this answer). */
  async embedQuery(query: string, signal?: AbortSignal): Promise<{ vector?: Float32Array; note?: string }> {
    if (!this.client || this.state !== 'ready') return { note: this.note };
    const cached = this.queryCache.get(query);
    if (cached) return { vector: cached };
    const timeout = AbortSignal.timeout(QUERY_TIMEOUT_MS);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const [vector] = await this.client.embed([this.client.prepare(query, 'query').input], combined);
      if (this.queryCache.size >= QUERY_CACHE) this.queryCache.delete(this.queryCache.keys().next().value as string);
      this.queryCache.set(query, vector);
      return { vector };
    } catch (error) {
      if (signal?.aborted) throw error;
      if (timeout.aborted) return { note: `The question could not be embedded within ${QUERY_TIMEOUT_MS / 1000} s: lexical results only` };
      this.apply(this.client.failure(error));
      return { note: this.note };
    }
  }
}
