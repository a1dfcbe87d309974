import { request, type Dispatcher } from 'undici';
import { TherapistError } from '../errors';
import { OllamaStreamError, OllamaTimeoutError, contextErrorFromText, isContextErrorText, mapHttpError, type TimeoutPhase } from './errors';
import { endpointUrl, headerValue, toNetworkError, type OllamaEndpoint } from './http';
import { NdjsonLineSplitter, parseChunkLine } from './ndjson';
import { messageOf, type Clock } from '../runtime';
import { chunkText, chunkThinking, metricsFromChunk, type ChatChunk, type ChatMetrics, type ChatRequest } from './wire';

/** What one HTTP exchange with /api/chat produced. A cancelled exchange keeps the text received so far. */
export interface ChatExchangeResult {
  text: string;
  /** A thinking model's reasoning (`message.thinking`), streamed apart from the answer; '' when there was none. */
  thinking: string;
  metrics: ChatMetrics;
  cancelled: boolean;
  /** Milliseconds from sending to the first non-empty token (streaming only). */
  ttftMs?: number;
  /** Milliseconds from sending to the end. */
  durationMs: number;
  /** NDJSON lines carrying text (roughly the model's tokens). */
  chunks: number;
}

/** How long to wait, decided by the caller from the settings and the prompt size. */
export interface ExchangeTiming {
  clock: Clock;
  /** Streaming: wait for the first line. Non-streaming: wait for the whole answer. */
  firstMs: number;
  /** Streaming: longest gap between two lines. */
  idleMs: number;
  promptTokens?: number;
}

interface Watchdog {
  signal: AbortSignal;
  timeout(): OllamaTimeoutError | undefined;
  progress(): void;
  dispose(): void;
}

/** One AbortController fed by the caller's signal and by our timers, so both end the HTTP request the same way. */
function watchdog(callerSignal: AbortSignal | undefined, timing: ExchangeTiming, firstPhase: TimeoutPhase): Watchdog {
  const controller = new AbortController();
  let timeoutError: OllamaTimeoutError | undefined;
  const arm = (phase: TimeoutPhase, ms: number) =>
    timing.clock.setTimer(() => {
      timeoutError = new OllamaTimeoutError(phase, ms, timing.promptTokens);
      controller.abort(timeoutError);
    }, ms);
  let cancelTimer = arm(firstPhase, timing.firstMs);
  const onAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onAbort();
  else callerSignal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timeout: () => timeoutError,
    progress() {
      cancelTimer();
      cancelTimer = arm('idle', timing.idleMs);
    },
    dispose() {
      cancelTimer();
      callerSignal?.removeEventListener('abort', onAbort);
    },
  };
}

async function send(endpoint: OllamaEndpoint, body: ChatRequest, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  return request(endpointUrl(endpoint.baseUrl, '/api/chat'), {
    method: 'POST',
    dispatcher: endpoint.dispatcher,
    signal,
    headers: { 'content-type': 'application/json', accept: body.stream ? 'application/x-ndjson' : 'application/json' },
    body: JSON.stringify(body),
    // Our own first-token/idle timers decide; undici's fixed 300 s defaults would cut slow local prompts.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

async function failOnStatus(res: Dispatcher.ResponseData, endpoint: OllamaEndpoint, body: ChatRequest): Promise<void> {
  if (res.statusCode >= 200 && res.statusCode <= 299) return;
  const text = await res.body.text();
  throw mapHttpError(res.statusCode, text, headerValue(res.headers['content-type']), {
    method: 'POST',
    url: endpointUrl(endpoint.baseUrl, '/api/chat'),
    model: body.model,
    numCtx: body.options?.num_ctx,
  });
}

/** Classifies a failure of an exchange: timeout and cancel first, then typed errors, then broken sockets. */
function settleError(error: unknown, dog: Watchdog, callerSignal: AbortSignal | undefined, endpoint: OllamaEndpoint): unknown {
  const timeout = dog.timeout();
  if (timeout) return timeout;
  if (callerSignal?.aborted) return CANCELLED;
  const mapped = toNetworkError(error, endpoint.baseUrl);
  if (mapped instanceof TherapistError) return mapped;
  const message = messageOf(error);
  return new OllamaStreamError('socket', `the connection failed (${message})`, undefined, { cause: error });
}

const CANCELLED = Symbol('cancelled');

/** Where streamed pieces go as they arrive: the answer's text, and a thinking model's reasoning. */
export interface StreamSink {
  onToken?: (text: string) => void;
  onThinking?: (text: string) => void;
}

/** The error for an `{"error": ...}` line inside a 200 stream. */
function errorLine(text: string, body: ChatRequest): Error {
  return isContextErrorText(text)
    ? contextErrorFromText(text, body.options?.num_ctx)
    : new OllamaStreamError('error-line', `the server reported "${text}"`, text);
}

/**
 * Streams one /api/chat: NDJSON parsed incrementally, `onToken` per text chunk, first-token and idle timeouts,
 * abort on the caller's signal (resolves `cancelled` with the partial text). A stream without `done:true`, an
 * error line, or an unparseable line throws OllamaStreamError.
 */
export async function streamChatExchange(
  endpoint: OllamaEndpoint,
  body: ChatRequest,
  timing: ExchangeTiming,
  callerSignal?: AbortSignal,
  sink: StreamSink = {},
): Promise<ChatExchangeResult> {
  const started = timing.clock.monotonic();
  const dog = watchdog(callerSignal, timing, 'first-token');
  let text = '';
  let thinking = '';
  let chunks = 0;
  let ttftMs: number | undefined;
  let final: ChatChunk | undefined;
  const handle = (line: string) => {
    if (final) return;
    const chunk = parseChunkLine(line);
    if (typeof chunk.error === 'string') throw errorLine(chunk.error, body);
    const thought = chunkThinking(chunk);
    const piece = chunkText(chunk);
    if ((piece !== '' || thought !== '') && ttftMs === undefined) ttftMs = timing.clock.monotonic() - started;
    if (thought !== '') {
      thinking += thought;
      chunks++;
      sink.onThinking?.(thought);
    }
    if (piece !== '') {
      text += piece;
      chunks++;
      sink.onToken?.(piece);
    }
    if (chunk.done === true) final = chunk;
  };
  try {
    const res = await send(endpoint, { ...body, stream: true }, dog.signal);
    await failOnStatus(res, endpoint, body);
    const splitter = new NdjsonLineSplitter();
    for await (const bytes of res.body) {
      dog.progress();
      for (const line of splitter.push(bytes as Uint8Array)) handle(line);
    }
    for (const line of splitter.end()) handle(line);
    if (!final) throw new OllamaStreamError('incomplete', `the stream ended without its final "done" line after ${chunks} chunks`);
    return { text, thinking, metrics: metricsFromChunk(final), cancelled: false, ttftMs, durationMs: timing.clock.monotonic() - started, chunks };
  } catch (error) {
    // A connection that drops after the final line is still a complete answer.
    if (final && !dog.timeout() && !callerSignal?.aborted) {
      return { text, thinking, metrics: metricsFromChunk(final), cancelled: false, ttftMs, durationMs: timing.clock.monotonic() - started, chunks };
    }
    const settled = settleError(error, dog, callerSignal, endpoint);
    if (settled === CANCELLED) return { text, thinking, metrics: {}, cancelled: true, ttftMs, durationMs: timing.clock.monotonic() - started, chunks };
    throw settled;
  } finally {
    dog.dispose();
  }
}

/** One non-streaming /api/chat (`stream:false`): the whole answer in one JSON object, bounded by `timing.firstMs`. */
export async function singleChatExchange(
  endpoint: OllamaEndpoint,
  body: ChatRequest,
  timing: ExchangeTiming,
  callerSignal?: AbortSignal,
): Promise<ChatExchangeResult> {
  const started = timing.clock.monotonic();
  const dog = watchdog(callerSignal, timing, 'response');
  try {
    const res = await send(endpoint, { ...body, stream: false }, dog.signal);
    await failOnStatus(res, endpoint, body);
    const raw = await res.body.text();
    // Some proxies stream anyway; accept NDJSON here too by taking its lines.
    const splitter = new NdjsonLineSplitter();
    const lines = [...splitter.push(new TextEncoder().encode(raw)), ...splitter.end()];
    let text = '';
    let thinking = '';
    let final: ChatChunk | undefined;
    for (const line of lines) {
      const chunk = parseChunkLine(line);
      if (typeof chunk.error === 'string') throw errorLine(chunk.error, body);
      text += chunkText(chunk);
      thinking += chunkThinking(chunk);
      if (chunk.done === true) final = chunk;
    }
    if (!final) throw new OllamaStreamError('incomplete', 'the answer ended without "done"');
    return { text, thinking, metrics: metricsFromChunk(final), cancelled: false, durationMs: timing.clock.monotonic() - started, chunks: text ? 1 : 0 };
  } catch (error) {
    const settled = settleError(error, dog, callerSignal, endpoint);
    if (settled === CANCELLED) return { text: '', thinking: '', metrics: {}, cancelled: true, durationMs: timing.clock.monotonic() - started, chunks: 0 };
    throw settled;
  } finally {
    dog.dispose();
  }
}
