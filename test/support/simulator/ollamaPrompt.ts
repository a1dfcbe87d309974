// What Ollama does with the prompt of a model that has a real vocabulary (SimModelConfig.vocab), version by version:
// render the chat template, drop whole messages until the count fits (server/prompt.go chatPrompt), then cut tokens
// or refuse in the runner (llm/llama_server.go since 0.30, runner/ollamarunner before, x/mlxrunner for MLX).
//
// The message-dropping loop is written here from prompt.go, not taken from src/core's simulateOllamaTruncation:
// the simulator is the reference Therapist is tested against, so it must not share Therapist's code for it.
import {
  ChatTemplate,
  compareVersions,
  stripsThinkTags,
  type ChatTemplateMessage,
  type ChatTemplateTool,
  type PreparedChat,
} from '../../../src/core/request/chatTemplate';
import { tagImages, type ThinkRequest } from '../../../src/core/request/chatTemplate/ollamaMessages';
import type { ResolvedModel } from './models';
import { simTokenizer, type SimTokenizer } from './vocabFacts';

/** The request facts that decide the prompt. */
export interface VocabPromptRequest {
  readonly messages: readonly ChatTemplateMessage[];
  readonly body: Record<string, unknown>;
  /** /api/generate with `raw: true`: the prompt is sent as it is, no template. */
  readonly rawPrompt?: string;
  /** The window of the loaded runner (num_ctx, clamped, capped by a memory-limited load). */
  readonly numCtx: number;
  readonly numKeep: number;
  /** The simulated server's version (/__sim/config). */
  readonly version: string;
}

/** What the runner evaluated, or the error Ollama answered with; both carry the counts for the request record. */
export interface VocabPromptOutcome {
  /** The whole conversation rendered and counted as the runner would evaluate it (BOS included), before any cut. */
  readonly promptTokens: number;
  /** The string Ollama sent to the runner (after dropped messages). */
  readonly renderedPrompt: string;
  readonly droppedMessages: number;
  /** prompt_eval_count: the tokens that survived; undefined when the request was refused. */
  readonly evaluated?: number;
  readonly cut?: { keptTokens: number; droppedTokens: number; numKeep: number };
  readonly error?: { status: number; text: string };
}

/** llm/llama_server.go (0.30.9+): truncation is on but the runner cannot shift (shift:false, or the deepseek2 family). */
export const NO_CONTEXT_SHIFT_TEXT =
  'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length';
/** runner/ollamarunner and runner/llamarunner errorInputTooLong (0.12.6 up to 0.30), written by http.Error. */
export const INPUT_TOO_LONG_TEXT = 'the input length exceeds the context length';

/** llama-server's refusal (server-context.cpp, n_tokens >= n_ctx), which Ollama passes through as its error string. */
export function llamaServerContextError(nPromptTokens: number, nCtx: number): string {
  return JSON.stringify({
    error: {
      code: 400,
      message: `request (${nPromptTokens} tokens) exceeds the available context size (${nCtx} tokens), try increasing it`,
      type: 'exceed_context_size_error',
      n_prompt_tokens: nPromptTokens,
      n_ctx: nCtx,
    },
  });
}

/** x/mlxrunner/pipeline.go: an MLX model only enforces its maximum (trained) context. */
export function mlxContextError(tokens: number, contextLength: number): string {
  return `input length (${tokens} tokens) exceeds the model's maximum context length (${contextLength} tokens)`;
}

const templates = new Map<string, ChatTemplate>();

/** The model's template, parsed once per source. */
export function compiledTemplate(source: string): ChatTemplate {
  let t = templates.get(source);
  if (!t) {
    t = ChatTemplate.compile(source);
    templates.set(source, t);
  }
  return t;
}

/** The model's capabilities as Ollama derives them from its template (server/images.go), plus a configured thinker. */
export function templateCapabilities(model: ResolvedModel): { tools: boolean; insert: boolean; thinking: boolean } {
  const caps = model.template ? compiledTemplate(model.template).capabilities() : { tools: true, insert: false, thinking: false };
  return { tools: caps.tools, insert: caps.insert, thinking: caps.thinking || model.thinking !== undefined };
}

const atLeast = (version: string, min: string): boolean => compareVersions(version, min) >= 0;

/** True for the deepseek2 family, which Ollama 0.30.9+ runs without context shift (server/sched.go supportsContextShift). */
export function isDeepseek2(model: ResolvedModel): boolean {
  return model.family === 'deepseek2' || model.architecture === 'deepseek2';
}

/**
 * llama-server's `--context-shift` for this request (a launch setting, so a change reloads): the request's `shift`,
 * else off for deepseek2. Only 0.30.9+ refuses at prompt time without it; undefined on versions where it is not
 * a load setting that matters here.
 */
export function contextShiftFor(model: ResolvedModel, body: Record<string, unknown>, version: string): boolean | undefined {
  if (model.format === 'safetensors' || !atLeast(version, '0.30.9')) return undefined;
  return typeof body.shift === 'boolean' ? body.shift : !isDeepseek2(model);
}

/** contextShiftPromptLimit (0.30.11+): keep num_keep, then free about half of the rest of the window. */
function contextShiftPromptLimit(numCtx: number, numKeep: number): number {
  if (numCtx <= 1) return 0;
  const keep = Math.max(0, Math.min(numKeep, numCtx - 1));
  return numCtx - Math.max(Math.trunc((numCtx - keep) / 2), 1);
}

interface Kept {
  first: number;
  system: ChatTemplateMessage[];
}

const systemBefore = (msgs: readonly ChatTemplateMessage[], i: number): ChatTemplateMessage[] => msgs.slice(0, i).filter((m) => m.role === 'system');

/** prompt.go since 0.15.5: from the front, the first suffix (plus earlier system messages) whose count fits. */
function keepForward(msgs: readonly ChatTemplateMessage[], fits: (kept: ChatTemplateMessage[]) => boolean): Kept {
  let system: ChatTemplateMessage[] = [];
  const last = msgs.length - 1;
  for (let i = 0; i <= last; i++) {
    system = systemBefore(msgs, i);
    if (fits([...system, ...msgs.slice(i)]) || i === last) return { first: i, system };
  }
  return { first: 0, system };
}

/**
 * prompt.go before 0.15.5: from the back, growing the suffix while it fits. The same messages as the forward loop
 * whenever a longer suffix never counts fewer tokens; they differ only when it can (collation, index-dependent
 * templates), which is why both are kept.
 */
function keepBackward(msgs: readonly ChatTemplateMessage[], fits: (kept: ChatTemplateMessage[]) => boolean): Kept {
  let system: ChatTemplateMessage[] = [];
  let n = msgs.length - 1;
  for (let i = n - 1; i >= 0; i--) {
    system = systemBefore(msgs, i);
    if (!fits([...system, ...msgs.slice(i)])) break;
    n = i;
  }
  return { first: Math.max(n, 0), system };
}

/** The prompt a vocab model's runner evaluates for this request, exactly as the configured Ollama version would. */
export function vocabPrompt(model: ResolvedModel, req: VocabPromptRequest): VocabPromptOutcome {
  if (!model.vocab) throw new Error(`model ${model.name} has no vocab`);
  const tok = simTokenizer(model.vocab);
  const mlx = model.format === 'safetensors';
  // Versions before 0.12.6 do not know the field; MLX models are never truncated (routes.go ChatHandler).
  const truncate = !mlx && (!atLeast(req.version, '0.12.6') || req.body.truncate !== false);

  let renderedPrompt: string;
  let fullPrompt: string;
  let droppedMessages = 0;
  if (req.rawPrompt !== undefined) {
    renderedPrompt = fullPrompt = req.rawPrompt;
  } else {
    if (!model.template) throw new Error(`model ${model.name} has no template`);
    const template = compiledTemplate(model.template);
    const tools = Array.isArray(req.body.tools) ? (req.body.tools as ChatTemplateTool[]) : undefined;
    const prepared: PreparedChat = template.prepare({
      messages: req.messages,
      tools,
      think: req.body.think as ThinkRequest,
      thinkingCapable: templateCapabilities(model).thinking,
      ollamaVersion: req.version,
      stripThinkTags: stripsThinkTags(model.family, model.name),
    });
    const msgs = prepared.messages;
    const render = (kept: readonly ChatTemplateMessage[]) => template.renderMessages(kept, tools, prepared).prompt;
    // r.Tokenize: add_special false, specials parsed; the BOS is not part of this count (and no room is left for it).
    const fits = (kept: ChatTemplateMessage[]) => tok.llamaServer(render(kept), false).length <= req.numCtx;
    let kept: Kept = { first: 0, system: [] };
    if (truncate && msgs.length > 0) kept = atLeast(req.version, '0.15.5') ? keepForward(msgs, fits) : keepBackward(msgs, fits);
    const tagged = tagImages(msgs, kept.first);
    renderedPrompt = render([...kept.system, ...tagged.slice(kept.first)]);
    droppedMessages = kept.first - kept.system.length;
    fullPrompt = kept.first === 0 && kept.system.length === 0 ? renderedPrompt : render(tagImages(msgs, 0));
  }

  const base = { renderedPrompt, droppedMessages };
  if (mlx) {
    const count = (p: string) => tok.mlx(p).length;
    const n = count(renderedPrompt);
    const promptTokens = fullPrompt === renderedPrompt ? n : count(fullPrompt);
    if (n >= model.contextLength) return { ...base, promptTokens, error: { status: 400, text: mlxContextError(n, model.contextLength) } };
    return { ...base, promptTokens, evaluated: n };
  }
  const runner = atLeast(req.version, '0.30.0') ? llamaServerRunner : oldRunner;
  return runner(tok, model, req, truncate, renderedPrompt, fullPrompt, base);
}

type Runner = (
  tok: SimTokenizer,
  model: ResolvedModel,
  req: VocabPromptRequest,
  truncate: boolean,
  prompt: string,
  fullPrompt: string,
  base: { renderedPrompt: string; droppedMessages: number },
) => VocabPromptOutcome;

// llm/llama_server.go completionPrompt: a rendered leading "<bos>" is dropped when the tokenizer adds its own.
const completionPrompt = (tok: SimTokenizer, prompt: string): string =>
  tok.ollamaAddsBos && prompt.startsWith('<bos>') ? prompt.slice('<bos>'.length) : prompt;

/** 0.30+: completionPromptForRequest, then llama-server's own check (it refuses n_tokens >= n_ctx). */
const llamaServerRunner: Runner = (tok, model, req, truncate, prompt, fullPrompt, base) => {
  const numCtx = req.numCtx;
  const p = completionPrompt(tok, prompt);
  const tokens = tok.llamaServer(p, true);
  const promptTokens = fullPrompt === prompt ? tokens.length : tok.llamaServer(completionPrompt(tok, fullPrompt), true).length;
  // Ollama only tokenizes when the prompt has at least num_ctx bytes (Go len): a shorter one goes as a string.
  if (truncate && numCtx > 1 && Buffer.byteLength(p, 'utf8') >= numCtx && tokens.length > numCtx - 1) {
    const shift = contextShiftFor(model, req.body, req.version);
    if (shift === false) return { ...base, promptTokens, error: { status: 400, text: NO_CONTEXT_SHIFT_TEXT } };
    let numKeep = req.numKeep < 0 ? tokens.length : req.numKeep;
    let keptTokens: number;
    if (atLeast(req.version, '0.30.11')) {
      if (tok.ollamaAddsBos) numKeep++;
      numKeep = Math.min(numKeep, numCtx - 1);
      keptTokens = contextShiftPromptLimit(numCtx, numKeep);
    } else {
      numKeep = Math.min(numKeep, numCtx - 1);
      keptTokens = numCtx - 1;
    }
    return { ...base, promptTokens, evaluated: keptTokens, cut: { keptTokens, droppedTokens: tokens.length - keptTokens, numKeep } };
  }
  if (tokens.length >= numCtx) return { ...base, promptTokens, error: { status: 400, text: llamaServerContextError(tokens.length, numCtx) } };
  return { ...base, promptTokens, evaluated: tokens.length };
};

/** Before 0.30 (runner/ollamarunner NewSequence): more than num_ctx inputs are cut to exactly num_ctx, or refused. */
const oldRunner: Runner = (tok, _model, req, truncate, prompt, fullPrompt, base) => {
  const numCtx = req.numCtx;
  const n = tok.llamaServer(prompt, true).length;
  const promptTokens = fullPrompt === prompt ? n : tok.llamaServer(fullPrompt, true).length;
  if (n <= numCtx) return { ...base, promptTokens, evaluated: n };
  if (!truncate) return { ...base, promptTokens, error: { status: 400, text: INPUT_TOO_LONG_TEXT } };
  const numKeep = Math.min(req.numKeep < 0 ? n : req.numKeep, numCtx - 1);
  return { ...base, promptTokens, evaluated: numCtx, cut: { keptTokens: numCtx, droppedTokens: n - numCtx, numKeep } };
};
