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

/** Per-section token counts as the token engine reports them. */
export interface BackendTokenUsage {
  system: number;
  user: number;
  context: number;
  history: number;
  /** Prompt tokens, all sections. */
  total: number;
  completionReserve: number;
  limit: number;
  /** The model's own prompt count (`prompt_eval_count`), when reported. */
  promptEvalCount?: number;
  /** The model's answer count (`eval_count`), when reported. */
  evalCount?: number;
  /** True when counts come from the fallback estimate. */
  estimated?: boolean;
}

/** A dropped (or partly cut) context chunk. Every field optional: the panel shows what it gets. */
export interface BackendDroppedChunk {
  source?: string;
  id?: string;
  text?: string;
  tokens?: number;
  /** Tokens cut from it (for a partially kept chunk). */
  tokensCut?: number;
  partial?: boolean;
}

export interface GenerateOptions {
  history: ChatTurn[];
  onToken: (token: string) => void;
  signal: AbortSignal;
  systemPrompt?: string;
  /** `explainSelection`, ...: used for logs and for the ledger's per-command statistics. */
  command?: string;
  conversationId?: string;
}

export interface GenerateResult {
  text: string;
  usage: BackendTokenUsage;
  /** Warning texts, verbatim (the token engine's truncation warning, server truncation, fallback notes). */
  warnings: string[];
  truncated: boolean;
  truncatedSections: string[];
  droppedChunks: BackendDroppedChunk[];
  /** Total tokens cut by the token engine, when it reports it. */
  tokensCut?: number;
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
