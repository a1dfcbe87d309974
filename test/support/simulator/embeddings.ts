import type { ServerResponse } from 'node:http';
import { sendError, sendJson } from './generation';
import type { SimRequestRecord } from './state';

// POST /api/embed and /api/show for embedding models, like Ollama's EmbedHandler (server/routes.go):
// a string or a list of strings in, L2-normalised vectors out, `prompt_eval_count` the tokens evaluated;
// an input longer than min(num_ctx, context_length) is cut at the end, or refused with 400 when
// `truncate:false`. The vectors are deterministic bag-of-words random projections: they test the
// plumbing (batching, cuts, storage, fusion), NOT semantic quality.

/** One simulated embedding model. */
export interface SimEmbeddingModelConfig {
  name: string;
  /** `<arch>.context_length` in /api/show (nomic-embed-text in Ollama: 2048). */
  contextLength?: number;
  dimensions?: number;
  architecture?: string;
  /** Milliseconds per request, to exercise progress and cancellation. */
  delayMs?: number;
  /** Fail the next `times` requests (every request when absent) with this status and error text. */
  failure?: { status: number; error: string; times?: number };
}

type ResolvedEmbeddingModel = Required<Omit<SimEmbeddingModelConfig, 'failure'>> & Pick<SimEmbeddingModelConfig, 'failure'>;

const DEFAULTS = { contextLength: 2048, dimensions: 768, architecture: 'nomic-bert', delayMs: 0 };

/** The context error Ollama 0.12.6-0.29 returns for `truncate:false` (runner/ollamarunner/runner.go). */
export const EMBED_CONTEXT_ERROR = 'the input length exceeds the context length';

/** A letter/digit run or one other non-space character. */
const PIECES = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/**
 * Tokens the simulated model counts: [CLS] and [SEP], one per 4 characters of a letter/digit run (rounded
 * up), one per other non-space character. Never more than UTF-8 bytes + 2, like any real tokenizer whose
 * tokens each cover at least one byte.
 */
export function simulatedTokenCount(text: string): number {
  let tokens = 2;
  for (const m of text.matchAll(PIECES)) tokens += Math.ceil(m[0].length / 4);
  return tokens;
}

/** The longest prefix of `text` of at most `maxTokens` simulated tokens (what `truncate` keeps). */
export function simulatedTruncate(text: string, maxTokens: number): string {
  let tokens = 2;
  for (const m of text.matchAll(PIECES)) {
    const cost = Math.ceil(m[0].length / 4);
    if (tokens + cost > maxTokens) return text.slice(0, m.index);
    tokens += cost;
  }
  return text;
}

function fnv1a(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

// Each token's random +-1 direction, per dimension count; bounded so a long run cannot grow it forever.
const directions = new Map<string, Int8Array>();
const MAX_DIRECTIONS = 50_000;

/** A token's pseudo-random +-1 vector (xorshift seeded by the token's hash): the same on every run. */
function direction(token: string, dimensions: number): Int8Array {
  const key = `${dimensions}:${token}`;
  let v = directions.get(key);
  if (v) return v;
  v = new Int8Array(dimensions);
  let x = fnv1a(token) || 1;
  for (let i = 0; i < dimensions; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v[i] = x & 1 ? 1 : -1;
  }
  if (directions.size >= MAX_DIRECTIONS) directions.clear();
  directions.set(key, v);
  return v;
}

/**
 * A deterministic unit vector: the sum of a random +-1 direction per word (and per camelCase part), so
 * texts sharing words point alike. Dense like real embeddings (a sparse one would flatter or fool the
 * sign-bit search), but it knows words, not meaning.
 */
export function simulatedEmbedding(text: string, dimensions: number): number[] {
  const sum = new Float64Array(dimensions);
  for (const word of text.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const parts = word
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(' ');
    for (const part of parts.length > 1 ? [word.toLowerCase(), ...parts] : parts) {
      const d = direction(part, dimensions);
      for (let i = 0; i < dimensions; i++) sum[i] += d[i];
    }
  }
  let norm = 0;
  for (let i = 0; i < dimensions; i++) norm += sum[i] * sum[i];
  norm = Math.sqrt(norm);
  return Array.from(sum, (x) => (norm > 0 ? x / norm : 0));
}

/** The embedding models of one simulator, and the two routes that use them. */
export class SimEmbeddings {
  readonly models = new Map<string, ResolvedEmbeddingModel>();

  constructor(private readonly initial: SimEmbeddingModelConfig[]) {
    this.reset();
  }

  reset(): void {
    this.models.clear();
    for (const config of this.initial) this.configure(config);
  }

  /** Adds a model or changes some of its settings. */
  configure(config: SimEmbeddingModelConfig): void {
    const existing = this.models.get(config.name);
    this.models.set(config.name, {
      ...DEFAULTS,
      ...existing,
      ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)),
    } as ResolvedEmbeddingModel);
  }

  remove(name: string): void {
    this.models.delete(name);
  }

  /** The model a request names (`x` also finds `x:latest`). */
  find(requested: string): ResolvedEmbeddingModel | undefined {
    const bare = (name: string) => name.replace(/:latest$/, '');
    for (const model of this.models.values()) if (bare(model.name) === bare(requested)) return model;
    return undefined;
  }

  /** The /api/show answer for an embedding model, or undefined when the name is not one. */
  show(name: string): Record<string, unknown> | undefined {
    const m = this.find(name);
    if (!m) return undefined;
    return {
      license: 'Apache License Version 2.0',
      modelfile: `FROM ${m.name}\nPARAMETER num_ctx 8192\n`,
      parameters: 'num_ctx                        8192',
      template: '{{ .Prompt }}',
      details: { parent_model: '', format: 'gguf', family: m.architecture, families: [m.architecture], parameter_size: '137M', quantization_level: 'F16' },
      model_info: {
        'general.architecture': m.architecture,
        'general.parameter_count': 136_727_040,
        [`${m.architecture}.context_length`]: m.contextLength,
        [`${m.architecture}.embedding_length`]: m.dimensions,
      },
      capabilities: ['embedding'],
      modified_at: '2026-08-01T10:00:00.5Z',
    };
  }

  /** POST /api/embed. */
  async handle(res: ServerResponse, record: SimRequestRecord, body: Record<string, unknown>): Promise<void> {
    const name = typeof body.model === 'string' ? body.model : '';
    record.model = name || undefined;
    const raw = body.input;
    let inputs: string[];
    if (typeof raw === 'string') inputs = raw.length > 0 ? [raw] : [];
    else if (Array.isArray(raw)) {
      if (!raw.every((x) => typeof x === 'string')) return sendError(res, record, 400, 'invalid input type');
      inputs = raw as string[];
    } else if (raw === undefined || raw === null) inputs = [];
    else return sendError(res, record, 400, 'invalid input type');
    const model = this.find(name);
    if (!model) return sendError(res, record, 404, `model "${name}" not found, try pulling it first`);
    if (model.failure && (model.failure.times === undefined || model.failure.times > 0)) {
      if (model.failure.times !== undefined) model.failure.times--;
      return sendError(res, record, model.failure.status, model.failure.error);
    }
    if (model.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, model.delayMs));
    if (inputs.length === 0) return sendJson(res, record, { model: name, embeddings: [] });
    const options = (body.options ?? {}) as Record<string, unknown>;
    const numCtx = typeof options.num_ctx === 'number' ? options.num_ctx : 4096;
    const limit = Math.min(numCtx, model.contextLength);
    const truncate = body.truncate !== false;
    const embeddings: number[][] = [];
    let evaluated = 0;
    for (const input of inputs) {
      let text = input;
      let tokens = simulatedTokenCount(text);
      if (tokens > limit) {
        if (!truncate) return sendError(res, record, 400, EMBED_CONTEXT_ERROR);
        text = simulatedTruncate(text, limit);
        tokens = simulatedTokenCount(text);
      }
      evaluated += tokens;
      embeddings.push(simulatedEmbedding(text, model.dimensions));
    }
    record.promptTokens = evaluated;
    record.promptEvalCount = evaluated;
    sendJson(res, record, { model: name, embeddings, total_duration: 14_143_917, load_duration: 1_019_500, prompt_eval_count: evaluated });
  }
}
