import { OllamaContextError, OllamaModelNotFoundError, OllamaUnreachableError } from '../../ollama/errors';
import { requestJson, type OllamaEndpoint } from '../../ollama/http';
import type { ShowResponse } from '../../ollama/wire';
import { messageOf } from '../../runtime';
import { EmbeddingResponseError } from './errors';
import { notices, pullNote } from './notices';
import type { IndexNotice, SemanticState } from './types';

// Vectors from Ollama's POST /api/embed. Every input is cut by us to what the model surely reads whole,
// and sent with `truncate:false`, so the server never cuts silently (some versions ignore `truncate`,
// ollama#14186) and an overflow would be a 400 we can see, not a wrong vector.
//
// The cut, without the model's tokenizer: every token of a byte-level BPE, of a SentencePiece vocabulary
// with byte fallback, and of WordPiece covers at least one UTF-8 byte, so a text of B bytes has at most B
// tokens. The budget is context_length - MARGIN_TOKENS bytes; the margin holds the special tokens the
// runner adds ([CLS]/[SEP] or BOS/EOS: 2 in every embedding model Ollama ships) twice over. It is
// conservative for code (BERT's WordPiece spends about one token per 3 bytes of code), which costs little:
// a 384-token chunk is about 1,400 bytes, under nomic-embed-text's 2,040-byte budget.

export const MARGIN_TOKENS = 8;

export interface EmbeddingClientOptions {
  endpoint: OllamaEndpoint;
  model: string;
  /** Inputs per /api/embed request. */
  batchSize: number;
  /** Request timeout; an embedding batch on a CPU can take seconds. */
  timeoutMs: number;
  /** Text put before each document and query; defaults follow the model (nomic: `search_document: `). */
  documentPrefix?: string;
  queryPrefix?: string;
}

/** What /api/show said about the embedding model. */
export interface EmbeddingModelInfo {
  model: string;
  contextLength: number;
  /** From `<arch>.embedding_length`, when present; otherwise learnt from the first vector. */
  dimensions?: number;
  /** UTF-8 bytes of input (prefix included) the model surely reads whole. */
  budgetBytes: number;
}

/** The probe's outcome: facts, or why semantic search is off (with the notice to show). */
export type ProbeResult =
  { ok: true; info: EmbeddingModelInfo } | { ok: false; state: Exclude<SemanticState, 'ready' | 'off' | 'probing'>; notice: IndexNotice; note: string };

/** One input, ready to send: prefixed and cut. */
export interface PreparedInput {
  input: string;
  /** True when the text was cut to the budget. */
  cut: boolean;
}

interface EmbedResponse {
  embeddings?: unknown;
  prompt_eval_count?: number;
}

/** Task prefixes the model was trained with (nomic-embed-text needs them for good retrieval). */
function defaultPrefixes(model: string): { document: string; query: string } {
  if (/nomic-embed/i.test(model)) return { document: 'search_document: ', query: 'search_query: ' };
  if (/mxbai-embed/i.test(model)) return { document: '', query: 'Represent this sentence for searching relevant passages: ' };
  return { document: '', query: '' };
}

/** The longest prefix of `text` whose UTF-8 encoding fits `maxBytes`, cut on a code point boundary. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : 3;
    if (bytes + size > maxBytes) return text.slice(0, i);
    bytes += size;
    if (size === 4) i++;
  }
  return text;
}

/** Talks to /api/show and /api/embed for one embedding model. */
export class EmbeddingClient {
  private info: EmbeddingModelInfo | undefined;
  private readonly prefixes: { document: string; query: string };

  constructor(readonly options: EmbeddingClientOptions) {
    const defaults = defaultPrefixes(options.model);
    this.prefixes = { document: options.documentPrefix ?? defaults.document, query: options.queryPrefix ?? defaults.query };
  }

  /** The text put before every document. */
  get documentPrefix(): string {
    return this.prefixes.document;
  }

  /** The model's facts once probed. */
  get modelInfo(): EmbeddingModelInfo | undefined {
    return this.info;
  }

  /** Asks /api/show for the model's context length; a missing model or server is a state, not an error. */
  async probe(signal?: AbortSignal): Promise<ProbeResult> {
    const { model, endpoint } = this.options;
    try {
      const show = await requestJson<ShowResponse>(endpoint, 'POST', '/api/show', { model }, { signal, model });
      const info = show.model_info ?? {};
      const arch = typeof info['general.architecture'] === 'string' ? info['general.architecture'] : undefined;
      const pick = (key: string) => {
        const exact = arch ? info[`${arch}.${key}`] : undefined;
        return typeof exact === 'number'
          ? exact
          : (Object.entries(info).find(([k, v]) => k.endsWith(`.${key}`) && typeof v === 'number')?.[1] as number | undefined);
      };
      // Without a context length, assume 512: the smallest window of the common embedding models.
      const contextLength = pick('context_length') ?? 512;
      this.info = { model, contextLength, dimensions: pick('embedding_length'), budgetBytes: Math.max(16, contextLength - MARGIN_TOKENS) };
      return { ok: true, info: this.info };
    } catch (error) {
      if (signal?.aborted) throw error;
      return this.failure(error);
    }
  }

  /** The failure as a state plus its notice and panel note (missing model, no server, anything else). */
  failure(error: unknown): Extract<ProbeResult, { ok: false }> {
    const { model, endpoint } = this.options;
    if (error instanceof OllamaModelNotFoundError) {
      return { ok: false, state: 'model-missing', notice: notices.embeddingModelMissing(model), note: pullNote(model) };
    }
    if (error instanceof OllamaUnreachableError) {
      return { ok: false, state: 'unreachable', notice: notices.embeddingUnreachable(endpoint.baseUrl), note: 'Start Ollama for semantic search' };
    }
    return { ok: false, state: 'failed', notice: notices.embeddingFailed(model, messageOf(error)), note: 'Semantic search is off (see the log)' };
  }

  /** Prefixes and cuts a document or query to the model's budget. Call after a successful probe. */
  prepare(text: string, kind: 'document' | 'query'): PreparedInput {
    const prefix = kind === 'document' ? this.prefixes.document : this.prefixes.query;
    const budget = this.info?.budgetBytes ?? 512 - MARGIN_TOKENS;
    const whole = prefix + text;
    const input = cutToBytes(whole, budget);
    return { input, cut: input.length < whole.length };
  }

  /**
   * Vectors for prepared inputs, in order, `batchSize` per request. A 400 context error (a tokenizer that
   * breaks the one-byte-per-token bound) retries that batch one input at a time, each cut to half: the
   * input gets a vector of its beginning rather than none.
   */
  async embed(inputs: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += this.options.batchSize) {
      const batch = inputs.slice(i, i + this.options.batchSize);
      try {
        out.push(...(await this.request(batch, signal)));
      } catch (error) {
        if (!(error instanceof OllamaContextError)) throw error;
        for (const input of batch) {
          try {
            out.push(...(await this.request([input], signal)));
          } catch (inner) {
            if (!(inner instanceof OllamaContextError)) throw inner;
            out.push(...(await this.request([cutToBytes(input, Math.floor(Buffer.byteLength(input) / 2))], signal)));
          }
        }
      }
    }
    return out;
  }

  private async request(input: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const { model, endpoint, timeoutMs } = this.options;
    const numCtx = this.info?.contextLength;
    const body = { model, input, truncate: false, ...(numCtx ? { options: { num_ctx: numCtx } } : {}) };
    const res = await requestJson<EmbedResponse>(endpoint, 'POST', '/api/embed', body, { signal, model, timeoutMs });
    if (!Array.isArray(res.embeddings) || res.embeddings.length !== input.length) {
      throw new EmbeddingResponseError(model, `${Array.isArray(res.embeddings) ? res.embeddings.length : 'no'} vectors for ${input.length} inputs`);
    }
    return res.embeddings.map((vector, i) => {
      if (!Array.isArray(vector) || vector.length === 0 || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new EmbeddingResponseError(model, `vector ${i} is not a list of finite numbers`);
      }
      const dims = this.info?.dimensions;
      if (dims !== undefined && vector.length !== dims)
        throw new EmbeddingResponseError(model, `vector ${i} has ${vector.length} dimensions, the model reports ${dims}`);
      if (this.info && dims === undefined) this.info.dimensions = vector.length;
      return Float32Array.from(vector as number[]);
    });
  }
}
