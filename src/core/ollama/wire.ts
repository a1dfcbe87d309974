// The JSON Ollama speaks on /api/chat, /api/show and /api/ps (see docs/OLLAMA.md and shared/ollama-wire.md).
// Every field the server may omit is optional here: metrics are omitted when zero, old servers omit more.

/** One chat message as /api/chat takes it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  images?: string[];
}

/** Model options; Therapist always sets num_ctx and num_predict so Ollama's defaults never cut a prompt. */
export interface ChatRequestOptions {
  num_ctx?: number;
  num_predict?: number;
  temperature?: number;
  top_k?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
  [key: string]: unknown;
}

/** The body of POST /api/chat. `stream` is set explicitly: the server defaults to true, ollama-js to false. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  options?: ChatRequestOptions;
  keep_alive?: string | number;
  format?: unknown;
  /** Thinking models: on/off, or a level for models that take levels (gpt-oss). Absent means ON for a thinking model since 0.12.4. */
  think?: boolean | 'low' | 'medium' | 'high';
  /** false: a prompt longer than num_ctx is HTTP 400 instead of being cut silently (Ollama 0.12.6+; older servers ignore it). */
  truncate?: boolean;
}

/** One NDJSON line of a streamed /api/chat (or /api/generate) answer, or the one non-streaming object. */
export interface ChatChunk {
  model?: string;
  created_at?: string;
  message?: { role?: string; content?: string; thinking?: string };
  /** /api/generate carries the text here instead of `message`. */
  response?: string;
  /** /api/generate carries a thinking model's reasoning here. */
  thinking?: string;
  done?: boolean;
  done_reason?: string;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
  /** Present instead of everything else when the server fails after streaming began (status stays 200). */
  error?: string;
}

/** The final chunk's metrics, renamed for TypeScript. Every one may be missing: treat absence as "unknown". */
export interface ChatMetrics {
  doneReason?: string;
  totalDurationNs?: number;
  loadDurationNs?: number;
  promptEvalCount?: number;
  promptEvalDurationNs?: number;
  evalCount?: number;
  evalDurationNs?: number;
}

/** Copies the metrics of a final chunk, keeping only well-formed non-negative numbers. */
export function metricsFromChunk(chunk: ChatChunk): ChatMetrics {
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  return {
    doneReason: typeof chunk.done_reason === 'string' ? chunk.done_reason : undefined,
    totalDurationNs: num(chunk.total_duration),
    loadDurationNs: num(chunk.load_duration),
    promptEvalCount: num(chunk.prompt_eval_count),
    promptEvalDurationNs: num(chunk.prompt_eval_duration),
    evalCount: num(chunk.eval_count),
    evalDurationNs: num(chunk.eval_duration),
  };
}

/** The reasoning a thinking model's chunk adds (`message.thinking`, or /api/generate's `thinking`). */
export function chunkThinking(chunk: ChatChunk): string {
  if (chunk.message && typeof chunk.message.thinking === 'string') return chunk.message.thinking;
  return typeof chunk.thinking === 'string' ? chunk.thinking : '';
}

/** The text a chunk adds to the answer (chat `message.content` or generate `response`). */
export function chunkText(chunk: ChatChunk): string {
  if (chunk.message && typeof chunk.message.content === 'string') return chunk.message.content;
  return typeof chunk.response === 'string' ? chunk.response : '';
}

/** The parts of POST /api/show Therapist reads. */
export interface ShowResponse {
  parameters?: string;
  /** The chat template (Go text/template) Ollama renders messages with. */
  template?: string;
  /** The Modelfile's SYSTEM and MESSAGEs, which Ollama puts around the request's messages. */
  system?: string;
  messages?: { role?: string; content?: string }[];
  details?: { family?: string; parameter_size?: string; quantization_level?: string; format?: string };
  model_info?: Record<string, unknown>;
  capabilities?: string[];
}

/** One entry of GET /api/ps. `context_length` exists since Ollama 0.9.7. */
export interface PsModel {
  name?: string;
  model?: string;
  size?: number;
  size_vram?: number;
  expires_at?: string;
  context_length?: number;
}

/** GET /api/ps. */
export interface PsResponse {
  models?: PsModel[];
}
