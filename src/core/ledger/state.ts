import type { Clock } from '../runtime';
import { dayKey, monthKey } from './clock';
import { chargeOf, type ActiveReservation, type JournalRecord, type Rollup } from './records';
import type { RequestRecord } from './types';

const RATE_WINDOW_MS = 60_000;

/** A request admission inside the rate window: its tokens are the reserve until settled, then the charge. */
interface RateEvent {
  id: string;
  at: number;
  user: string;
}

/**
 * This process's view of the journal: active reservations, the request log, rollups of old requests,
 * and running totals for the quota checks. Rebuilt by replaying records; kept current by applying new ones.
 */
export class LedgerState {
  readonly active = new Map<string, ActiveReservation>();
  readonly requests = new Map<string, RequestRecord>();
  readonly rollups = new Map<string, Rollup>();
  private readonly dayUsed = new Map<string, number>();
  private readonly monthUsed = new Map<string, number>();
  private readonly conversationUsed = new Map<string, number>();
  private rateEvents: RateEvent[] = [];
  /** Recent completion counts of successful requests, per `model\0command` and per model, newest last. */
  private readonly samples = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Applies one journal record. */
  apply(rec: JournalRecord): void {
    switch (rec.t) {
      case 'hdr':
        return;
      case 'res':
        this.active.set(rec.r.id, rec.r);
        this.rateEvents.push({ id: rec.r.id, at: rec.r.at, user: rec.r.user });
        return;
      case 'req':
        // Written by compaction: the admission's `res` line is gone, but it may still be inside the rate window.
        this.rateEvents.push({ id: rec.r.id, at: rec.r.at, user: rec.r.user });
        this.active.delete(rec.r.id);
        this.putRequest(rec.r);
        return;
      case 'set':
      case 'ref':
        this.active.delete(rec.r.id);
        this.putRequest(rec.r);
        return;
      case 'exp': {
        const res = this.active.get(rec.id);
        if (!res) return;
        this.active.delete(rec.id);
        this.putRequest(expiredRecord(res, rec.at, rec.why));
        return;
      }
      case 'roll': {
        const key = rollupKey(rec.r);
        const prev = this.rollups.get(key);
        this.rollups.set(key, prev ? mergeRollups(prev, rec.r) : { ...rec.r });
        this.conversationUsed.set(rec.r.conversation, (this.conversationUsed.get(rec.r.conversation) ?? 0) + rec.r.promptTokens + rec.r.completionTokens);
        return;
      }
    }
  }

  /** Committed tokens of `user` on the local day of `atMs`. */
  usedOnDay(user: string, atMs: number): number {
    return this.dayUsed.get(`${user}\u0000${dayKey(this.clock, atMs)}`) ?? 0;
  }

  /** Committed tokens of `user` in the local month of `atMs`. */
  usedInMonth(user: string, atMs: number): number {
    return this.monthUsed.get(`${user}\u0000${monthKey(this.clock, atMs)}`) ?? 0;
  }

  /** All-time committed tokens of a conversation, rollups included. */
  usedByConversation(conversation: string): number {
    return this.conversationUsed.get(conversation) ?? 0;
  }

  /** Tokens held by unsettled reservations matching `filter`. */
  reserved(filter: (r: ActiveReservation) => boolean): number {
    let sum = 0;
    for (const r of this.active.values()) if (filter(r)) sum += r.promptTokens + r.completionTokens;
    return sum;
  }

  /** The admissions of `user` inside the sliding minute ending at `now`, oldest first, with their tokens. */
  rateWindow(user: string, now: number): { at: number; tokens: number }[] {
    const from = this.pruneRateEvents(now);
    const out: { at: number; tokens: number }[] = [];
    for (const e of this.rateEvents) {
      if (e.user !== user || e.at <= from || e.at > now) continue;
      const tokens = this.rateTokensOf(e);
      if (tokens > 0) out.push({ at: e.at, tokens });
    }
    return out.sort((a, b) => a.at - b.at);
  }

  /**
   * The sum of `rateWindow(user, now)`'s tokens without building and sorting it: every reserve asks
   * this under the lock, and a busy minute holds hundreds of admissions; the list is only needed to
   * compute a wait when the limit is reached.
   */
  rateTokens(user: string, now: number): number {
    const from = this.pruneRateEvents(now);
    let sum = 0;
    for (const e of this.rateEvents) if (e.user === user && e.at > from && e.at <= now) sum += this.rateTokensOf(e);
    return sum;
  }

  /** Drops what can never count again (events arrive roughly in time order across processes); returns the window start. */
  private pruneRateEvents(now: number): number {
    const from = now - RATE_WINDOW_MS;
    let drop = 0;
    while (drop < this.rateEvents.length && this.rateEvents[drop].at <= from - RATE_WINDOW_MS) drop++;
    if (drop > 0) this.rateEvents = this.rateEvents.slice(drop);
    return from;
  }

  /** An admission counts its reserve while open, then its charge. */
  private rateTokensOf(e: RateEvent): number {
    const res = this.active.get(e.id);
    if (res) return res.promptTokens + res.completionTokens;
    const req = this.requests.get(e.id);
    return req ? chargeOf(req) : 0;
  }

  /** Completion counts of recent successful requests for a model and command (or the whole model). */
  completionSamples(model: string, command?: string): readonly number[] {
    return this.samples.get(command === undefined ? model : `${model}\u0000${command}`) ?? [];
  }

  private putRequest(r: RequestRecord): void {
    const prev = this.requests.get(r.id);
    if (prev) this.count(prev, -1);
    this.requests.set(r.id, r);
    this.count(r, +1);
    if (r.outcome === 'ok' && !prev) {
      pushSample(this.samples, `${r.model}\u0000${r.command}`, r.completionTokens);
      pushSample(this.samples, r.model, r.completionTokens);
    }
  }

  private count(r: RequestRecord, sign: 1 | -1): void {
    const charge = chargeOf(r) * sign;
    if (charge === 0) return;
    add(this.dayUsed, `${r.user}\u0000${dayKey(this.clock, r.at)}`, charge);
    add(this.monthUsed, `${r.user}\u0000${monthKey(this.clock, r.at)}`, charge);
    add(this.conversationUsed, r.conversation, charge);
  }
}

/** Enough observations for a stable p90 without remembering answers from long ago. */
export const MAX_SAMPLES = 200;

function pushSample(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key) ?? [];
  list.push(value);
  if (list.length > MAX_SAMPLES) list.shift();
  map.set(key, list);
}

function add(map: Map<string, number>, key: string, delta: number): void {
  map.set(key, (map.get(key) ?? 0) + delta);
}

/** The request-log entry of a reservation released without a settle: nothing charged, reason kept. */
export function expiredRecord(res: ActiveReservation, at: number, why: string): RequestRecord {
  return {
    id: res.id,
    at: res.at,
    settledAt: at,
    user: res.user,
    conversation: res.conversation,
    model: res.model,
    command: res.command,
    promptTokens: 0,
    ourPromptTokens: res.promptTokens,
    completionTokens: 0,
    reservedPromptTokens: res.promptTokens,
    reservedCompletionTokens: res.completionTokens,
    truncatedSections: [],
    latencyMs: null,
    outcome: 'failed',
    reason: why,
  };
}

/** The identity of a rollup bucket: local day, user, conversation, model, command. */
export function rollupKey(r: Pick<Rollup, 'day' | 'user' | 'conversation' | 'model' | 'command'>): string {
  return [r.day, r.user, r.conversation, r.model, r.command].join('\u0000');
}

function mergeRollups(a: Rollup, b: Rollup): Rollup {
  return {
    ...a,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    requests: a.requests + b.requests,
    lastAt: Math.max(a.lastAt, b.lastAt),
  };
}
