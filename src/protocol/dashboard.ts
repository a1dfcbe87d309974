// Typed messages between the host and the token-usage dashboard webview ("Therapist: Show Token Usage").
// Imported by both sides; direction is in the type names. The webview sends `ready` before the host posts data.
import type { RpcReply, RpcRequest } from './rpc';

export interface DayUsage {
  /** Local calendar day, YYYY-MM-DD. */
  day: string;
  prompt: number;
  completion: number;
  requests: number;
}

export interface GroupUsage {
  /** Conversation id, model name or command. */
  key: string;
  /** What to show: a conversation's title, or the model name. */
  label: string;
  prompt: number;
  completion: number;
  requests: number;
}

export interface QuotaGauge {
  name: string;
  /** The setting that sets this limit, for the "raise the quota" hint. */
  setting: string;
  used: number;
  /** 0 = unlimited. */
  limit: number;
  /** Epoch ms when the window resets (none for a conversation cap). */
  resetsAt?: number;
}

export interface RequestRow {
  time: number;
  conversation: string;
  model: string;
  command: string;
  promptTokens: number;
  /** The model's own prompt count (prompt_eval_count), when it reported one. */
  modelPromptTokens?: number;
  completionTokens: number;
  outcome: 'ok' | 'cancelled' | 'failed' | 'refused';
  truncatedSections: string[];
  latencyMs?: number;
}

export interface DashboardData {
  user: string;
  generatedAt: number;
  totals: { requests: number; prompt: number; completion: number; cancelled: number; failed: number; refused: number };
  days: DayUsage[];
  conversations: GroupUsage[];
  models: GroupUsage[];
  /** Per command: chat, explainSelection, summarize (conversation summaries), ... */
  commands: GroupUsage[];
  gauges: QuotaGauge[];
  biggest: RequestRow[];
}

/** Webview -> host requests that expect a reply (see protocol/rpc.ts). */
export type DashboardRequests = {
  /** Opens the whole ledger as CSV or JSON; the reply says where it went. */
  export: { params: { format: 'csv' | 'json' }; result: { where: string } };
};

/** Webview -> host. */
export type DashboardToHost = { type: 'ready' } | { type: 'refresh' } | { type: 'openSettings'; setting: string } | RpcRequest<DashboardRequests>;

/** Host -> webview: the numbers (after `ready`, on refresh and after every request), or why they could not be read. */
export type HostToDashboard = { type: 'data'; data: DashboardData } | { type: 'error'; message: string } | RpcReply<DashboardRequests>;
