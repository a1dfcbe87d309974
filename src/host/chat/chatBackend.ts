// The narrow interface the chat controller needs from the model side. ModelIntegration satisfies it
// (structurally: no import either way); tests use a fake. No `vscode` here, so the controller that
// depends on it unit-tests in plain Node.

/** One earlier turn of the conversation, oldest first. */
export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** A context chunk in the shapes `optimizePrompt` takes. */
export type ContextChunk = string | { text: string; relevance?: number; source?: string; id?: string };

/** What a request used, as ModelIntegration reports it (its `ResponseUsage`, the fields the panel reads). */
export interface BackendTokenUsage {
  /** Our per-section counts of the prompt sent. */
  perSection: { system: number; user: number; context: number; history: number };
  /** Prompt tokens, all sections. */
  total: number;
  /** What the prompt would have needed without truncation (so `requested - total` were cut). */
  requested?: number;
  limit: number;
  completionReserve: number;
  /** The model's own prompt count (`prompt_eval_count`), when reported. */
  promptEvalCount?: number;
  /** The model's answer count (`eval_count`), when reported. */
  evalCount?: number;
  /** True when counts come from the fallback estimate. */
  estimated?: boolean;
}

/** A dropped (or partly cut) context chunk, as the token engine's `ChunkReport`. Fields the panel can do without are optional. */
export interface BackendDroppedChunk {
  /** Position in the context array the caller passed. */
  index?: number;
  source?: string;
  id?: string;
  /** Tokens of the whole chunk. */
  tokens?: number;
  /** Tokens of what was kept: 0 when dropped. */
  keptTokens?: number;
  status?: 'dropped' | 'cut';
}

export interface GenerateOptions {
  history: ChatTurn[];
  onToken: (token: string) => void;
  signal: AbortSignal;
  systemPrompt?: string;
  /** `explainSelection`, ...: used for logs and for the ledger's per-command statistics. */
  command?: string;
  conversationId?: string;
  /** Streaming broke and a non-streaming request follows: the partial text shown so far is void. */
  onFallback?: (reason: string) => void;
}

export interface GenerateResult {
  text: string;
  usage: BackendTokenUsage;
  /** Warning texts, verbatim (the token engine's truncation warning, server truncation, fallback notes). */
  warnings: string[];
  truncated: boolean;
  truncatedSections: string[];
  droppedChunks: BackendDroppedChunk[];
  fallbackUsed: boolean;
  cancelled: boolean;
  serverTruncationSuspected: boolean;
}

export interface TokenUsageInfo {
  totalTokens: number;
  truncated: boolean;
  truncatedSections: string[];
  perSection: { system: number; user: number; context: number; history: number };
  limit: number;
  completionReserve: number;
  estimated: boolean;
  /** What the prompt would need without truncation. */
  requested?: number;
  /** The token engine's warning text when something would be cut. */
  warning?: string;
}

/**
 * What the chat needs from ModelIntegration. Errors thrown are TherapistError subclasses (src/core/errors.ts)
 * carrying `code`, `message`, `advice` and `actions`; a cancelled request resolves with `cancelled: true`
 * (or rejects with a `cancelled` code), keeping the text received so far.
 */
export interface ChatBackend {
  generateResponse(prompt: string, context: ContextChunk[], options: GenerateOptions): Promise<GenerateResult>;
  getTokenUsageInfo(prompt: string, context: ContextChunk[], options: { history: ChatTurn[]; systemPrompt?: string }): TokenUsageInfo | Promise<TokenUsageInfo>;
}
