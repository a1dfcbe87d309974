// The typed messages between the extension host and the chat webview. Imported by both sides, with
// src/shared/ (notices, section words, formatters); the webview imports nothing else. Direction is in the type
// names: WebviewToHost are commands the webview asks for, HostToWebview are notifications it renders, and
// ChatRequests are the requests that expect a reply (paired by protocol/rpc.ts). Plain data only: every value
// here crosses postMessage (structured clone) and is persisted in workspace storage as JSON.
import type { Notice, TruncatedNotice } from '../shared/notices';
import type { ContextCommand, ContextReport } from './context';
import type { RpcReply, RpcRequest } from './rpc';
import type { ErrorCode } from '../shared/errorCodes';

/** Token counts of one prompt, per section (see shared/vocabulary.ts), against the window it was planned for. */
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
  /** Which tokenizer counted: "qwen2 (exact)", "cl100k estimate x1.02" (absent in messages stored before this was kept). */
  tokenizer?: string;
}

/** What one request used, attached to the sent (user) message. */
export interface MessageUsage {
  prompt: TokenBreakdown;
  /** Tokens of the answer (the model's `eval_count`, or our count of the text when it is absent). */
  completionTokens?: number;
  /** The model's own count of the prompt (`prompt_eval_count`), when Ollama reported it. */
  modelPromptTokens?: number;
}

/** The actions an error card can offer. A subset of the core's `ErrorAction`. */
export type ChatAction = 'retry' | 'openSettings' | 'openLog' | 'copyPullCommand' | 'newConversation';
export const CHAT_ACTIONS: readonly ChatAction[] = ['retry', 'openSettings', 'openLog', 'copyPullCommand', 'newConversation'];

/** An error as the panel shows it: plain words, what to do, and buttons. */
export interface ChatErrorInfo {
  /** Stable code: one of the closed union in shared/errorCodes.ts (`ollama-unreachable`, `model-not-found`, `config`, ...). */
  code: ErrorCode;
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
  /** A thinking model's reasoning before the answer (untrusted, rendered like the answer, shown collapsed). */
  thinking?: string;
  /** A heading for the message, e.g. `Explain src/app.ts, lines 10-24`. */
  title?: string;
  /** `explainSelection`, ... for messages started by a command; absent for typed questions. */
  command?: string;
  status: MessageStatus;
  createdAt: number;
  usage?: MessageUsage;
  /** Everything the user should know about this request (what was cut, a fallback, a re-plan, ...), by kind. */
  notices?: Notice[];
  error?: ChatErrorInfo;
  /** For answers: the context chunks that went into the request and those that were cut (protocol/context.ts). */
  context?: ContextReport;
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  messageCount: number;
  totalTokens: number;
}

/** A conversation's summary as the panel shows it: "Earlier turns summarized (N turns, X -> Y tokens)" with Show summary / Undo. */
export interface SummaryView {
  /** Turns 1..turns are summarized. */
  turns: number;
  tokensBefore: number;
  tokensAfter: number;
  /** 'model': the model wrote it; 'digest': the deterministic digest (fallbackReason says why). */
  method: 'model' | 'digest';
  fallbackReason?: string;
  /** The summary message as sent (model output for 'model': rendered sanitized). */
  text: string;
  model?: string;
  /** A newer summary is being made. */
  summarizing: boolean;
  /** Undone: the raw turns are sent, no new summary is made until "Summarize again". */
  paused: boolean;
}

/** Everything the webview needs to draw itself from scratch (after `ready`, a reload, or a switch). */
export interface PanelState {
  model: string;
  limit: number;
  conversationId: string;
  conversationTitle: string;
  messages: ChatMessage[];
  conversations: ConversationSummary[];
  /** Tokens used by this conversation so far (prompt + answer of every request): a running total, not a window. */
  conversationTokens: number;
  /** Id of the assistant message being streamed, if a request is running. */
  streamingMessageId?: string;
  /** The conversation's summary of its earliest turns, when there is one. */
  summary?: SummaryView;
}

/** What the composer's meter shows for the text being typed (and the header, for the next request). */
export interface MeterReading {
  /** The next prompt: system, history, this text, reserve; `limit` is the effective window. An empty text counts 0. */
  breakdown: TokenBreakdown;
  /** Where the effective window comes from ("therapist.maxTokens", "the model's trained context", ...). */
  windowSource: string;
  /** What would be cut if this were sent now; undefined when everything fits or nothing is typed. */
  notice?: TruncatedNotice;
}

/** One model the picker offers. */
export interface ModelChoice {
  /** As `ollama list` shows it: the value of therapist.model. */
  name: string;
  /** The window the model was trained for, when the server said. */
  trainedContext?: number;
  parameterSize?: string;
  quantization?: string;
  /** Bytes on disk. */
  size?: number;
  /** The model therapist.model names now. */
  current: boolean;
  /** False for the current model when the server does not have it. */
  installed: boolean;
  /** For a model that is not installed: the command that installs it. */
  pullCommand?: string;
}

/** Where a chosen model was written: the workspace when it already sets therapist.model (else that would win), otherwise the user settings. */
export interface ModelChosen {
  scope: 'workspace' | 'global';
}

/** Webview -> host requests that expect a reply (see protocol/rpc.ts). A type, not an interface, so it fits RequestMap. */
export type ChatRequests = {
  /** Count the prompt being composed (with the conversation so far). */
  measure: { params: { text: string }; result: MeterReading };
  /** The server's installed models with their windows, the current one marked (and listed even when not installed). */
  listModels: { params: Record<string, never>; result: ModelChoice[] };
  /** Sets therapist.model. */
  chooseModel: { params: { model: string }; result: ModelChosen };
};

/** Webview -> host. The webview sends `ready` once its script runs; only then does the host post state. */
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'send'; text: string }
  | { type: 'stop' }
  | RpcRequest<ChatRequests>
  | { type: 'newConversation' }
  | { type: 'switchConversation'; conversationId: string }
  /** A button of an error card; `messageId` is the message that carries the error. */
  | { type: 'action'; action: ChatAction; messageId?: string }
  | { type: 'copyCode'; code: string }
  | { type: 'insertCode'; code: string; language?: string }
  /** The summary banner's buttons: send the raw turns again (Undo), or let summaries be made again. */
  | { type: 'undoSummary' }
  | { type: 'resumeSummary' }
  /** The context list's buttons: open a chunk's lines, pin or exclude its file in the active conversation. */
  | ContextCommand;

/** Host -> webview. */
export type HostToWebview =
  | { type: 'state'; state: PanelState }
  | { type: 'conversations'; conversations: ConversationSummary[]; activeId: string }
  | RpcReply<ChatRequests>
  /** A new message (the user's, or an assistant placeholder about to stream). An existing id is replaced (retry). */
  | { type: 'messageAdded'; message: ChatMessage }
  | { type: 'streamStart'; messageId: string }
  /** Tokens that arrived since the last batch, in order. Appended to the message's text. */
  | { type: 'streamTokens'; messageId: string; text: string }
  /** Reasoning of a thinking model that arrived since the last batch, in order. Appended to the message's thinking. */
  | { type: 'streamThinking'; messageId: string; text: string }
  /** The stream ended. `text` (and `thinking`) are whole, so the webview can render them once, exactly. */
  | { type: 'streamEnd'; messageId: string; status: MessageStatus; text: string; thinking?: string }
  | { type: 'usage'; messageId: string; usage: MessageUsage }
  /** The notices of a sent message; they replace earlier ones (the preflight cut report, when the request no longer needed it). */
  | { type: 'notices'; messageId: string; notices: Notice[] }
  /** An error for a message (shown as a card on it), or for the panel as a whole when `messageId` is absent. */
  | { type: 'error'; messageId?: string; error: ChatErrorInfo }
  | { type: 'conversationTotal'; tokens: number }
  /** The active conversation's summary changed (made, undone, dropped because the turns changed). */
  | { type: 'summary'; summary?: SummaryView }
  /** Counting changed (the model's own tokenizer is ready): count the composed text again. */
  | { type: 'recount' }
  /** What the server is; `demo` is set when it is the project's demo server (its answers are canned). */
  | { type: 'server'; version?: string; demo?: string }
  /** A short confirmation such as "Copied" or "Inserted into app.ts". */
  | { type: 'notice'; text: string }
  /** An answer's context list, once the request was sent (replaces the one that came with the placeholder). */
  | { type: 'context'; messageId: string; context: ContextReport };
