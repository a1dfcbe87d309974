// The simulated models: their facts, how they count tokens, how they truncate, and what they answer.
import { demoReply } from './demoReplies';
import { isSummaryRequest, summaryReply, type SimSummaryFailure } from './summaryReplies';
import { VOCAB_MODEL_FACTS, familyTemplate, type SimVocabName } from './vocabFacts';

/** How a chat request fails on purpose. `times` (default: every request) counts down per chat/generate request. */
export type SimFailure =
  | { kind: 'http'; status: number; body: string; contentType?: string; times?: number }
  | { kind: 'busy'; times?: number }
  | { kind: 'error-line'; afterChunks: number; message: string; times?: number }
  | { kind: 'cut'; afterChunks: number; times?: number }
  | { kind: 'garbage'; afterChunks: number; line: string; times?: number };

/** Everything configurable about one simulated model. Only `name` is required. */
export interface SimModelConfig {
  /** As `ollama list` shows it; a request for "x" also finds "x:latest". */
  name: string;
  architecture?: string;
  /** Trained context (`<arch>.context_length` in /api/show). */
  contextLength?: number;
  /** `PARAMETER num_ctx` in the Modelfile, if any. */
  modelfileNumCtx?: number;
  /** When set, the model starts loaded with this window (as /api/ps reports it). */
  loadedContext?: number;
  /** The answer: fixed text, `{ echo: true }` for "You said: <last user message>", or `{ demo: true }` for npm run demo's canned answers. */
  reply?: string | { echo: true; prefix?: string } | { demo: true };
  /** A thinking model: the reasoning it streams in `message.thinking` before answering (unless the request says think:false). */
  thinking?: string;
  /** Model tokens per character of message content (deterministic tokenizer stand-in). */
  tokensPerChar?: number;
  /** Template tokens added per message (role markers and separators). */
  perMessageOverhead?: number;
  /** Streaming speed; 0 = as fast as possible. */
  tokensPerSecond?: number;
  /** Delay before the first token (reading the prompt). */
  timeToFirstTokenMs?: number;
  /** Delay when the model is not loaded or is reloaded with another num_ctx. */
  loadMs?: number;
  /** Stop sending for `ms` after `afterChunks` chunks (to exercise idle timeouts). */
  stall?: { afterChunks: number; ms: number };
  /** What happens when the prompt is longer than num_ctx: Ollama's silent truncation (200) or a 400. */
  truncation?: 'silent' | 'error';
  numKeep?: number;
  /** Split each streamed line into two writes inside a multi-byte character (default true). */
  splitUtf8?: boolean;
  failure?: SimFailure;
  /** Behave like a server before 0.1.49 answering from its prompt cache: no prompt_eval_count in the final chunk. */
  omitPromptEvalCount?: boolean;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  /**
   * The model's REAL tokenizer. Set, the model renders `template` over the request exactly as Ollama does, counts
   * the prompt in this vocabulary as llama-server does, and truncates or refuses as the configured Ollama version
   * does, driven by the request's `truncate`/`shift` (see ollamaPrompt.ts); `tokensPerChar`, `perMessageOverhead`
   * and `truncation` are then unused. Unset, the `tokensPerChar` stand-in counts; it cuts silently, or refuses when asked `truncate:false` on 0.12.6+.
   * Also sets the defaults of architecture, family, contextLength and parameterSize to the vocabulary's model.
   */
  vocab?: SimVocabName;
  /** The Go chat template (`template` in /api/show). Default with `vocab`: the registry template of its family. */
  template?: string;
  /** 'safetensors' = an MLX model: no `tokenizer.ggml.*` keys in /api/show, never truncated, MLX's own limit error. */
  format?: 'gguf' | 'safetensors';
  /** A memory-limited server: the loaded window (and /api/ps context_length) is at most this, whatever num_ctx asks. */
  loadedWindowCap?: number;
  /** Summarize requests (summaryReplies.ts) fail this way: a 500, an empty answer, or one without words. */
  summaryFailure?: SimSummaryFailure;
}

type OptionalFields = 'modelfileNumCtx' | 'loadedContext' | 'stall' | 'failure' | 'thinking' | 'vocab' | 'template' | 'loadedWindowCap' | 'summaryFailure';

export type ResolvedModel = Required<Omit<SimModelConfig, OptionalFields>> & Pick<SimModelConfig, OptionalFields>;

export const DEFAULT_REPLY = 'Sure. Use `a < b && b > c` here: naïve café, 東京, 🎉 done.';

/** Fills in the defaults of a model configuration (a vocabulary's own model facts before the generic ones). */
export function resolveModel(config: SimModelConfig): ResolvedModel {
  const facts = config.vocab ? VOCAB_MODEL_FACTS[config.vocab] : undefined;
  if (config.vocab !== undefined && !facts) throw new Error(`unknown vocab "${String(config.vocab)}" (one of ${Object.keys(VOCAB_MODEL_FACTS).join(', ')})`);
  if (config.format !== undefined && config.format !== 'gguf' && config.format !== 'safetensors') {
    throw new Error(`unknown format "${String(config.format)}" (gguf or safetensors)`);
  }
  const vocabDefaults =
    config.vocab && facts
      ? {
          architecture: facts.architecture,
          family: facts.family,
          contextLength: facts.contextLength,
          parameterSize: facts.parameterSize,
          template: familyTemplate(config.vocab).template,
          ...(config.format === 'safetensors' ? { quantization: 'bf16' } : {}),
        }
      : {};
  return {
    architecture: 'llama',
    contextLength: 8192,
    reply: DEFAULT_REPLY,
    tokensPerChar: 0.3,
    perMessageOverhead: 4,
    tokensPerSecond: 0,
    timeToFirstTokenMs: 0,
    loadMs: 0,
    truncation: 'silent',
    numKeep: 4,
    splitUtf8: true,
    omitPromptEvalCount: false,
    family: 'llama',
    parameterSize: '8.0B',
    quantization: 'Q4_K_M',
    format: 'gguf',
    ...vocabDefaults,
    ...stripUndefined(config),
  } as ResolvedModel;
}

function stripUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

export interface SimMessage {
  role: string;
  content: string;
}

/** The simulated tokenizer: a fixed ratio per character plus the template's per-message overhead. */
export function messageTokens(model: ResolvedModel, message: SimMessage): number {
  return Math.ceil([...(message.content ?? '')].length * model.tokensPerChar) + model.perMessageOverhead;
}

/** What survived the window: the count the model evaluated, and what was dropped. */
export interface FitResult {
  promptTokens: number;
  keptTokens: number;
  droppedMessages: number;
  truncated: boolean;
}

/**
 * Ollama's silent fit (server/prompt.go, then the runner): drop whole messages oldest first, keeping system
 * messages and the last one; if still too long, keep only about num_ctx/2 tokens (Ollama 0.30+).
 */
export function fitToWindow(model: ResolvedModel, messages: SimMessage[], numCtx: number): FitResult {
  const counts = messages.map((m) => messageTokens(model, m));
  const promptTokens = counts.reduce((a, b) => a + b, 0);
  let total = promptTokens;
  let dropped = 0;
  for (let i = 0; i < messages.length - 1 && total > numCtx; i++) {
    if (messages[i].role === 'system') continue;
    total -= counts[i];
    dropped++;
  }
  if (total > numCtx) return { promptTokens, keptTokens: Math.floor(numCtx / 2), droppedMessages: dropped, truncated: true };
  return { promptTokens, keptTokens: total, droppedMessages: dropped, truncated: dropped > 0 };
}

/** The answer's text for a request. */
export function replyText(model: ResolvedModel, messages: SimMessage[]): string {
  // A summarize request gets a summary of its turns, whatever the model's reply setting.
  if (isSummaryRequest(messages)) return summaryReply(messages, model.summaryFailure);
  if (typeof model.reply === 'string') return model.reply;
  if ('demo' in model.reply) return demoReply(messages);
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return `${model.reply.prefix ?? 'You said: '}${lastUser?.content ?? ''}`;
}

/** Splits an answer into "tokens": a word with its leading whitespace, or a run of whitespace. */
export function replyTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+/gu) ?? [];
}

/** True when a request's model name refers to this model (`x` matches `x:latest`). */
export function sameModel(requested: string, name: string): boolean {
  const norm = (s: string) => (s.includes(':') ? s : `${s}:latest`);
  return norm(requested) === norm(name);
}
