import { TherapistError } from '../errors';

// Every failure talking to Ollama, in the user's words, with the facts (URL, status, server text) as fields.

/** Nothing answers at the configured URL (connection refused, unknown host, connect timeout). */
export class OllamaUnreachableError extends TherapistError {
  readonly code = 'ollama-unreachable';
  constructor(
    readonly url: string,
    readonly causeCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `Ollama is not reachable at ${url}. Is \`ollama serve\` running?`,
      `Start Ollama (\`ollama serve\`), or set therapist.ollamaUrl to where it runs.${causeCode ? ` (${causeCode})` : ''}`,
      ['retry', 'openSettings'],
      options,
    );
  }
}

/** Ollama answered 404 "model 'x' not found". */
export class OllamaModelNotFoundError extends TherapistError {
  readonly code = 'model-not-found';
  readonly status = 404;
  constructor(
    readonly model: string,
    readonly serverText: string,
  ) {
    super(`Model '${model}' is not installed. Run \`ollama pull ${model}\`.`, `Or pick an installed model (\`ollama list\`) in therapist.model.`, [
      'copyPullCommand',
      'openSettings',
    ]);
  }
}

/** Ollama answered 503 (its queue is full) on every attempt. */
export class OllamaBusyError extends TherapistError {
  readonly code = 'ollama-busy';
  readonly status = 503;
  constructor(
    readonly attempts: number,
    readonly serverText: string,
  ) {
    super(
      `Ollama is busy (HTTP 503 "${serverText}") after ${attempts} attempt${attempts === 1 ? '' : 's'}.`,
      'Wait for other requests to Ollama to finish, then retry.',
      ['retry', 'wait'],
    );
  }
}

/** Ollama refused a prompt longer than the window (HTTP 400), when it does not truncate silently. */
export class OllamaContextError extends TherapistError {
  readonly code = 'ollama-context';
  readonly status = 400;
  constructor(
    readonly serverText: string,
    /** The model's own count of the prompt, when the server text says it. */
    readonly promptTokens: number | undefined,
    /** The window the server had, when the server text says it. */
    readonly availableTokens: number | undefined,
    /** The num_ctx Therapist sent. */
    readonly numCtxSent: number | undefined,
  ) {
    const numbers =
      promptTokens !== undefined && availableTokens !== undefined
        ? `the model counts ${promptTokens} prompt tokens but has room for ${availableTokens}`
        : 'the prompt is longer than the context the model has';
    super(
      `Ollama refused the prompt: ${numbers}${numCtxSent !== undefined ? ` (Therapist sent num_ctx ${numCtxSent})` : ''}. Server said: "${serverText}".`,
      'The model counts tokens differently from Therapist; it has now learned the difference. Retry, remove some context, or start a new conversation.',
      ['retry', 'reduceContext', 'newConversation'],
    );
  }
}

/** Any other HTTP error status from Ollama (400, 404 route, 405, 500, 499, proxies' HTML pages...). */
export class OllamaHttpError extends TherapistError {
  readonly code = 'ollama-http';
  constructor(
    readonly status: number,
    readonly serverText: string,
    readonly method: string,
    readonly url: string,
  ) {
    super(
      `Ollama answered HTTP ${status} to ${method} ${url}: "${serverText}".`,
      status === 404 || status === 405
        ? 'Check that therapist.ollamaUrl points to an Ollama server (not a proxy or another service).'
        : status >= 500
          ? 'Ollama failed on its side; its log (`ollama serve` output) has the details. Retry in a moment.'
          : 'Open the log for the request details.',
      status === 404 || status === 405 ? ['openSettings', 'openLog'] : ['retry', 'openLog'],
    );
  }
}

/** How a streamed answer broke after the server had said 200. */
export type StreamFailureKind = 'error-line' | 'incomplete' | 'unparseable' | 'socket';

/** The stream broke after it began: an `{"error"}` line, an unparseable line, a cut connection, or no `done:true`. */
export class OllamaStreamError extends TherapistError {
  readonly code = 'ollama-stream';
  constructor(
    readonly kind: StreamFailureKind,
    readonly detail: string,
    readonly serverText?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `The answer from Ollama broke off: ${detail}.`,
      'Retry; if it keeps happening, the Ollama log (`ollama serve` output) says why.',
      ['retry', 'openLog'],
      options,
    );
  }
}

/** Which wait ran out. */
export type TimeoutPhase = 'first-token' | 'idle' | 'response';

/** Ollama sent nothing for too long. Says which wait, how long, and why a first token can legitimately be slow. */
export class OllamaTimeoutError extends TherapistError {
  readonly code = 'ollama-timeout';
  constructor(
    readonly phase: TimeoutPhase,
    readonly waitedMs: number,
    readonly promptTokens: number | undefined,
  ) {
    super(
      phase === 'first-token'
        ? `No answer from Ollama within ${waitedMs} ms of sending the prompt${promptTokens ? ` (${promptTokens} tokens)` : ''}. A local model must read the whole prompt (and maybe load) before its first token, which takes longer for large prompts on slow hardware.`
        : phase === 'idle'
          ? `Ollama stopped sending tokens: nothing for ${waitedMs} ms after the last one.`
          : `Ollama did not finish the (non-streaming) answer within ${waitedMs} ms.`,
      'Raise therapist.streamingTimeout if your machine is slow, use a smaller prompt or model, or check that Ollama is not stuck.',
      ['retry', 'openSettings'],
    );
  }
}

/** The text of an error body in plain words: the JSON `error` field, an HTML page's title, or the trimmed text. */
export function serverTextOf(body: string, contentType: string | undefined): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { error?: unknown };
      if (typeof parsed.error === 'string') return parsed.error;
      if (parsed.error && typeof parsed.error === 'object' && typeof (parsed.error as { message?: unknown }).message === 'string') {
        return (parsed.error as { message: string }).message;
      }
    } catch {
      // Not JSON after all: fall through to the text forms.
    }
  }
  if ((contentType ?? '').includes('html') || /^<!doctype html|^<html/i.test(trimmed)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    const text = (title || trimmed.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
    return clip(text);
  }
  return clip(trimmed.replace(/\s+/g, ' ')) || '(empty body)';
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

// What each Ollama version says when `truncate:false` refuses a prompt (shared/ollama-wire.md): llama-server's
// JSON (0.30+), the Go runner's sentence (0.12.6-0.29), the no-context-shift families' sentence, MLX's limit.
const CONTEXT_PATTERNS = [
  /exceeds the available context size/i,
  /prompt is longer than the context length/i,
  /input length exceeds the context length/i,
  /exceeds the model's maximum context length/i,
  /exceeds (?:the )?(?:maximum )?context (?:length|window|size)/i,
];

/** llama-server's error body as Ollama 0.30+ passes it through: a JSON string inside the `error` string. */
function nestedServerError(text: string): { message: string; promptTokens?: number; nCtx?: number } | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const inner = (JSON.parse(trimmed) as { error?: { message?: unknown; n_prompt_tokens?: unknown; n_ctx?: unknown } }).error;
    if (!inner || typeof inner.message !== 'string') return undefined;
    const int = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined);
    return { message: inner.message, promptTokens: int(inner.n_prompt_tokens), nCtx: int(inner.n_ctx) };
  } catch {
    return undefined;
  }
}

/** True when an error text is one of Ollama's "prompt does not fit" messages. */
export function isContextErrorText(text: string): boolean {
  return CONTEXT_PATTERNS.some((p) => p.test(text));
}

/** Maps an HTTP error status + body to the typed error a user should see. Status beats body: non-2xx is always an error. */
export function mapHttpError(
  status: number,
  body: string,
  contentType: string | undefined,
  ctx: { method: string; url: string; model?: string; numCtx?: number },
): Error {
  const text = serverTextOf(body, contentType);
  if (status === 404 && /model ["'].*["'] not found/.test(text)) {
    return new OllamaModelNotFoundError(/model ["'](.*)["'] not found/.exec(text)?.[1] ?? ctx.model ?? '?', text);
  }
  if (status === 503) return new OllamaBusyError(1, text);
  if (status === 400 && isContextErrorText(text)) return contextErrorFromText(text, ctx.numCtx);
  return new OllamaHttpError(status, nestedServerError(text)?.message ?? text, ctx.method, ctx.url);
}

/** Builds the context error from a server text, pulling out the two numbers when the text has them. */
export function contextErrorFromText(text: string, numCtx: number | undefined): OllamaContextError {
  const nested = nestedServerError(text);
  if (nested && (nested.promptTokens !== undefined || nested.nCtx !== undefined))
    return new OllamaContextError(nested.message, nested.promptTokens, nested.nCtx, numCtx);
  const said = nested?.message ?? text;
  const m = /\((\d+) tokens\)[^(]*\((\d+) tokens\)/.exec(said);
  return new OllamaContextError(said, m ? Number(m[1]) : undefined, m ? Number(m[2]) : undefined, numCtx);
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL']);

/** The `code` of a Node/undici error, looking through `cause` chains and AggregateErrors. */
export function networkCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.length) return networkCodeOf(inner[0]);
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when a network error means nothing listens at the URL (as opposed to a connection that broke later). */
export function isUnreachable(error: unknown): boolean {
  const code = networkCodeOf(error);
  return code !== undefined && UNREACHABLE_CODES.has(code);
}
