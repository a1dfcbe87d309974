import { validateConfig, type KeysOfScope, type TherapistConfig } from '../config';
import type { Clock } from '../runtime';
import { nextDayStart, nextMonthStart } from './clock';
import { LIMIT_KEYS, QuotaExceededError, SETTING, type QuotaKind } from './errors';
import type { LedgerState } from './state';
import type { LedgerLimits, QuotaGauge } from './types';

export const RATE_WINDOW_MS = 60_000;

/** Checks the limits and fails loudly: negative, fractional or non-numeric limits are bugs in the caller. */
export function validateLimits(limits: LedgerLimits): LedgerLimits {
  // The same check as the settings they come from, so the message names the setting to fix.
  validateConfig({
    [LIMIT_KEYS.daily]: limits.dailyTokens,
    [LIMIT_KEYS.monthly]: limits.monthlyTokens,
    [LIMIT_KEYS.conversation]: limits.conversationTokens,
    [LIMIT_KEYS.rate]: limits.tokensPerMinute,
  });
  return {
    dailyTokens: limits.dailyTokens,
    monthlyTokens: limits.monthlyTokens,
    conversationTokens: limits.conversationTokens,
    tokensPerMinute: limits.tokensPerMinute,
  };
}

/** The ledger's limits from the settings. */
export function limitsFromConfig(config: Pick<TherapistConfig, KeysOfScope<'ledger'>>): LedgerLimits {
  return {
    dailyTokens: config[LIMIT_KEYS.daily],
    monthlyTokens: config[LIMIT_KEYS.monthly],
    conversationTokens: config[LIMIT_KEYS.conversation],
    tokensPerMinute: config[LIMIT_KEYS.rate],
  };
}

/** One quota as it stands for a user and conversation at `now`. */
export interface QuotaStanding {
  quota: QuotaKind;
  limit: number;
  used: number;
  reserved: number;
  /** limit - used - reserved, never below 0. */
  available: number;
  resetAt?: number;
}

/** The quotas that apply (limit > 0) for this user and conversation. */
export function quotaStandings(
  state: LedgerState,
  limits: LedgerLimits,
  clock: Clock,
  user: string,
  conversation: string | undefined,
  now: number,
): QuotaStanding[] {
  const out: QuotaStanding[] = [];
  const userReserved = (): number => state.reserved((r) => r.user === user);
  const push = (quota: QuotaKind, limit: number, used: number, reserved: number, resetAt?: number): void => {
    out.push({ quota, limit, used, reserved, available: Math.max(0, limit - used - reserved), resetAt });
  };
  // Unsettled reservations count against today and this month whenever they were made: a conservative hold.
  if (limits.dailyTokens > 0) push('daily', limits.dailyTokens, state.usedOnDay(user, now), userReserved(), nextDayStart(clock, now));
  if (limits.monthlyTokens > 0) push('monthly', limits.monthlyTokens, state.usedInMonth(user, now), userReserved(), nextMonthStart(clock, now));
  if (conversation !== undefined && limits.conversationTokens > 0) {
    push(
      'conversation',
      limits.conversationTokens,
      state.usedByConversation(conversation),
      state.reserved((r) => r.conversation === conversation),
    );
  }
  return out;
}

/** The quota `asked` tokens would break (the tightest one), or undefined when all admit it. */
export function quotaViolation(standings: readonly QuotaStanding[], asked: number): QuotaStanding | undefined {
  let worst: QuotaStanding | undefined;
  for (const s of standings) if (asked > s.available && (!worst || s.available < worst.available)) worst = s;
  return worst;
}

/** The user-facing error for a quota that refuses `asked` tokens. */
export function quotaError(s: QuotaStanding, user: string, conversation: string, asked: number, now: number): QuotaExceededError {
  return new QuotaExceededError({
    quota: s.quota,
    user,
    conversation,
    asked,
    available: s.available,
    limit: s.limit,
    used: s.used,
    reserved: s.reserved,
    resetAt: s.resetAt,
    now,
  });
}

export type RateCheck = { ok: true; inWindow: number } | { ok: false; inWindow: number; available: number; retryAfterMs: number | undefined };

/**
 * The sliding-minute token rate limit: tokens admitted in the last 60 s (reserves of running requests,
 * actual charges of settled ones) plus `asked` must stay within the limit. When it would not, says
 * when enough of the window slides out; never, when `asked` alone exceeds the limit.
 */
export function checkRate(state: LedgerState, limits: LedgerLimits, user: string, asked: number, now: number): RateCheck {
  if (limits.tokensPerMinute <= 0) return { ok: true, inWindow: 0 };
  const inWindow = state.rateTokens(user, now);
  const available = Math.max(0, limits.tokensPerMinute - inWindow);
  if (asked <= available) return { ok: true, inWindow };
  if (asked > limits.tokensPerMinute) return { ok: false, inWindow, available, retryAfterMs: undefined };
  // Only now is the sorted list needed: when does enough of the window slide out?
  const window = state.rateWindow(user, now);
  const need = inWindow + asked - limits.tokensPerMinute;
  let freed = 0;
  for (const e of window) {
    freed += e.tokens;
    // An admission at `at` stops counting once the window starts at `at`, i.e. at at + 60 s.
    if (freed >= need) return { ok: false, inWindow, available, retryAfterMs: e.at + RATE_WINDOW_MS - now };
  }
  return { ok: false, inWindow, available, retryAfterMs: RATE_WINDOW_MS };
}

/** Gauges for the panel header and the dashboard. */
export function quotaGauges(state: LedgerState, limits: LedgerLimits, clock: Clock, user: string, conversation: string | undefined, now: number): QuotaGauge[] {
  const withUnlimited: LedgerLimits = {
    dailyTokens: limits.dailyTokens || Number.MAX_SAFE_INTEGER,
    monthlyTokens: limits.monthlyTokens || Number.MAX_SAFE_INTEGER,
    conversationTokens: limits.conversationTokens || Number.MAX_SAFE_INTEGER,
    tokensPerMinute: limits.tokensPerMinute,
  };
  const gauges: QuotaGauge[] = quotaStandings(state, withUnlimited, clock, user, conversation, now).map((s) => {
    const limit = s.quota === 'daily' ? limits.dailyTokens : s.quota === 'monthly' ? limits.monthlyTokens : limits.conversationTokens;
    return {
      kind: s.quota,
      setting: SETTING[s.quota],
      used: s.used,
      reserved: s.reserved,
      limit,
      fraction: limit > 0 ? (s.used + s.reserved) / limit : 0,
      resetsAt: s.resetAt,
    };
  });
  const window = state.rateWindow(user, now);
  const inWindow = window.reduce((s, e) => s + e.tokens, 0);
  const rateLimit = limits.tokensPerMinute;
  gauges.push({
    kind: 'rate',
    setting: SETTING.rate,
    used: inWindow,
    reserved: 0,
    limit: rateLimit,
    fraction: rateLimit > 0 ? inWindow / rateLimit : 0,
    resetsAt: window.length ? window[0].at + RATE_WINDOW_MS : undefined,
  });
  return gauges;
}
