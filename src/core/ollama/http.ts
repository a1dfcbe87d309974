import { request, type Dispatcher } from 'undici';
import { OllamaUnreachableError, isUnreachable, mapHttpError, networkCodeOf } from './errors';

/** Where and how to reach one Ollama server. */
export interface OllamaEndpoint {
  baseUrl: string;
  dispatcher?: Dispatcher;
}

/** Joins the base URL (with or without trailing slash or sub-path) and an API path. */
export function endpointUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** Normalises the setting: trims, adds http:// when no scheme was given (as Ollama's own client does). */
export function normaliseBaseUrl(raw: string): string {
  const trimmed = raw.trim().replace(/\/+$/, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/**
 * Sends a small JSON request and returns the parsed JSON body. Non-2xx statuses become the mapped typed errors;
 * nothing listening becomes OllamaUnreachableError. undici's own header/body timeouts are off: callers own timing.
 */
export async function requestJson<T>(endpoint: OllamaEndpoint, method: 'GET' | 'POST', path: string, body: unknown, opts: { signal?: AbortSignal; model?: string } = {}): Promise<T> {
  const url = endpointUrl(endpoint.baseUrl, path);
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method,
      dispatcher: endpoint.dispatcher,
      signal: opts.signal,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  } catch (error) {
    const mapped = toNetworkError(error, endpoint.baseUrl, opts.signal);
    // A connection that broke before any answer (reset, closed keep-alive) is, for the user, the same as no server.
    throw mapped === error && !opts.signal?.aborted ? new OllamaUnreachableError(endpoint.baseUrl, networkCodeOf(error), { cause: error }) : mapped;
  }
  const text = await res.body.text();
  if (res.statusCode < 200 || res.statusCode > 299) {
    throw mapHttpError(res.statusCode, text, headerValue(res.headers['content-type']), { method, url, model: opts.model });
  }
  return JSON.parse(text) as T;
}

/** One header as a string (undici gives string | string[] | undefined). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Turns a failure to connect into OllamaUnreachableError; an abort keeps its reason; anything else passes through. */
export function toNetworkError(error: unknown, baseUrl: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (isUnreachable(error)) return new OllamaUnreachableError(baseUrl, networkCodeOf(error), { cause: error });
  return error;
}
