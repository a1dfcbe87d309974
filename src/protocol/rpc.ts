import type { ErrorCode } from '../shared/errorCodes';
// Requests that expect a reply, paired by one helper on each side (as GitLens's webview IPC and vscode-eslint's
// typed request types do): a protocol declares `method -> { params, result }` once, the webview awaits
// `client.request(method, params)` and the host answers with a handler typed by the same map. Plain data only.

/** A protocol's requests: each method's params and the result its reply carries. */
export type RequestMap = Record<string, { params: unknown; result: unknown }>;

/** A request as it crosses postMessage: one variant per method, so checking `method` narrows `params`. */
export type RpcRequest<M extends RequestMap, K extends keyof M & string = keyof M & string> = {
  [P in K]: { type: 'request'; id: number; method: P; params: M[P]['params'] };
}[K];

/** The reply to one request: its result, or the error its handler threw (in the user's words); `method` narrows `result`. */
export type RpcReply<M extends RequestMap, K extends keyof M & string = keyof M & string> = {
  [P in K]:
    | { type: 'reply'; id: number; method: P; ok: true; result: M[P]['result'] }
    | { type: 'reply'; id: number; method: P; ok: false; error: { code: ErrorCode; message: string } };
}[K];

/** The error a request's promise rejects with when the host's handler failed. */
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** The webview's side: sends requests and settles each one when its reply comes back. */
export class RpcClient<M extends RequestMap> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();

  constructor(private readonly send: (request: RpcRequest<M>) => void) {}

  /** Sends `method` and resolves with its typed result (rejects with RpcError when the handler failed). */
  request<K extends keyof M & string>(method: K, params: M[K]['params']): Promise<M[K]['result']> {
    const id = this.nextId++;
    return new Promise<M[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.send({ type: 'request', id, method, params } as RpcRequest<M>);
    });
  }

  /** The id the next request will get (so a caller can tell whether a reply is for its latest request). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** Settles the request a reply answers; returns false when the message is not a reply this client is waiting for. */
  receive(message: unknown): boolean {
    if (!isReply(message)) return false;
    const waiting = this.pending.get(message.id);
    if (!waiting) return false;
    this.pending.delete(message.id);
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(new RpcError(message.method, message.error.code, message.error.message));
    return true;
  }
}

/** The host's handlers, one per method, typed by the protocol's map. */
export type RpcHandlers<M extends RequestMap> = { [K in keyof M & string]: (params: M[K]['params']) => Promise<M[K]['result']> | M[K]['result'] };

/** The host's side: runs the handler of one request and posts its reply (or the error, in words). Never throws. */
export async function answerRequest<M extends RequestMap>(
  request: RpcRequest<M>,
  handlers: RpcHandlers<M>,
  post: (reply: RpcReply<M>) => void,
  describe: (error: unknown) => { code: ErrorCode; message: string },
): Promise<void> {
  const method = request.method;
  try {
    const handler = handlers[method] as (params: unknown) => unknown;
    if (typeof handler !== 'function') throw new RpcError(method, 'unknown-method', `no handler for '${method}'`);
    const result = await handler(request.params);
    post({ type: 'reply', id: request.id, method, ok: true, result } as RpcReply<M>);
  } catch (error) {
    post({ type: 'reply', id: request.id, method, ok: false, error: describe(error) });
  }
}

/** True for a request message (the host routes these to answerRequest). */
export function isRequest<M extends RequestMap>(message: unknown): message is RpcRequest<M> {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'request' &&
    typeof (message as { id?: unknown }).id === 'number'
  );
}

function isReply(message: unknown): message is RpcReply<RequestMap> {
  return (
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'reply' && typeof (message as { id?: unknown }).id === 'number'
  );
}
