import type { IncomingMessage, ServerResponse } from 'node:http';
import { fitToWindow, replyTokens, replyText, type ResolvedModel, type SimFailure, type SimMessage } from './models';
import { compareVersions } from '../../../src/core/request/chatTemplate';
import { INPUT_TOO_LONG_TEXT, contextShiftFor, llamaServerContextError, templateCapabilities, vocabPrompt } from './ollamaPrompt';
import { expiry, type SimRequestRecord, type SimState } from './state';
import { BUSY_TEXT, createdAt, goJson, omitZero, splitInsideCharacter } from './wireFormat';

type Kind = 'chat' | 'generate';

/** One streamed piece of the answer: a thinking model's reasoning, or the answer's text. */
interface Piece {
  content?: string;
  thinking?: string;
}

const INTEGER_OPTIONS = ['num_ctx', 'num_predict', 'num_keep', 'seed', 'top_k', 'num_batch', 'num_gpu', 'num_thread'];

/** Writes an Ollama JSON error: `{"error":"..."}` with a real status. */
export function sendError(res: ServerResponse, record: SimRequestRecord, status: number, text: string): void {
  record.status = status;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(goJson({ error: text }));
}

/** Writes one JSON object the way Go's c.JSON does (no trailing newline). */
export function sendJson(res: ServerResponse, record: SimRequestRecord, value: unknown, status = 200): void {
  record.status = status;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(goJson(value));
}

/** Takes one use of an injected failure; returns it when it applies to this request. */
function takeFailure(model: ResolvedModel): SimFailure | undefined {
  const failure = model.failure;
  if (!failure) return undefined;
  if (failure.times !== undefined) {
    if (failure.times <= 0) return undefined;
    failure.times--;
  }
  return failure;
}

/** The cancellation the real server gets from a closed connection. */
function disconnectWatch(res: ServerResponse, record: SimRequestRecord): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) {
      record.clientDisconnected = true;
      controller.abort();
    }
  });
  return controller.signal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    // Remove the listener when the timer wins: one listener per streamed chunk would pile up on the request's signal.
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

type Fit = { keptTokens: number } | { error: { status: number; text: string } };

/**
 * The `tokensPerChar` stand-in: Ollama's silent fit, or a 400 for a model configured to refuse and, as every Ollama
 * since 0.12.6 does, for a request that says `truncate:false` (0.30+ with llama-server's JSON, before with the
 * runner's sentence).
 */
function standInFit(
  model: ResolvedModel,
  messages: SimMessage[],
  numCtx: number,
  body: Record<string, unknown>,
  version: string,
  record: SimRequestRecord,
): Fit {
  const fit = fitToWindow(model, messages, numCtx);
  record.promptTokens = fit.promptTokens;
  if (fit.promptTokens > numCtx && model.truncation === 'error') {
    return { error: { status: 400, text: `request (${fit.promptTokens} tokens) exceeds the available context size (${numCtx} tokens), try increasing it` } };
  }
  if (fit.promptTokens > numCtx && body.truncate === false && compareVersions(version, '0.12.6') >= 0) {
    const text = compareVersions(version, '0.30.0') >= 0 ? llamaServerContextError(fit.promptTokens, numCtx) : INPUT_TOO_LONG_TEXT;
    return { error: { status: 400, text } };
  }
  record.truncated = fit.truncated;
  record.droppedMessages = fit.droppedMessages;
  // Before 0.30 the runner cut an overlong prompt to exactly num_ctx; 0.30+ keeps about half (fitToWindow).
  if (fit.keptTokens === Math.floor(numCtx / 2) && fit.promptTokens > numCtx && compareVersions(version, '0.30.0') < 0) return { keptTokens: numCtx };
  return { keptTokens: fit.keptTokens };
}

/** A real vocabulary: the template rendered and counted, truncated or refused as the configured version does. */
function vocabFit(
  model: ResolvedModel,
  kind: Kind,
  body: Record<string, unknown>,
  messages: SimMessage[],
  numCtx: number,
  numKeep: number,
  version: string,
  record: SimRequestRecord,
): Fit {
  let outcome;
  try {
    const rawPrompt = kind === 'generate' && body.raw === true ? String(body.prompt ?? '') : undefined;
    outcome = vocabPrompt(model, { messages, body, rawPrompt, numCtx, numKeep, version });
  } catch (error) {
    // routes.go: a template that fails to render is a 500 with the error's text.
    return { error: { status: 500, text: error instanceof Error ? error.message : String(error) } };
  }
  record.promptTokens = outcome.promptTokens;
  record.renderedPrompt = outcome.renderedPrompt;
  record.droppedMessages = outcome.droppedMessages;
  record.promptCut = outcome.cut;
  record.truncated = outcome.droppedMessages > 0 || outcome.cut !== undefined;
  if (outcome.error || outcome.evaluated === undefined) return { error: outcome.error ?? { status: 500, text: 'no prompt evaluated' } };
  return { keptTokens: outcome.evaluated };
}

/** Handles POST /api/chat and /api/generate like Ollama's ChatHandler/GenerateHandler. */
export async function handleGeneration(
  kind: Kind,
  state: SimState,
  _req: IncomingMessage,
  res: ServerResponse,
  body: Record<string, unknown>,
  record: SimRequestRecord,
): Promise<void> {
  const started = process.hrtime.bigint();
  const name = typeof body.model === 'string' ? body.model : '';
  record.model = name || undefined;
  const options = (body.options && typeof body.options === 'object' ? body.options : {}) as Record<string, unknown>;
  record.numCtx = options.num_ctx;
  record.numPredict = options.num_predict;
  record.stream = body.stream !== false;
  if (!name) return sendError(res, record, 400, 'model is required');
  const model = state.find(name);
  if (!model) return sendError(res, record, 404, `model '${name}' not found`);
  for (const key of INTEGER_OPTIONS) {
    if (key in options && !Number.isInteger(options[key])) return sendError(res, record, 500, `option "${key}" must be of type integer`);
  }
  // A request that asks a model without the capability to think is refused before anything else (Ollama's wording).
  const canThink = model.vocab ? templateCapabilities(model).thinking : model.thinking !== undefined;
  if (body.think !== undefined && body.think !== false && !canThink) {
    return sendError(res, record, 400, `"${name}" does not support thinking`);
  }
  const failure = takeFailure(model);
  if (failure?.kind === 'busy') return sendError(res, record, 503, BUSY_TEXT);
  if (failure?.kind === 'http') {
    record.status = failure.status;
    res.writeHead(failure.status, { 'content-type': failure.contentType ?? 'application/json; charset=utf-8' });
    return void res.end(failure.body);
  }
  const aborted = disconnectWatch(res, record);
  const messages: SimMessage[] =
    kind === 'chat'
      ? Array.isArray(body.messages)
        ? (body.messages as SimMessage[])
        : []
      : [
          ...(typeof body.system === 'string' ? [{ role: 'system', content: body.system }] : []),
          ...(body.prompt ? [{ role: 'user', content: String(body.prompt) }] : []),
        ];
  const requestedCtx = typeof options.num_ctx === 'number' ? options.num_ctx : (model.modelfileNumCtx ?? state.defaultNumCtx);
  // The scheduler raises num_ctx to at least 4 (server/sched.go); the runner clamps it to the trained context.
  const clampedCtx = Math.min(model.vocab ? Math.max(requestedCtx, 4) : requestedCtx, model.contextLength);
  // A memory-limited server loads less than asked, and everything then counts against what it loaded.
  const numCtx = Math.min(clampedCtx, model.loadedWindowCap ?? Infinity);
  record.effectiveNumCtx = numCtx;
  const contextShift = model.vocab ? contextShiftFor(model, body, state.version) : undefined;

  const loadStarted = process.hrtime.bigint();
  const current = state.loaded.get(model.name);
  if (!current || (current.requestedCtx ?? current.numCtx) !== clampedCtx || current.contextShift !== contextShift) {
    record.reloaded = true;
    state.reloads++;
    await sleep(model.loadMs, aborted);
    state.loaded.set(model.name, { numCtx, requestedCtx: clampedCtx, contextShift, expiresAt: expiry() });
  }
  const loadNs = Number(process.hrtime.bigint() - loadStarted);
  const emptyPrompt = kind === 'chat' ? messages.length === 0 : !body.prompt;
  if (emptyPrompt) {
    const unload = body.keep_alive === 0 || body.keep_alive === '0' || body.keep_alive === '0s';
    if (unload) state.loaded.delete(model.name);
    const base =
      kind === 'chat'
        ? { model: name, created_at: createdAt(), message: { role: 'assistant', content: '' } }
        : { model: name, created_at: createdAt(), response: '' };
    sendJson(res, record, { ...base, done: true, done_reason: unload ? 'unload' : 'load' });
    return state.end(record, true);
  }

  const numKeep = typeof options.num_keep === 'number' ? options.num_keep : model.numKeep;
  const fit = model.vocab
    ? vocabFit(model, kind, body, messages, numCtx, numKeep, state.version, record)
    : standInFit(model, messages, numCtx, body, state.version, record);
  if ('error' in fit) return sendError(res, record, fit.error.status, fit.error.text);
  record.promptEvalCount = fit.keptTokens;

  const promptStarted = process.hrtime.bigint();
  await sleep(model.timeToFirstTokenMs, aborted);
  const promptNs = Number(process.hrtime.bigint() - promptStarted);
  // A thinking model reasons first (message.thinking), unless the request says think:false; both count against
  // num_predict and in eval_count, as in Ollama.
  const thinks = model.thinking !== undefined && body.think !== false;
  const thoughts: Piece[] = thinks ? replyTokens(model.thinking ?? '').map((t) => ({ thinking: t })) : [];
  let tokens: Piece[] = [...thoughts, ...replyTokens(replyText(model, messages)).map((t) => ({ content: t }))];
  const numPredict = typeof options.num_predict === 'number' && options.num_predict > 0 ? options.num_predict : Infinity;
  const doneReason = tokens.length > numPredict ? 'length' : 'stop';
  tokens = tokens.slice(0, numPredict);
  const delay = model.tokensPerSecond > 0 ? 1000 / model.tokensPerSecond : 0;
  const piece = (p: Piece) =>
    kind === 'chat'
      ? { message: { role: 'assistant', content: p.content ?? '', ...(p.thinking !== undefined ? { thinking: p.thinking } : {}) } }
      : { response: p.content ?? '', ...(p.thinking !== undefined ? { thinking: p.thinking } : {}) };
  const finalFields = (evalNs: number) => ({
    done: true,
    done_reason: doneReason,
    ...omitZero({
      total_duration: Number(process.hrtime.bigint() - started),
      load_duration: loadNs,
      prompt_eval_count: model.omitPromptEvalCount ? undefined : fit.keptTokens,
      prompt_eval_duration: promptNs,
      eval_count: tokens.length,
      eval_duration: evalNs,
    }),
    ...(kind === 'generate' ? { context: Array.from({ length: fit.keptTokens + tokens.length }, (_, i) => (i * 7919) % 128256) } : {}),
  });

  const evalStarted = process.hrtime.bigint();
  if (body.stream === false) {
    for (let i = 0; i < tokens.length && !aborted.aborted; i++) await sleep(delay, aborted);
    if (aborted.aborted) return state.end(record, false);
    record.chunksSent = tokens.length;
    const thought = tokens.map((t) => t.thinking ?? '').join('');
    const whole = piece({ content: tokens.map((t) => t.content ?? '').join(''), thinking: thought || undefined });
    sendJson(res, record, { model: name, created_at: createdAt(), ...whole, ...finalFields(Number(process.hrtime.bigint() - evalStarted)) });
    return state.end(record, true);
  }

  record.status = 200;
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const writeLine = async (value: unknown) => {
    const bytes = Buffer.from(`${goJson(value)}\n`, 'utf8');
    const parts = model.splitUtf8 ? splitInsideCharacter(bytes) : [bytes];
    for (const [i, part] of parts.entries()) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      if (!aborted.aborted) res.write(part);
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    if (aborted.aborted) return state.end(record, false);
    if (failure && 'afterChunks' in failure && failure.afterChunks === i) {
      if (failure.kind === 'error-line') await writeLine({ error: failure.message });
      if (failure.kind === 'garbage') res.write(`${failure.line}\n`);
      res.end();
      return state.end(record, false);
    }
    if (model.stall && model.stall.afterChunks === i) await sleep(model.stall.ms, aborted);
    if (i > 0 || delay > 0) await sleep(delay, aborted);
    if (aborted.aborted) return state.end(record, false);
    await writeLine({ model: name, created_at: createdAt(), ...piece(tokens[i]), done: false });
    record.chunksSent++;
  }
  if (failure && 'afterChunks' in failure && failure.afterChunks >= tokens.length) {
    if (failure.kind === 'error-line') await writeLine({ error: failure.message });
    res.end();
    return state.end(record, false);
  }
  if (aborted.aborted) return state.end(record, false);
  await writeLine({ model: name, created_at: createdAt(), ...piece({ content: '' }), ...finalFields(Number(process.hrtime.bigint() - evalStarted)) });
  res.end();
  state.end(record, true);
}
