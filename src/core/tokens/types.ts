import type { CompressionStepSummary } from '../../shared/notices';
import type { PromptSection } from '../../shared/vocabulary';
import type { Calibration } from './meter';

export type { PromptSection };

/** The three budget shares (fractions of the window), as in the therapist.*TokenBudget settings. */
export interface BudgetShareSettings {
  systemTokenBudget: number;
  userTokenBudget: number;
  contextTokenBudget: number;
}

/** A piece of context for the prompt: plain text, or text with its ranking and provenance. */
export type ContextChunk =
  | string
  | {
      text: string;
      /** Higher is more relevant. Chunks without one rank after those with one, by position. */
      relevance?: number;
      /** Where it came from (a file path, "selection", ...), shown when it is dropped. */
      source?: string;
      id?: string;
    };

/** One message of the conversation so far (history is passed oldest first). */
export interface HistoryMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

export interface OptimizeOptions {
  /** The conversation so far, oldest first. */
  history?: readonly HistoryMessage[];
  /** Model tokens per counted token: one factor, or one per content class (default 1). See docs/TOKEN_CONSTRAINTS.md. */
  calibration?: Calibration;
  /** Chat-template tokens added once per prompt (BOS, the assistant prefix), counted in the system section. */
  promptOverhead?: number;
  /** Chat-template tokens the model adds per message sent (default 0). */
  perMessageOverhead?: number;
  /** Tokens held back for the answer, instead of ceil(0.1 x maxTokens). */
  completionReserve?: number;
  /** Plan for this window instead of the counter's maxTokens (for a model with a smaller context). */
  maxTokens?: number;
  /** The budget shares of this fit, instead of the counter's own (budgets are inputs: changing them keeps the cache). */
  budgets?: BudgetShareSettings;
  /** Keep at most this many context chunks (the most relevant). */
  maxContextChunks?: number;
  /**
   * Shrink context and old history before cutting them, when the prompt would otherwise lose anything
   * (lossless steps first, then elision and comments: docs/compression.md). Default false.
   */
  compress?: boolean;
}

/** What compression saved in the prompt as sent (the data of a `compressed` notice). */
export interface PromptCompression {
  /** The steps that saved anything in what was sent, in the order they ran. */
  steps: CompressionStepSummary[];
  savedTokens: number;
}

/** What happened to one context chunk that did not make it whole into the prompt. */
export interface ChunkReport {
  /** Position of the chunk in the caller's array. */
  index: number;
  id?: string;
  source?: string;
  relevance?: number;
  /** Tokens of the whole chunk (calibrated, without the separator). */
  tokens: number;
  /** Tokens of what was kept: 0 when dropped, the cut text's count (with its marker) when cut. */
  keptTokens: number;
  status: 'dropped' | 'cut';
}

/**
 * Token counts of the returned prompt, in model tokens: each text is counted with GPT-2 and calibrated as
 * ceil(calibration x count - 1e-9), then the per-message overhead is added per message sent.
 */
export interface TokenUsage {
  /** The system prompt (+ one message overhead when it is non-empty), plus the template's once-per-prompt tokens. */
  system: number;
  /** The user's message (+ one message overhead). */
  user: number;
  /** The kept context chunks, each + separator tokens (see CONTEXT_SEPARATOR). */
  context: number;
  /** The kept history messages (+ one overhead each). */
  history: number;
  /** system + user + context + history. */
  total: number;
  completionReserve: number;
  limit: number;
  /** What the prompt would have needed without any truncation. */
  requested: number;
  /** True when counts come from the fallback estimate rather than the GPT-2 tokenizer. */
  estimated: boolean;
  calibration: Calibration;
  perMessageOverhead: number;
  promptOverhead: number;
}

/** A prompt that fits its window, and the report of what was cut to make it fit. */
export interface OptimizedPrompt {
  systemPrompt: string;
  userInput: string;
  /** Kept chunks' texts, in the caller's order (the last-ranked kept chunk may be cut). */
  contextChunks: string[];
  /** For each returned chunk text: its index in the caller's array. */
  contextChunkIndexes: number[];
  history: HistoryMessage[];
  tokenUsage: TokenUsage;
  truncated: boolean;
  /** Sections that lost anything, in truncation order. */
  truncatedSections: PromptSection[];
  /** Chunks dropped or cut, most relevant first. */
  droppedChunks: ChunkReport[];
  /** History messages dropped (the oldest ones). */
  droppedMessages: number;
  /** The warning sentence when anything was cut (shared/notices.ts words it); undefined otherwise. */
  warning?: string;
  /**
   * Set when options.compress shrank anything that was sent. Lossy steps (elision, dropped comments) are
   * reported here, not in truncatedSections: the cut report stays about what the cutting removed.
   */
  compression?: PromptCompression;
}

/** Token usage without sending anything (for the panel meter and the Show Token Usage command). */
export interface TokenUsageInfo {
  totalTokens: number;
  truncated: boolean;
  truncatedSections: PromptSection[];
  perSection: { system: number; user: number; context: number; history: number };
  limit: number;
  completionReserve: number;
  requested: number;
  estimated: boolean;
  /** Chunks that would be dropped or cut, most relevant first (for "omitted references" in the panel). */
  droppedChunks: ChunkReport[];
  /** History messages that would be dropped (the oldest). */
  droppedMessages: number;
  warning?: string;
}
