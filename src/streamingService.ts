import type { Dispatcher } from 'undici';
import { singleChatExchange, streamChatExchange, type ChatExchangeResult } from './core/ollama/chatTransport';
import { OllamaBusyError, OllamaHttpError, OllamaStreamError } from './core/ollama/errors';
import { normaliseBaseUrl, type OllamaEndpoint } from './core/ollama/http';
import { DEFAULT_RETRY, backoffDelay, type RetryPolicy } from './core/ollama/retry';
import { silentLogger, systemClock, type Clock, type Logger } from './core/runtime';
import type { ChatMetrics, ChatRequest } from './core/ollama/wire';

/** Settings and injectables of the Ollama chat transport. */
export interface StreamingServiceOptions {
  ollamaUrl: string;
  /** therapist.streamingTimeout: the longest gap between two streamed lines, in ms. */
  streamingTimeout?: number;
  /** therapist.enableStreaming: false sends one `stream:false` request instead. */
  enableStreaming?: boolean;
  dispatcher?: Dispatcher;
  clock?: Clock;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** Extra first-token allowance per prompt token: a local model reads the whole prompt before answering. */
  firstTokenMsPerPromptToken?: number;
  /** Slowest generation speed tolerated by the non-streaming timeout, in ms per requested token. */
  nonStreamingMsPerToken?: number;
}

/** Per-call options. */
export interface ChatCallOptions {
  onToken?: (text: string) => void;
  /** A thinking model's reasoning, streamed apart from the answer. */
  onThinking?: (text: string) => void;
  signal?: AbortSignal;
  /** Our count of the prompt: the first-token timeout grows with it. */
  promptTokens?: number;
  /** Called before the non-streaming retry of a broken stream, so a UI can clear the partial text. */
  onFallback?: (reason: string, partialText: string) => void;
}

/** The outcome of one chat call, whichever way it went. */
export interface ChatOutcome {
  text: string;
  /** A thinking model's reasoning ('' when there was none). */
  thinking: string;
  metrics: ChatMetrics;
  /** The caller aborted; `text` holds what arrived before. */
  cancelled: boolean;
  /** Streaming broke and the answer came from one non-streaming request. */
  fallbackUsed: boolean;
  fallbackReason?: string;
  /** False when the answer came from a `stream:false` request (setting off, or fallback). */
  streamed: boolean;
  ttftMs?: number;
  durationMs: number;
  /** Generation speed: from eval_count/eval_duration when the server sent them, else measured. */
  tokensPerSecond?: number;
  /** HTTP attempts, including 503 retries and the fallback. */
  attempts: number;
  /** Text chunks received (about one per model token when streaming). */
  chunks: number;
}

/** The timeouts one request will use. */
export interface RequestTimeouts {
  firstTokenMs: number;
  idleMs: number;
  nonStreamingMs: number;
}

/**
 * Why one non-streaming request is worth a try after a streaming one failed, or undefined when it is not: a stream
 * that broke after it began, or a server error (5xx) before it began. Never for cancels, timeouts, 4xx (the same
 * request would fail again) or 503, which has its own retries.
 */
function fallbackReason(error: unknown): string | undefined {
  if (error instanceof OllamaStreamError) return error.detail;
  if (error instanceof OllamaHttpError && error.status >= 500 && error.status !== 503)
    return `HTTP ${error.status} "${error.serverText}" before the stream began`;
  return undefined;
}

/** A non-streaming answer's thinking and text go to the same callbacks a stream would have fed. */
function deliver(single: ChatExchangeResult, options: ChatCallOptions): void {
  if (single.cancelled) return;
  if (single.thinking) options.onThinking?.(single.thinking);
  if (single.text) options.onToken?.(single.text);
}

/**
 * Talks to Ollama's /api/chat: streams NDJSON (or not), retries 503 with bounded backoff, times out with
 * first-token and idle limits, cancels by aborting the HTTP request, and falls back to one non-streaming request
 * when a stream fails in a way such a request can survive (a broken stream, a 5xx before it began; never on cancel,
 * timeouts or 4xx).
 */
export class StreamingService {
  private endpoint: OllamaEndpoint;
  private idleMs: number;
  private enableStreaming: boolean;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly retry: RetryPolicy;
  private readonly msPerPromptToken: number;
  private readonly msPerOutputToken: number;

  constructor(options: StreamingServiceOptions) {
    this.endpoint = { baseUrl: normaliseBaseUrl(options.ollamaUrl), dispatcher: options.dispatcher };
    this.idleMs = options.streamingTimeout ?? 30000;
    this.enableStreaming = options.enableStreaming ?? true;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.msPerPromptToken = options.firstTokenMsPerPromptToken ?? 10;
    this.msPerOutputToken = options.nonStreamingMsPerToken ?? 100;
  }

  /** Applies changed settings to the next request (requests in flight keep theirs). */
  updateOptions(partial: Partial<Pick<StreamingServiceOptions, 'ollamaUrl' | 'streamingTimeout' | 'enableStreaming'>>): void {
    if (partial.ollamaUrl !== undefined) this.endpoint = { ...this.endpoint, baseUrl: normaliseBaseUrl(partial.ollamaUrl) };
    if (partial.streamingTimeout !== undefined) this.idleMs = partial.streamingTimeout;
    if (partial.enableStreaming !== undefined) this.enableStreaming = partial.enableStreaming;
  }

  /** The base URL requests go to. */
  get baseUrl(): string {
    return this.endpoint.baseUrl;
  }

  /** The timeouts for a prompt of `promptTokens` asking for up to `numPredict` tokens. */
  timeoutsFor(promptTokens = 0, numPredict = 1024): RequestTimeouts {
    // The idle limit also covers loading the model; reading the prompt adds time proportional to its size.
    const firstTokenMs = Math.round(this.idleMs + promptTokens * this.msPerPromptToken);
    return { firstTokenMs, idleMs: this.idleMs, nonStreamingMs: firstTokenMs + Math.max(numPredict, 1) * this.msPerOutputToken };
  }

  /** Sends one chat request and resolves with the whole answer; tokens go to `onToken` as they arrive. */
  async chat(request: ChatRequest, options: ChatCallOptions = {}): Promise<ChatOutcome> {
    const timeouts = this.timeoutsFor(options.promptTokens, request.options?.num_predict);
    const attempts = { count: 0 };
    if (!this.enableStreaming) {
      const single = await this.withBusyRetry(attempts, options.signal, () => this.single(request, timeouts, options));
      deliver(single, options);
      return this.outcome(single, attempts.count, false, undefined);
    }
    let partial = '';
    try {
      const streamed = await this.withBusyRetry(attempts, options.signal, () =>
        streamChatExchange(
          this.endpoint,
          request,
          { clock: this.clock, firstMs: timeouts.firstTokenMs, idleMs: timeouts.idleMs, promptTokens: options.promptTokens },
          options.signal,
          {
            onToken: (t) => {
              partial += t;
              options.onToken?.(t);
            },
            onThinking: options.onThinking,
          },
        ),
      );
      return this.outcome(streamed, attempts.count, true, undefined);
    } catch (error) {
      const reason = fallbackReason(error);
      if (reason === undefined || options.signal?.aborted) throw error;
      this.logger.warn(`streaming failed (${reason}) after ${partial.length} characters; retrying once without streaming`);
      options.onFallback?.(reason, partial);
      const single = await this.withBusyRetry(attempts, options.signal, () => this.single(request, timeouts, options));
      deliver(single, options);
      return this.outcome(single, attempts.count, false, reason);
    }
  }

  /**
   * The same call as an async iterator of tokens, plus a promise of the outcome. Breaking out of the loop does
   * not cancel: pass a signal for that.
   */
  stream(request: ChatRequest, options: Omit<ChatCallOptions, 'onToken'> = {}): { tokens: AsyncIterableIterator<string>; result: Promise<ChatOutcome> } {
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    const result = this.chat(request, {
      ...options,
      onToken: (t) => {
        queue.push(t);
        wake?.();
      },
    });
    const settle = () => {
      finished = true;
      wake?.();
    };
    result.then(settle, settle);
    async function* tokens(): AsyncIterableIterator<string> {
      for (;;) {
        if (queue.length) {
          yield queue.shift() as string;
          continue;
        }
        if (finished) {
          await result;
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    }
    return { tokens: tokens(), result };
  }

  private single(request: ChatRequest, timeouts: RequestTimeouts, options: ChatCallOptions): Promise<ChatExchangeResult> {
    return singleChatExchange(
      this.endpoint,
      request,
      { clock: this.clock, firstMs: timeouts.nonStreamingMs, idleMs: timeouts.idleMs, promptTokens: options.promptTokens },
      options.signal,
    );
  }

  private async withBusyRetry(
    attempts: { count: number },
    signal: AbortSignal | undefined,
    run: () => Promise<ChatExchangeResult>,
  ): Promise<ChatExchangeResult> {
    for (let retry = 0; ; retry++) {
      attempts.count++;
      try {
        return await run();
      } catch (error) {
        if (!(error instanceof OllamaBusyError)) throw error;
        if (retry >= this.retry.maxRetries) throw new OllamaBusyError(retry + 1, error.serverText);
        const delay = backoffDelay(this.retry, retry + 1);
        this.logger.warn(`Ollama is busy (503); retry ${retry + 1} of ${this.retry.maxRetries} in ${delay} ms`);
        try {
          await this.clock.sleep(delay, signal);
        } catch {
          return { text: '', thinking: '', metrics: {}, cancelled: true, durationMs: 0, chunks: 0 };
        }
      }
    }
  }

  private outcome(r: ChatExchangeResult, attempts: number, streamed: boolean, fallbackReason: string | undefined): ChatOutcome {
    const m = r.metrics;
    let tokensPerSecond: number | undefined;
    if (m.evalCount && m.evalDurationNs) tokensPerSecond = m.evalCount / (m.evalDurationNs / 1e9);
    else if (r.ttftMs !== undefined && r.chunks > 1 && r.durationMs > r.ttftMs) tokensPerSecond = (r.chunks - 1) / ((r.durationMs - r.ttftMs) / 1000);
    return {
      text: r.text,
      thinking: r.thinking,
      metrics: m,
      cancelled: r.cancelled,
      fallbackUsed: fallbackReason !== undefined,
      fallbackReason,
      streamed,
      ttftMs: r.ttftMs,
      durationMs: r.durationMs,
      tokensPerSecond,
      attempts,
      chunks: r.chunks,
    };
  }
}
