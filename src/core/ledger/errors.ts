import { formatCount } from '../../shared/format';
import { SECTION, type SettingKey } from '../config';
import { TherapistError, type ErrorAction } from '../errors';

export type QuotaKind = 'daily' | 'monthly' | 'conversation';

/** The setting behind each limit (keys of the one schema in core/config.ts). */
export const LIMIT_KEYS = {
  daily: 'quota.dailyTokens',
  monthly: 'quota.monthlyTokens',
  conversation: 'quota.conversationTokens',
  rate: 'rateLimit.tokensPerMinute',
} as const satisfies Record<QuotaKind | 'rate', SettingKey>;

/** The full setting name behind each limit, as the user finds it in the settings. */
export const SETTING = Object.fromEntries(Object.entries(LIMIT_KEYS).map(([kind, key]) => [kind, `${SECTION}.${key}`])) as Record<QuotaKind | 'rate', string>;

/** "in 3 h 12 min", "in 42 s": how long until `atMs`. */
export function fmtWait(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.ceil(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h < 48) return rest ? `${h} h ${rest} min` : `${h} h`;
  return `${Math.round(h / 24)} days`;
}

export interface QuotaFacts {
  quota: QuotaKind;
  user: string;
  conversation: string;
  /** Tokens the request asked for (prompt + completion reserve). */
  asked: number;
  /** Tokens still free under this quota (limit - used - reserved, never below 0). */
  available: number;
  limit: number;
  used: number;
  reserved: number;
  /** When the quota resets (undefined for the conversation cap, which never resets). */
  resetAt?: number;
  /** `now` when the error was raised, to say "in 3 h". */
  now: number;
}

/** A request would pass the daily, monthly or conversation token quota. Nothing was sent. */
export class QuotaExceededError extends TherapistError {
  readonly code = 'quota-exceeded';
  readonly quota: QuotaKind;
  readonly asked: number;
  readonly available: number;
  readonly limit: number;
  readonly used: number;
  readonly reserved: number;
  readonly resetAt: number | undefined;
  /** The setting that raises this quota. */
  readonly setting: string;
  /** Concrete things the user can do, most useful first. */
  readonly suggestions: readonly string[];

  constructor(f: QuotaFacts) {
    const suggestions = quotaSuggestions(f);
    const what =
      f.quota === 'conversation' ? `this conversation's cap of ${formatCount(f.limit)} tokens` : `your ${f.quota} quota of ${formatCount(f.limit)} tokens`;
    const reset = f.resetAt !== undefined ? ` It resets ${new Date(f.resetAt).toISOString()} (in ${fmtWait(f.resetAt - f.now)}).` : '';
    super(
      `This request needs ${formatCount(f.asked)} tokens but only ${formatCount(f.available)} are left of ${what} (${formatCount(f.used)} used, ${formatCount(f.reserved)} held by running requests). Nothing was sent.${reset}`,
      suggestions.join(' '),
      quotaActions(f.quota),
    );
    this.quota = f.quota;
    this.asked = f.asked;
    this.available = f.available;
    this.limit = f.limit;
    this.used = f.used;
    this.reserved = f.reserved;
    this.resetAt = f.resetAt;
    this.setting = SETTING[f.quota];
    this.suggestions = suggestions;
  }
}

function quotaSuggestions(f: QuotaFacts): string[] {
  const out: string[] = [];
  if (f.quota === 'conversation') out.push('Start a new conversation: the cap applies per conversation.');
  if (f.available > 0) out.push(`Reduce the context (fewer files or a shorter selection) so the request fits in ${formatCount(f.available)} tokens.`);
  if (f.resetAt !== undefined) out.push(`Wait until the quota resets (in ${fmtWait(f.resetAt - f.now)}).`);
  out.push(`Raise ${SETTING[f.quota]} (now ${formatCount(f.limit)}; 0 means unlimited).`);
  return out;
}

function quotaActions(kind: QuotaKind): ErrorAction[] {
  return kind === 'conversation' ? ['newConversation', 'reduceContext', 'openSettings'] : ['reduceContext', 'openSettings', 'wait'];
}

export interface RateFacts {
  user: string;
  asked: number;
  /** Tokens the window can take right now. */
  available: number;
  /** Tokens per minute. */
  limit: number;
  /** Milliseconds until the request would fit; undefined when it can never fit (asked > limit). */
  retryAfterMs: number | undefined;
  now: number;
  /** How long the ledger already waited before refusing. */
  waitedMs: number;
}

/** A request would pass the token rate limit (sliding 60 s window) and waiting was not allowed or not enough. */
export class RateLimitedError extends TherapistError {
  readonly code = 'rate-limited';
  readonly asked: number;
  readonly available: number;
  readonly limit: number;
  /** Milliseconds until it would fit; undefined when the request is larger than the whole per-minute limit. */
  readonly retryAfterMs: number | undefined;
  /** Epoch ms when a retry would fit. */
  readonly retryAt: number | undefined;
  readonly setting = SETTING.rate;
  readonly suggestions: readonly string[];

  constructor(f: RateFacts) {
    const never = f.retryAfterMs === undefined;
    const suggestions = never
      ? [
          `Reduce the context so the request needs at most ${formatCount(f.limit)} tokens.`,
          `Raise ${SETTING.rate} (now ${formatCount(f.limit)}; 0 means unlimited).`,
        ]
      : [
          `Wait ${fmtWait(f.retryAfterMs!)} and retry.`,
          `Reduce the context so it fits in the ${formatCount(f.available)} tokens free now.`,
          `Raise ${SETTING.rate} (now ${formatCount(f.limit)}).`,
        ];
    const waited = f.waitedMs > 0 ? ` after waiting ${fmtWait(f.waitedMs)}` : '';
    super(
      never
        ? `This request needs ${formatCount(f.asked)} tokens, more than the whole rate limit of ${formatCount(f.limit)} tokens per minute. Nothing was sent.`
        : `Token rate limit reached${waited}: this request needs ${formatCount(f.asked)} tokens but only ${formatCount(f.available)} of ${formatCount(f.limit)} per minute are free; it fits in ${fmtWait(f.retryAfterMs!)}. Nothing was sent.`,
      suggestions.join(' '),
      never ? ['reduceContext', 'openSettings'] : ['wait', 'retry', 'reduceContext', 'openSettings'],
    );
    this.asked = f.asked;
    this.available = f.available;
    this.limit = f.limit;
    this.retryAfterMs = f.retryAfterMs;
    this.retryAt = never ? undefined : f.now + f.retryAfterMs!;
    this.suggestions = suggestions;
  }
}

/** A reservation was settled a second time: a bug in the caller, never a user problem. */
export class ReservationSettledError extends TherapistError {
  readonly code = 'reservation-settled';
  constructor(
    readonly reservationId: string,
    readonly firstSettle: string,
    readonly secondSettle: string,
  ) {
    super(
      `Reservation ${reservationId} was already settled by ${firstSettle}; ${secondSettle} was ignored so nothing is counted twice.`,
      'This is a bug in Therapist; the usage already recorded is correct. Please report it with the log.',
      ['openLog'],
    );
  }
}

/** Another process held the ledger lock for too long (a hung window, or a disk that stopped answering). */
export class LedgerBusyError extends TherapistError {
  readonly code = 'ledger-busy';
  constructor(
    readonly lockPath: string,
    readonly waitedMs: number,
    readonly holder: string,
  ) {
    super(
      `The token ledger at ${lockPath} stayed locked for ${fmtWait(waitedMs)} (held by ${holder || 'an unknown process'}). Nothing was sent.`,
      'Retry in a moment. If it persists, close other VS Code windows or delete the lock file named above.',
      ['retry', 'openLog'],
    );
  }
}
