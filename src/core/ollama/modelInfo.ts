import { OllamaHttpError } from './errors';
import { requestJson, type OllamaEndpoint } from './http';
import { messageOf, silentLogger, type Logger } from '../runtime';
import type { PsResponse, ShowResponse } from './wire';

/** What Therapist knows about a model's window, and where each number came from. */
export interface ModelFacts {
  model: string;
  /** Trained maximum (`<arch>.context_length` from /api/show); undefined when the server did not say. */
  trainedContext?: number;
  /** `PARAMETER num_ctx` of the Modelfile; undefined when not set. Overridden by the num_ctx we send. */
  modelfileNumCtx?: number;
  /** The window of the currently loaded model (/api/ps `context_length`, Ollama 0.9.7+); undefined when not loaded. */
  loadedContext?: number;
  /** therapist.maxTokens. */
  maxTokens: number;
  /** The window every prompt is planned for: min(maxTokens, trainedContext), or less when the server loaded less (loadedCap). */
  effectiveWindow: number;
  /**
   * What is sent as num_ctx: min(maxTokens, trainedContext), stable even while the server has less (asking the same
   * again never reloads the model, and once the server has room again /api/ps shows it and the cap is lifted).
   */
  numCtx: number;
  sources: {
    trainedContext: 'api/show model_info' | 'unknown (api/show had no context_length)' | 'unknown (api/show failed)';
    modelfileNumCtx: 'api/show parameters' | 'not set in the Modelfile' | 'unknown';
    loadedContext: 'api/ps' | 'not loaded' | 'unknown (api/ps has no context_length before Ollama 0.9.7)' | 'unknown (api/ps failed)';
    effectiveWindow: 'therapist.maxTokens' | "the model's trained context" | 'the window the server loaded (api/ps)';
  };
  family?: string;
  parameterSize?: string;
  quantization?: string;
  /** The model reasons before answering (`thinking` in /api/show capabilities): it may be sent `think`. */
  thinking: boolean;
  /** `tokenizer.ggml.model` ("gpt2" = byte-level BPE, "llama" = SentencePiece); undefined when the model has no GGUF tokenizer (MLX, cloud). */
  tokenizerModel?: string;
  /** What Ollama renders the messages with (see ShowFacts). */
  template?: string;
  system?: string;
  modelMessages?: ShowFacts['modelMessages'];
  /** Smaller than the num_ctx Therapist sends when the server loaded the model with less (a memory limit): planned for. */
  loadedCap?: number;
  /** Plain sentences for the log (reload expected, Modelfile overridden, ...). */
  notes: string[];
}

/** The facts /api/show gives about a model's window (and what it can do). */
export interface ShowFacts {
  /** `capabilities` ("completion", "tools", "thinking", "embedding", ...); empty for servers before 0.6.4. */
  capabilities?: string[];
  /** The chat template and the Modelfile's SYSTEM and MESSAGEs: what Ollama renders the messages with. */
  template?: string;
  system?: string;
  modelMessages?: { role: 'system' | 'user' | 'assistant'; content: string }[];
  /** `tokenizer.ggml.model` (scalars come even without verbose): "gpt2", "llama", or undefined for non-GGUF models. */
  tokenizerModel?: string;
  architecture?: string;
  trainedContext?: number;
  modelfileNumCtx?: number;
  family?: string;
  parameterSize?: string;
  quantization?: string;
}

/** Parses the `parameters` text of /api/show (`key<padding>value` per line; keys may repeat, like `stop`). */
export function parseParameters(text: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of (text ?? '').split('\n')) {
    const m = /^\s*(\S+)\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  }
  return out;
}

/** Reads trained context, Modelfile num_ctx and details from an /api/show answer. */
export function parseShow(show: ShowResponse): ShowFacts {
  const info = show.model_info ?? {};
  const architecture = typeof info['general.architecture'] === 'string' ? info['general.architecture'] : undefined;
  let trained = architecture ? info[`${architecture}.context_length`] : undefined;
  if (typeof trained !== 'number') {
    // Some conversions name the key after another architecture: take any *.context_length.
    trained = Object.entries(info).find(([k, v]) => k.endsWith('.context_length') && typeof v === 'number')?.[1];
  }
  const numCtx = Number(parseParameters(show.parameters).get('num_ctx')?.[0]);
  const roles = new Set(['system', 'user', 'assistant']);
  return {
    capabilities: Array.isArray(show.capabilities) ? show.capabilities.filter((c): c is string => typeof c === 'string') : undefined,
    template: typeof show.template === 'string' ? show.template : undefined,
    system: typeof show.system === 'string' && show.system ? show.system : undefined,
    modelMessages: Array.isArray(show.messages)
      ? show.messages
          .filter((m) => typeof m?.content === 'string' && roles.has(String(m.role)))
          .map((m) => ({ role: m.role as 'system' | 'user' | 'assistant', content: m.content as string }))
      : undefined,
    tokenizerModel: typeof info['tokenizer.ggml.model'] === 'string' ? (info['tokenizer.ggml.model'] as string) : undefined,
    architecture,
    trainedContext: typeof trained === 'number' && trained > 0 ? trained : undefined,
    modelfileNumCtx: Number.isInteger(numCtx) && numCtx > 0 ? numCtx : undefined,
    family: show.details?.family,
    parameterSize: show.details?.parameter_size,
    quantization: show.details?.quantization_level,
  };
}

/** The loaded window of `model` from /api/ps: a number, 'not-loaded', or 'unknown' (older server without the field). */
export function loadedContextFromPs(ps: PsResponse, model: string): number | 'not-loaded' | 'unknown' {
  const norm = (s: string | undefined) => (s && !s.includes(':') ? `${s}:latest` : s);
  const entry = (ps.models ?? []).find((m) => norm(m.name) === norm(model) || norm(m.model) === norm(model));
  if (!entry) return 'not-loaded';
  return typeof entry.context_length === 'number' && entry.context_length > 0 ? entry.context_length : 'unknown';
}

/** The effective window: the smaller of the setting and the trained context (the setting when the latter is unknown). */
export function effectiveWindow(maxTokens: number, trainedContext: number | undefined): { window: number; source: ModelFacts['sources']['effectiveWindow'] } {
  if (trainedContext !== undefined && trainedContext < maxTokens) return { window: trainedContext, source: "the model's trained context" };
  return { window: maxTokens, source: 'therapist.maxTokens' };
}

interface CachedShow {
  show: ShowFacts;
  trainedSource: ModelFacts['sources']['trainedContext'];
  modelfileSource: ModelFacts['sources']['modelfileNumCtx'];
  loaded: number | 'not-loaded' | 'unknown' | 'failed';
}

/** Asks /api/show and /api/ps once per model and server, and derives the facts for the current maxTokens. */
export class ModelInfoService {
  private readonly cache = new Map<string, Promise<CachedShow>>();
  /** The last failed look-up per server and model, for callers that may reuse it instead of asking again. */
  private readonly failures = new Map<string, { at: number; error: unknown }>();
  /** Windows the server runs a model with that are smaller than what Therapist asks for (per server and model). */
  private readonly caps = new Map<string, number>();
  /** The look-ups that succeeded, for synchronous readers (what a meter counts with between requests). */
  private readonly settled = new Map<string, CachedShow>();

  constructor(
    private readonly endpoint: () => OllamaEndpoint,
    private readonly logger: Logger = silentLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The facts for `model` (cached after the first successful look-up). Throws when the model is not installed or
   * Ollama cannot be reached. A failure is never cached for a request; a caller that runs often (the token meter,
   * on every count) passes `reuseFailureForMs` to get a recent failure back without asking Ollama again.
   */
  async getFacts(model: string, maxTokens: number, signal?: AbortSignal, options: { reuseFailureForMs?: number } = {}): Promise<ModelFacts> {
    const key = `${this.endpoint().baseUrl}\n${model}`;
    let pending = this.cache.get(key);
    const failed = this.failures.get(key);
    if (!pending && failed && options.reuseFailureForMs !== undefined && this.now() - failed.at < options.reuseFailureForMs) throw failed.error;
    if (!pending) {
      // The look-up is shared by concurrent callers, so it does not take any one caller's signal.
      pending = this.lookUp(model);
      this.cache.set(key, pending);
      pending.then(
        (c) => {
          this.failures.delete(key);
          this.settled.set(key, c);
          this.log(model, maxTokens, c);
        },
        (error) => {
          this.cache.delete(key);
          this.settled.delete(key);
          this.failures.set(key, { at: this.now(), error });
        },
      );
    }
    return toFacts(model, maxTokens, await untilAborted(pending, signal), this.caps.get(key));
  }

  /** The facts of a model already looked up (undefined before its first look-up finished): never asks the server. */
  cachedFacts(model: string, maxTokens: number): ModelFacts | undefined {
    const key = `${this.endpoint().baseUrl}\n${model}`;
    const c = this.settled.get(key);
    return c && toFacts(model, maxTokens, c, this.caps.get(key));
  }

  /**
   * Reads /api/ps again for `model` and, when the server runs it with a smaller window than `numCtxSent` (the window
   * Therapist asked for on the request just made), plans every later request for that smaller window. Called after
   * a model's first request and whenever the numbers disagree. Returns the loaded window, when the server says it.
   */
  async refreshLoaded(model: string, numCtxSent: number): Promise<number | undefined> {
    const key = `${this.endpoint().baseUrl}\n${model}`;
    let loaded: number | 'not-loaded' | 'unknown';
    try {
      loaded = loadedContextFromPs(await requestJson<PsResponse>(this.endpoint(), 'GET', '/api/ps', undefined), model);
    } catch (error) {
      this.logger.warn(`/api/ps failed (${messageOf(error)})`);
      return undefined;
    }
    const pending = this.cache.get(key);
    if (pending) void pending.then((c) => (c.loaded = loaded)).catch(() => undefined);
    if (typeof loaded !== 'number') return undefined;
    if (loaded < numCtxSent) {
      if (this.caps.get(key) !== loaded)
        this.logger.warn(
          `model ${model}: the server runs it with a ${loaded}-token window although num_ctx ${numCtxSent} was asked for (api/ps); planning for ${loaded}`,
        );
      this.caps.set(key, loaded);
    } else if (this.caps.delete(key)) {
      this.logger.info(`model ${model}: the server runs it with the ${loaded}-token window asked for again (api/ps); planning for it`);
    }
    return loaded;
  }

  /** Plans for a smaller window the server said it has (a refused prompt's n_ctx, say), until /api/ps shows the full one. */
  capWindow(model: string, window: number): void {
    this.caps.set(`${this.endpoint().baseUrl}\n${model}`, window);
  }

  /** Forgets cached facts (a model was re-pulled, or the URL changed). */
  invalidate(model?: string): void {
    for (const map of [this.cache, this.failures, this.caps, this.settled]) {
      if (model === undefined) map.clear();
      else for (const key of [...map.keys()]) if (key.endsWith(`\n${model}`)) map.delete(key);
    }
  }

  private async lookUp(model: string): Promise<CachedShow> {
    const endpoint = this.endpoint();
    let cached: CachedShow;
    try {
      const show = parseShow(await requestJson<ShowResponse>(endpoint, 'POST', '/api/show', { model }, { model }));
      cached = {
        show,
        trainedSource: show.trainedContext !== undefined ? 'api/show model_info' : 'unknown (api/show had no context_length)',
        modelfileSource: show.modelfileNumCtx !== undefined ? 'api/show parameters' : 'not set in the Modelfile',
        loaded: 'failed',
      };
    } catch (error) {
      // Only a server that answered with an error (an old or odd server) degrades to maxTokens; a missing model,
      // no server or a broken connection is thrown and not cached, so the next request asks again.
      if (!(error instanceof OllamaHttpError)) throw error;
      this.logger.warn(`/api/show for ${model} failed (${messageOf(error)}); planning with therapist.maxTokens`);
      cached = { show: {}, trainedSource: 'unknown (api/show failed)', modelfileSource: 'unknown', loaded: 'failed' };
    }
    try {
      cached.loaded = loadedContextFromPs(await requestJson<PsResponse>(endpoint, 'GET', '/api/ps', undefined), model);
    } catch (error) {
      this.logger.warn(`/api/ps failed (${messageOf(error)})`);
    }
    return cached;
  }

  private log(model: string, maxTokens: number, cached: CachedShow): void {
    const f = toFacts(model, maxTokens, cached);
    this.logger.info(
      `model ${model}: effective window ${f.effectiveWindow} (from ${f.sources.effectiveWindow}); trained context ${f.trainedContext ?? '?'} (${f.sources.trainedContext}); ` +
        `Modelfile num_ctx ${f.modelfileNumCtx ?? '-'} (${f.sources.modelfileNumCtx}); loaded window ${f.loadedContext ?? '-'} (${f.sources.loadedContext}); therapist.maxTokens ${maxTokens}`,
    );
    for (const note of f.notes) this.logger.info(`model ${model}: ${note}`);
  }
}

/** Resolves like `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function toFacts(model: string, maxTokens: number, c: CachedShow, loadedCap?: number): ModelFacts {
  const planned = effectiveWindow(maxTokens, c.show.trainedContext);
  const capped = loadedCap !== undefined && loadedCap < planned.window;
  const window = capped ? loadedCap : planned.window;
  const source: ModelFacts['sources']['effectiveWindow'] = capped ? 'the window the server loaded (api/ps)' : planned.source;
  const loadedContext = typeof c.loaded === 'number' ? c.loaded : undefined;
  const notes: string[] = [];
  if (c.show.modelfileNumCtx !== undefined && c.show.modelfileNumCtx !== window) {
    notes.push(`the Modelfile sets num_ctx ${c.show.modelfileNumCtx}; Therapist sends num_ctx ${window} on every request, which takes precedence.`);
  }
  if (loadedContext !== undefined && loadedContext !== window) {
    notes.push(`the model is loaded with a ${loadedContext}-token window; the first request with num_ctx ${window} makes Ollama reload it once.`);
  }
  if (c.show.trainedContext === undefined)
    notes.push(`the trained context is unknown, so the window is therapist.maxTokens (${maxTokens}); lower it if answers look cut.`);
  return {
    model,
    trainedContext: c.show.trainedContext,
    modelfileNumCtx: c.show.modelfileNumCtx,
    loadedContext,
    maxTokens,
    effectiveWindow: window,
    numCtx: planned.window,
    sources: {
      trainedContext: c.trainedSource,
      modelfileNumCtx: c.modelfileSource,
      loadedContext:
        typeof c.loaded === 'number'
          ? 'api/ps'
          : c.loaded === 'not-loaded'
            ? 'not loaded'
            : c.loaded === 'unknown'
              ? 'unknown (api/ps has no context_length before Ollama 0.9.7)'
              : 'unknown (api/ps failed)',
      effectiveWindow: source,
    },
    family: c.show.family,
    parameterSize: c.show.parameterSize,
    quantization: c.show.quantization,
    thinking: c.show.capabilities?.includes('thinking') ?? false,
    tokenizerModel: c.show.tokenizerModel,
    template: c.show.template,
    system: c.show.system,
    modelMessages: c.show.modelMessages,
    loadedCap: capped ? loadedCap : undefined,
    notes,
  };
}
