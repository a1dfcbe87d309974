// Turns the ledger's reports into what the dashboard shows. No `vscode`: unit-tested in plain Node.
import type { AnalyticsReport, UsageReport } from '../../core/ledger';
import { SECTION_LABELS, isPromptSection } from '../../shared/vocabulary';
import type { DashboardData, QuotaGauge } from '../../protocol/dashboard';

const GAUGE_NAMES: Record<string, string> = { daily: 'Today', monthly: 'This month', conversation: 'This conversation', rate: 'Per minute (rate limit)' };

/** Dashboard numbers for `usage.user`; `titleOf` names conversations (the chat's titles; ids otherwise). */
/** How the dashboard names the commands requests are recorded under. */
const COMMAND_LABELS: Record<string, string> = { chat: 'Chat', explainSelection: 'Explain Selection', summarize: 'Conversation summaries' };

export function toDashboardData(analytics: AnalyticsReport, usage: UsageReport, titleOf: (conversationId: string) => string | undefined): DashboardData {
  const gauges: QuotaGauge[] = usage.gauges.map((g) => ({
    name: GAUGE_NAMES[g.kind] ?? g.kind,
    setting: g.setting,
    used: g.used + g.reserved,
    limit: g.limit,
    resetsAt: g.resetsAt,
  }));
  return {
    user: usage.user,
    generatedAt: analytics.generatedAt,
    totals: {
      requests: analytics.totals.requests,
      prompt: analytics.totals.promptTokens,
      completion: analytics.totals.completionTokens,
      cancelled: analytics.outcomes.cancelled ?? 0,
      failed: analytics.outcomes.failed ?? 0,
      refused: analytics.outcomes.refused ?? 0,
    },
    days: analytics.perDay.map((d) => ({ day: d.day, prompt: d.promptTokens, completion: d.completionTokens, requests: d.requests })),
    conversations: [...analytics.perConversation]
      .sort((a, b) => b.lastAt - a.lastAt)
      .map((c) => ({
        key: c.conversation,
        label: titleOf(c.conversation) ?? c.conversation,
        prompt: c.promptTokens,
        completion: c.completionTokens,
        requests: c.requests,
      })),
    models: analytics.perModel.map((m) => ({ key: m.model, label: m.model, prompt: m.promptTokens, completion: m.completionTokens, requests: m.requests })),
    commands: analytics.perCommand.map((c) => ({
      key: c.command,
      label: COMMAND_LABELS[c.command] ?? c.command,
      prompt: c.promptTokens,
      completion: c.completionTokens,
      requests: c.requests,
    })),
    gauges,
    biggest: analytics.biggestRequests.map((r) => ({
      time: r.at,
      conversation: titleOf(r.conversation) ?? r.conversation,
      model: r.model,
      command: r.command,
      promptTokens: r.ourPromptTokens,
      modelPromptTokens: r.promptTokens > 0 ? r.promptTokens : undefined,
      completionTokens: r.completionTokens,
      outcome: r.outcome,
      truncatedSections: r.truncatedSections.map((s) => (isPromptSection(s) ? SECTION_LABELS[s] : s)),
      latencyMs: r.latencyMs ?? undefined,
    })),
  };
}
