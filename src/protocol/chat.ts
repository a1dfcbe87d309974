// The typed messages between the extension host and the chat webview. Imported by both sides;
// nothing else is shared (the webview cannot import the host or the core). Direction is in the type
// names: WebviewToHost are commands the webview asks for, HostToWebview are notifications it renders.
// Plain data only: every value here crosses postMessage (structured clone) and is persisted in
// workspace storage as JSON.

/** The sections of a prompt, in the order the meter draws them. `reserved` is the room kept for the answer. */
export type MeterSection = 'system' | 'user' | 'context' | 'history' | 'reserved';
export const METER_SECTIONS: readonly MeterSection[] = ['system', 'user', 'context', 'history', 'reserved'];

/** Token counts of one prompt, per section, against the window it was planned for. */
export interface TokenBreakdown {
  system: number;
  user: number;
  context: number;
  history: number;
  /** Tokens kept free for the answer (`num_predict`). */
  reserved: number;
  /** Prompt tokens (system + user + context + history), without the reserve. */
  used: number;
  /** The effective window (`num_ctx`). */
  limit: number;
  /** True when the counts come from the fallback estimate, not the tokenizer: shown as "≈ estimate". */
  estimated: boolean;
}

/** What one request used, attached to the sent (user) message. */
export interface MessageUsage {
  prompt: TokenBreakdown;
  /** Tokens of the answer (the model's `eval_count`, or our count of the text when it is absent). */
  completionTokens?: number;
  /** The model's own count of the prompt (`prompt_eval_count`), when Ollama reported it. */
  modelPromptTokens?: number;
}

/** A context chunk that did not make it (whole or in part) into the prompt. */
export interface DroppedChunk {
  /** Where it came from, e.g. `src/app.ts:40-80` or `open editor: util.ts`. */
  source: string;
  /** Tokens of the chunk that were cut, when known. */
  tokens?: number;
  /** True when only part of the chunk was cut. */
  partial?: boolean;
}

/** Anything that was cut from a prompt. Shown on the message; never silent. */
export interface TruncationReport {
  /** The token engine's warning text, verbatim. */
  warning: string;
  /** Sections that were cut: `context chunks`, `conversation history`, `user input`, `system prompt`. */
  sections: string[];
  /** Total tokens cut, when known. */
  tokensCut?: number;
  droppedChunks: DroppedChunk[];
}

/** The model evaluated clearly fewer prompt tokens than we sent: Ollama may have cut the prompt itself. */
export interface ServerTruncationReport {
  message: string;
  sentTokens?: number;
  evaluatedTokens?: number;
}

/** The actions an error card can offer. A subset of the core's `ErrorAction`. */
export type ChatAction = 'retry' | 'openSettings' | 'openLog' | 'copyPullCommand' | 'newConversation';
export const CHAT_ACTIONS: readonly ChatAction[] = ['retry', 'openSettings', 'openLog', 'copyPullCommand', 'newConversation'];

/** An error as the panel shows it: plain words, what to do, and buttons. */
export interface ChatErrorInfo {
  /** Stable code from `TherapistError.code` (e.g. `ollama-unreachable`, `model-missing`, `timeout`, `config`). */
  code: string;
  message: string;
  advice: string;
  actions: ChatAction[];
  /** The exact `ollama pull <model>` command, when `copyPullCommand` is offered. */
  pullCommand?: string;
}

export type MessageStatus = 'done' | 'streaming' | 'stopped' | 'error';

/** One message of a conversation, as rendered and as persisted. */
export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  /** Markdown. For assistant messages: untrusted model output (sanitized when rendered). */
  text: string;
  /** A heading for the message, e.g. `Explain src/app.ts, lines 10-24`. */
  title?: string;
  /** `explainSelection`, ... for messages started by a command; absent for typed questions. */
  command?: string;
  status: MessageStatus;
  createdAt: number;
  usage?: MessageUsage;
  truncation?: TruncationReport;
  serverTruncation?: ServerTruncationReport;
  error?: ChatErrorInfo;
  /** The answer came from the non-streaming fallback. */
  fallbackUsed?: boolean;
  /** Other things the user should know about this request (a smaller request near a quota, a re-plan, ...). */
  notes?: string[];
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  messageCount: number;
  totalTokens: number;
}

/** Everything the webview needs to draw itself from scratch (after `ready`, a reload, or a switch). */
export interface PanelState {
  model: string;
  limit: number;
  conversationId: string;
  conversationTitle: string;
  messages: ChatMessage[];
  conversations: ConversationSummary[];
  /** Tokens used by this conversation so far (prompt + answer of every request). Shown in the header. */
  conversationTokens: number;
  /** Id of the assistant message being streamed, if a request is running. */
  streamingMessageId?: string;
}

/** Webview -> host. The webview sends `ready` once its script runs; only then does the host post state. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'send'; text: string }
  | { type: 'stop' }
  /** Count the prompt being composed. `seq` increases per request; answers to older `seq`s are stale. */
  | { type: 'measure'; seq: number; text: string }
  | { type: 'newConversation' }
  | { type: 'switchConversation'; conversationId: string }
  /** A button of an error card; `messageId` is the message that carries the error. */
  | { type: 'action'; action: ChatAction; messageId?: string }
  | { type: 'copyCode'; code: string }
  | { type: 'insertCode'; code: string; language?: string };

/** Host -> webview. */
export type HostToWebview =
  | { type: 'state'; state: PanelState }
  | { type: 'conversations'; conversations: ConversationSummary[]; activeId: string }
  | { type: 'meter'; seq: number; breakdown: TokenBreakdown; truncated: boolean; truncatedSections: string[] }
  | { type: 'meterError'; seq: number; message: string }
  /** A new message (the user's, or an assistant placeholder about to stream). An existing id is replaced (retry). */
  | { type: 'messageAdded'; message: ChatMessage }
  | { type: 'streamStart'; messageId: string }
  /** Tokens that arrived since the last batch, in order. Appended to the message's text. */
  | { type: 'streamTokens'; messageId: string; text: string }
  /** The stream ended. `text` is the whole final text, so the webview can render it once, exactly. */
  | { type: 'streamEnd'; messageId: string; status: MessageStatus; text: string; fallbackUsed?: boolean }
  | { type: 'usage'; messageId: string; usage: MessageUsage }
  /** `null` clears an earlier (preflight) report that the final request no longer needed. */
  | { type: 'truncation'; messageId: string; report: TruncationReport | null }
  | { type: 'serverTruncation'; messageId: string; report: ServerTruncationReport }
  /** Notes on a sent message that are neither a cut nor an error (shown verbatim under it). */
  | { type: 'notes'; messageId: string; notes: string[] }
  /** An error for a message (shown as a card on it), or for the panel as a whole when `messageId` is absent. */
  | { type: 'error'; messageId?: string; error: ChatErrorInfo }
  | { type: 'conversationTotal'; tokens: number }
  /** A short confirmation such as "Copied" or "Inserted into app.ts". */
  | { type: 'notice'; text: string };
