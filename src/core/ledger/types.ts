import type { DegradedNotice } from '../../shared/notices';
import type { Clock, Logger } from '../runtime';

/** Public shapes of the token ledger. Token amounts are whole tokens; times are epoch milliseconds. */

/** Limits in tokens; 0 means unlimited. Mirrors therapist.quota.* and therapist.rateLimit.tokensPerMinute. */
export interface LedgerLimits {
  dailyTokens: number;
  monthlyTokens: number;
  conversationTokens: number;
  tokensPerMinute: number;
}

export interface LedgerOptions {
  /** The journal file, e.g. <globalStorage>/token-ledger.jsonl. Its folder is created if missing. */
  path: string;
  limits: LedgerLimits;
  clock?: Clock;
  /** Unsettled reservations are released after this long (default 30 minutes). */
  reservationTtlMs?: number;
  logger?: Logger;
  /** Compact when the journal passes this size (default 4 MiB) and has doubled since the last compaction. */
  compactAtBytes?: number;
  /** Settled requests older than this many days are folded into daily rollups on compaction (default 62). */
  retainDays?: number;
  /** Give up waiting for the cross-process lock after this long (default 10 s). */
  lockTimeoutMs?: number;
}

export type Outcome = 'ok' | 'cancelled' | 'failed' | 'refused';

/** What a caller asks to reserve. `completionTokens` should come from `estimateCompletion`. */
export interface ReserveRequest {
  user: string;
  conversation: string;
  model: string;
  /** The command that produced the request: 'chat', 'explainSelection', ... (keys the p90 estimate). */
  command: string;
  promptTokens: number;
  completionTokens: number;
  /** Longest wait for the token rate limit before refusing (default 0: refuse at once). */
  maxWaitMs?: number;
  signal?: AbortSignal;
  /** Called while waiting for the rate limit, about once a second, with whole seconds left. */
  onWait?: (secondsLeft: number) => void;
}

/** The real usage of a finished request: Ollama's prompt_eval_count and eval_count. */
export interface CommitActual {
  promptTokens: number;
  completionTokens: number;
  /** Our own count of the prompt (defaults to the reserved prompt tokens). */
  ourPromptTokens?: number;
  /** Names of prompt sections that were truncated or dropped to fit. */
  truncatedSections?: readonly string[];
  latencyMs?: number;
}

/** What a stopped request consumed before the stop. */
export interface ConsumedSoFar {
  promptTokens: number;
  completionTokens: number;
}

/** One line of the request log: every settled, expired or refused request. */
export interface RequestRecord {
  id: string;
  /** When the request was admitted (or refused). Quota days/months use this instant. */
  at: number;
  settledAt: number;
  user: string;
  conversation: string;
  model: string;
  command: string;
  /** The model's prompt count (prompt_eval_count); 0 when nothing was charged. */
  promptTokens: number;
  /** Our own count of the prompt. */
  ourPromptTokens: number;
  completionTokens: number;
  reservedPromptTokens: number;
  reservedCompletionTokens: number;
  truncatedSections: string[];
  latencyMs: number | null;
  outcome: Outcome;
  /** Why a request failed, was refused or expired, in plain words. */
  reason?: string;
}

/** A refusal decided outside `reserve` (the plan said refuse, the prompt does not fit the window, ...). */
export interface RefusalInput {
  user: string;
  conversation: string;
  model: string;
  command: string;
  promptTokens: number;
  completionTokens: number;
  reason: string;
}

export type GaugeKind = 'daily' | 'monthly' | 'conversation' | 'rate';

/** One quota gauge for the dashboard or the panel header. */
export interface QuotaGauge {
  kind: GaugeKind;
  /** The setting that sets this limit (therapist.quota.dailyTokens, ...), for a "raise it" link. */
  setting: string;
  /** Committed tokens in the current period. */
  used: number;
  /** Tokens held by unsettled reservations. */
  reserved: number;
  /** 0 = unlimited. */
  limit: number;
  /** (used + reserved) / limit, or 0 when unlimited. */
  fraction: number;
  /** When the period ends (next local midnight, first of next month, window slide); undefined for conversations. */
  resetsAt?: number;
}

export interface TokenTotals {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  requests: number;
}

export interface UsageReport {
  user: string;
  conversation?: string;
  today: TokenTotals;
  month: TokenTotals;
  /** All-time total of `conversation`, when one was given. */
  conversationTotal?: TokenTotals;
  gauges: QuotaGauge[];
}

export interface DayUsage extends TokenTotals {
  /** Local date, YYYY-MM-DD. */
  day: string;
}

export interface ConversationUsage extends TokenTotals {
  conversation: string;
  lastAt: number;
}

export interface ModelUsage extends TokenTotals {
  model: string;
}

/** Usage per command (chat, explainSelection, summarize, ...), from the requests still in the log (rollups of compacted history keep no command). */
export interface CommandUsage extends TokenTotals {
  command: string;
}

export interface AnalyticsQuery {
  /** Only requests admitted at or after this instant (epoch ms). */
  since?: number;
  /** Only this user's requests. */
  user?: string;
}

export interface AnalyticsReport {
  generatedAt: number;
  since?: number;
  user?: string;
  totals: TokenTotals;
  outcomes: Record<Outcome, number>;
  perDay: DayUsage[];
  perConversation: ConversationUsage[];
  perModel: ModelUsage[];
  perCommand: CommandUsage[];
  /** Largest requests by total tokens, biggest first (at most 10). */
  biggestRequests: RequestRecord[];
  /** Quota gauges for every user seen in the period. */
  users: UsageReport[];
}

export interface PlanRequest {
  user: string;
  conversation: string;
  promptTokens: number;
  completionTokens: number;
}

/** Degradation advice computed before reserving. */
export interface PlanAdvice {
  level: 'ok' | 'degrade' | 'refuse';
  /** Reserve (and send as num_predict) at most this many completion tokens. */
  shrinkCompletionTo?: number;
  /** Drop this many tokens of low-relevance context before reserving. */
  shrinkContextBy?: number;
  /** With level 'degrade': what was shrunk and why, as typed facts (the panel shows it; shared/notices.ts words it). */
  notice?: DegradedNotice;
  /** One sentence for logs and the API: what was shrunk, or why the request is refused. */
  message: string;
  /** With level 'refuse': the error to show. */
  error?: Error;
}
