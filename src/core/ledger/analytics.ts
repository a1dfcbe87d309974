import type { Clock } from '../runtime';
import { dayKey, monthKey } from './clock';
import { quotaGauges } from './limits';
import { chargeOf, type Rollup } from './records';
import type { LedgerState } from './state';
import type {
  AnalyticsQuery,
  AnalyticsReport,
  ConversationUsage,
  DayUsage,
  LedgerLimits,
  ModelUsage,
  CommandUsage,
  Outcome,
  RequestRecord,
  TokenTotals,
  UsageReport,
} from './types';

const emptyTotals = (): TokenTotals => ({ promptTokens: 0, completionTokens: 0, totalTokens: 0, requests: 0 });

function addTo(t: TokenTotals, prompt: number, completion: number, requests: number): void {
  t.promptTokens += prompt;
  t.completionTokens += completion;
  t.totalTokens += prompt + completion;
  t.requests += requests;
}

/** Totals for one user now: today, this month, the conversation, and the quota gauges. */
export function usageReport(state: LedgerState, limits: LedgerLimits, clock: Clock, user: string, conversation: string | undefined, now: number): UsageReport {
  const today = dayKey(clock, now);
  const month = monthKey(clock, now);
  const report: UsageReport = { user, today: emptyTotals(), month: emptyTotals(), gauges: quotaGauges(state, limits, clock, user, conversation, now) };
  if (conversation !== undefined) report.conversation = conversation;
  const conv = emptyTotals();
  for (const r of state.requests.values()) {
    if (r.conversation === conversation) addTo(conv, r.promptTokens, r.completionTokens, 1);
    if (r.user !== user) continue;
    if (monthKey(clock, r.at) !== month) continue;
    addTo(report.month, r.promptTokens, r.completionTokens, 1);
    if (dayKey(clock, r.at) === today) addTo(report.today, r.promptTokens, r.completionTokens, 1);
  }
  if (conversation !== undefined) {
    for (const roll of state.rollups.values()) if (roll.conversation === conversation) addTo(conv, roll.promptTokens, roll.completionTokens, roll.requests);
    report.conversationTotal = conv;
  }
  return report;
}

/** Everything the usage dashboard draws, for requests at or after `since` (all when undefined), of one user or all. */
export function analyticsReport(state: LedgerState, limits: LedgerLimits, clock: Clock, query: AnalyticsQuery, now: number): AnalyticsReport {
  const { since, user } = query;
  const totals = emptyTotals();
  const outcomes: Record<Outcome, number> = { ok: 0, cancelled: 0, failed: 0, refused: 0 };
  const days = new Map<string, DayUsage>();
  const conversations = new Map<string, ConversationUsage>();
  const models = new Map<string, ModelUsage>();
  const commands = new Map<string, CommandUsage>();
  const users = new Set<string>();
  const tally = (day: string, conversation: string, model: string, at: number, prompt: number, completion: number, n: number): void => {
    addTo(totals, prompt, completion, n);
    let d = days.get(day);
    if (!d) days.set(day, (d = { day, ...emptyTotals() }));
    addTo(d, prompt, completion, n);
    let c = conversations.get(conversation);
    if (!c) conversations.set(conversation, (c = { conversation, lastAt: at, ...emptyTotals() }));
    addTo(c, prompt, completion, n);
    c.lastAt = Math.max(c.lastAt, at);
    let m = models.get(model);
    if (!m) models.set(model, (m = { model, ...emptyTotals() }));
    addTo(m, prompt, completion, n);
  };
  const inPeriod: RequestRecord[] = [];
  for (const r of state.requests.values()) {
    if ((since !== undefined && r.at < since) || (user !== undefined && r.user !== user)) continue;
    inPeriod.push(r);
    users.add(r.user);
    outcomes[r.outcome]++;
    tally(dayKey(clock, r.at), r.conversation, r.model, r.at, r.promptTokens, r.completionTokens, 1);
    let c = commands.get(r.command);
    if (!c) commands.set(r.command, (c = { command: r.command, ...emptyTotals() }));
    addTo(c, r.promptTokens, r.completionTokens, 1);
  }
  for (const roll of state.rollups.values()) {
    if ((since !== undefined && roll.lastAt < since) || (user !== undefined && roll.user !== user)) continue;
    users.add(roll.user);
    tally(roll.day, roll.conversation, roll.model, roll.lastAt, roll.promptTokens, roll.completionTokens, roll.requests);
  }
  const byTotal = (a: TokenTotals, b: TokenTotals): number => b.totalTokens - a.totalTokens;
  return {
    generatedAt: now,
    ...(since !== undefined ? { since } : {}),
    ...(user !== undefined ? { user } : {}),
    totals,
    outcomes,
    perDay: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
    perConversation: [...conversations.values()].sort(byTotal),
    perModel: [...models.values()].sort(byTotal),
    perCommand: [...commands.values()].sort(byTotal),
    biggestRequests: inPeriod.sort((a, b) => chargeOf(b) - chargeOf(a) || b.at - a.at).slice(0, 10),
    users: [...(user !== undefined ? new Set([user]) : users)].sort().map((u) => usageReport(state, limits, clock, u, undefined, now)),
  };
}

const CSV_COLUMNS = [
  'id',
  'time',
  'settledAt',
  'user',
  'conversation',
  'model',
  'command',
  'outcome',
  'promptTokens',
  'ourPromptTokens',
  'completionTokens',
  'totalTokens',
  'reservedPromptTokens',
  'reservedCompletionTokens',
  'latencyMs',
  'truncatedSections',
  'reason',
] as const;

/** One CSV cell: quoted when needed, and defused when a spreadsheet would read it as a formula. */
function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The request log as CSV (RFC 4180, CRLF line ends, ISO times), oldest first. Rollups are in the JSON export. */
export function requestsToCsv(requests: Iterable<RequestRecord>): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const r of [...requests].sort((a, b) => a.at - b.at)) {
    rows.push(
      [
        r.id,
        new Date(r.at).toISOString(),
        new Date(r.settledAt).toISOString(),
        r.user,
        r.conversation,
        r.model,
        r.command,
        r.outcome,
        r.promptTokens,
        r.ourPromptTokens,
        r.completionTokens,
        chargeOf(r),
        r.reservedPromptTokens,
        r.reservedCompletionTokens,
        r.latencyMs,
        r.truncatedSections.join(';'),
        r.reason,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return rows.join('\r\n') + '\r\n';
}

/** The whole ledger as JSON: limits, every retained request, and the rollups of older ones. */
export function ledgerToJson(requests: Iterable<RequestRecord>, rollups: Iterable<Rollup>, limits: LedgerLimits, now: number): string {
  return JSON.stringify(
    {
      format: 'therapist-token-ledger',
      version: 1,
      exportedAt: new Date(now).toISOString(),
      limits,
      requests: [...requests].sort((a, b) => a.at - b.at),
      rollups: [...rollups],
    },
    null,
    2,
  );
}
