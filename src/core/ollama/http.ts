import { request, type Dispatcher } from 'undici';
import { OllamaHttpError, OllamaUnreachableError, isUnreachable, mapHttpError, networkCodeOf, serverTextOf } from './errors';

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

/** How long a small metadata request (/api/show, /api/ps) may take before the server counts as unreachable. */
export const METADATA_TIMEOUT_MS = 15_000;

/**
 * Sends a small JSON request and returns the parsed JSON body. Non-2xx statuses become the mapped typed errors;
 * nothing listening (or no answer within `timeoutMs`) becomes OllamaUnreachableError; a body that is not JSON
 * becomes OllamaHttpError.
 */
export async function requestJson<T>(
  endpoint: OllamaEndpoint,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  opts: { signal?: AbortSignal; model?: string; timeoutMs?: number } = {},
): Promise<T> {
  const url = endpointUrl(endpoint.baseUrl, path);
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method,
      dispatcher: endpoint.dispatcher,
      signal: opts.signal,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: opts.timeoutMs ?? METADATA_TIMEOUT_MS,
      bodyTimeout: opts.timeoutMs ?? METADATA_TIMEOUT_MS,
    });
  } catch (error) {
    throw metadataFailure(error, endpoint.baseUrl, opts.signal);
  }
  let text: string;
  try {
    text = await res.body.text();
  } catch (error) {
    throw metadataFailure(error, endpoint.baseUrl, opts.signal);
  }
  const contentType = headerValue(res.headers['content-type']);
  if (res.statusCode < 200 || res.statusCode > 299) {
    throw mapHttpError(res.statusCode, text, contentType, { method, url, model: opts.model });
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new OllamaHttpError(res.statusCode, `not JSON: ${serverTextOf(text, contentType)}`, method, url);
  }
}

/** A small request that got no usable answer (reset, closed keep-alive, timeout) is, for the user, no server. */
function metadataFailure(error: unknown, baseUrl: string, signal: AbortSignal | undefined): unknown {
  const mapped = toNetworkError(error, baseUrl, signal);
  return mapped === error && !signal?.aborted ? new OllamaUnreachableError(baseUrl, networkCodeOf(error), { cause: error }) : mapped;
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
