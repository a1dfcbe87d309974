import { abortReason, systemClock, type Clock, type Logger } from '../runtime';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DAY_MS, dayKey } from './clock';
import { analyticsReport, ledgerToJson, requestsToCsv, usageReport } from './analytics';
import { planRequest, SOFT_FRACTION, type PlanConstraint } from './degradation';
import { RateLimitedError } from './errors';
import { estimateFromSamples } from './estimator';
import { FileLock } from './fileLock';
import { Journal } from './journal';
import { checkRate, quotaError, quotaStandings, quotaViolation, validateLimits } from './limits';
import { currentProcess, processState } from './processIdentity';
import { type ActiveReservation, type JournalRecord, type Rollup } from './records';
import { Reservation } from './reservation';
import { LedgerState, rollupKey } from './state';
import type {
  AnalyticsQuery,
  AnalyticsReport,
  LedgerLimits,
  LedgerOptions,
  PlanAdvice,
  PlanRequest,
  RefusalInput,
  RequestRecord,
  ReserveRequest,
  UsageReport,
} from './types';

const DEFAULT_TTL_MS = 30 * 60_000;
const DEFAULT_COMPACT_AT = 4 * 1024 * 1024;
const DEFAULT_RETAIN_DAYS = 62;
const DEAD_SCAN_INTERVAL_MS = 5_000;
const LOCK_STALE_MS = 30_000;

function checkCount(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${v}`);
}

type Admission = { res: ActiveReservation } | { error: Error } | { waitMs: number };

/**
 * The token ledger: one append-only journal per VS Code user, shared by every window (process).
 * Reserve before sending, settle after; quotas, the rate limit and the request log all live here.
 * See docs/LEDGER.md for the file format, locking and recovery.
 */
export class Ledger {
  private state: LedgerState;
  private limits: LedgerLimits;
  private readonly clock: Clock;
  private readonly journal: Journal;
  private readonly lock: FileLock;
  private readonly ttlMs: number;
  private readonly compactAt: number;
  private readonly retainMs: number;
  private readonly logger?: Logger;
  /** Serialises this process's transactions: the file lock is per process, not per call. */
  private queue: Promise<unknown> = Promise.resolve();
  private lastDeadScan = Number.NEGATIVE_INFINITY;
  private sizeAfterCompaction = 0;
  private closed = false;

  private constructor(options: LedgerOptions) {
    this.clock = options.clock ?? systemClock;
    this.limits = validateLimits(options.limits);
    this.ttlMs = options.reservationTtlMs ?? DEFAULT_TTL_MS;
    this.compactAt = options.compactAtBytes ?? DEFAULT_COMPACT_AT;
    this.retainMs = (options.retainDays ?? DEFAULT_RETAIN_DAYS) * DAY_MS;
    this.logger = options.logger;
    this.state = new LedgerState(this.clock);
    this.journal = new Journal(options.path, options.logger);
    this.lock = new FileLock(`${options.path}.lock`, { timeoutMs: options.lockTimeoutMs ?? 10_000, staleMs: LOCK_STALE_MS, logger: options.logger });
  }

  /** Opens (or creates) the ledger: repairs a torn last record, releases reservations of dead processes and expired ones. */
  static async open(options: LedgerOptions): Promise<Ledger> {
    mkdirSync(path.dirname(options.path), { recursive: true });
    const ledger = new Ledger(options);
    await ledger.transact(() => {
      ledger.journal.removeLeftovers();
      ledger.housekeeping(ledger.clock.now(), true);
    });
    return ledger;
  }

  /** Replaces the limits (0 = unlimited); applies to the next reserve and plan. */
  setLimits(limits: LedgerLimits): void {
    this.limits = validateLimits(limits);
  }

  /** The limits in force in this process. */
  getLimits(): LedgerLimits {
    return { ...this.limits };
  }

  /**
   * Admits a request against every limit at once, or throws QuotaExceededError / RateLimitedError and
   * records the refusal. Over the rate limit it waits (up to `maxWaitMs`, calling `onWait`) when that is
   * enough; `signal` stops the wait (the request is then logged as cancelled and the abort reason thrown).
   */
  async reserve(req: ReserveRequest): Promise<Reservation> {
    checkCount('promptTokens', req.promptTokens);
    checkCount('completionTokens', req.completionTokens);
    const asked = req.promptTokens + req.completionTokens;
    const maxWait = req.maxWaitMs ?? 0;
    const started = this.clock.now();
    for (;;) {
      if (req.signal?.aborted) return this.abandonWait(req, req.signal);
      const admission = await this.transact((): Admission => this.admit(req, asked, maxWait - (this.clock.now() - started), this.clock.now() - started));
      if ('res' in admission)
        return new Reservation(
          admission.res,
          (record) => this.settle(record),
          () => this.clock.now(),
        );
      if ('error' in admission) throw admission.error;
      try {
        await this.countdown(admission.waitMs, req);
      } catch (e) {
        if (req.signal?.aborted) return this.abandonWait(req, req.signal);
        throw e;
      }
    }
  }

  /** Logs a request refused before `reserve` (plan said refuse, the prompt cannot fit the window, ...). */
  async recordRefusal(input: RefusalInput): Promise<RequestRecord> {
    return this.transact(() => this.appendRefusal(input, input.reason, this.clock.now()));
  }

  /** Completion tokens of recent answers for this model (and command, when given), oldest first. */
  completionSamples(model: string, command?: string): readonly number[] {
    return this.state.completionSamples(model, command);
  }

  /** Completion tokens to reserve: p90 of recent answers for this model and command, bounded by numPredict. */
  estimateCompletion(model: string, command: string, numPredict: number): number {
    this.refresh();
    return estimateFromSamples(this.state.completionSamples(model, command), this.state.completionSamples(model), numPredict);
  }

  /** Degradation advice before reserving: ok, degrade (shrink answer reserve and context) or refuse. */
  plan(req: PlanRequest): PlanAdvice {
    this.refresh();
    const now = this.clock.now();
    const constraints: PlanConstraint[] = quotaStandings(this.state, this.limits, this.clock, req.user, req.conversation, now).map((s) => ({
      name: s.quota === 'conversation' ? 'conversation cap' : `${s.quota} quota`,
      limit: s.limit,
      taken: s.used + s.reserved,
      hardRoom: s.available,
      softRoom: Math.floor(s.limit * SOFT_FRACTION) - s.used - s.reserved,
      error: (asked: number) => quotaError(s, req.user, req.conversation, asked, now),
    }));
    const perMinute = this.limits.tokensPerMinute;
    if (perMinute > 0) {
      constraints.push({
        name: 'token rate limit',
        limit: perMinute,
        taken: 0,
        hardRoom: perMinute,
        softRoom: Number.POSITIVE_INFINITY,
        error: (asked: number) =>
          new RateLimitedError({ user: req.user, asked, available: perMinute, limit: perMinute, retryAfterMs: undefined, now, waitedMs: 0 }),
      });
    }
    return planRequest(req, constraints);
  }

  /** Today's, this month's and (optionally) the conversation's totals, with quota gauges and reset times. */
  usage(query: { user: string; conversation?: string }): UsageReport {
    this.refresh();
    return usageReport(this.state, this.limits, this.clock, query.user, query.conversation, this.clock.now());
  }

  /** Dashboard data: per day, per conversation, per model, biggest requests, gauges per user. */
  analytics(query: AnalyticsQuery = {}): AnalyticsReport {
    this.refresh();
    return analyticsReport(this.state, this.limits, this.clock, query, this.clock.now());
  }

  /** The request log (settled, expired and refused requests), oldest first. */
  requestLog(query: { since?: number } = {}): RequestRecord[] {
    this.refresh();
    return [...this.state.requests.values()].filter((r) => query.since === undefined || r.at >= query.since).sort((a, b) => a.at - b.at);
  }

  /** Reservations not yet settled or released, from every process. */
  pendingReservations(): ActiveReservation[] {
    this.refresh();
    return [...this.state.active.values()];
  }

  /** The request log as CSV. */
  exportCsv(): string {
    this.refresh();
    return requestsToCsv(this.state.requests.values());
  }

  /** The request log and rollups as JSON. */
  exportJson(): string {
    this.refresh();
    return ledgerToJson(this.state.requests.values(), this.state.rollups.values(), this.limits, this.clock.now());
  }

  /** Waits for running transactions and closes the file. Unsettled reservations stay until settled elsewhere or expired. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.journal.close();
    this.lock.close();
  }

  private admit(req: ReserveRequest, asked: number, waitLeft: number, waited: number): Admission {
    const now = this.clock.now();
    this.housekeeping(now, false);
    let violation = quotaViolation(quotaStandings(this.state, this.limits, this.clock, req.user, req.conversation, now), asked);
    // Before refusing, make sure no crashed window is still holding tokens.
    if (violation && this.releaseDead(now))
      violation = quotaViolation(quotaStandings(this.state, this.limits, this.clock, req.user, req.conversation, now), asked);
    if (violation) {
      const error = quotaError(violation, req.user, req.conversation, asked, now);
      this.appendRefusal(req, error.message, now);
      return { error };
    }
    const rate = checkRate(this.state, this.limits, req.user, asked, now);
    if (!rate.ok) {
      if (rate.retryAfterMs !== undefined && rate.retryAfterMs <= waitLeft) return { waitMs: rate.retryAfterMs };
      const error = new RateLimitedError({
        user: req.user,
        asked,
        available: rate.available,
        limit: this.limits.tokensPerMinute,
        retryAfterMs: rate.retryAfterMs,
        now,
        waitedMs: waited,
      });
      this.appendRefusal(req, error.message, now);
      return { error };
    }
    const res: ActiveReservation = {
      id: randomUUID(),
      at: now,
      expiresAt: now + this.ttlMs,
      user: req.user,
      conversation: req.conversation,
      model: req.model,
      command: req.command,
      promptTokens: req.promptTokens,
      completionTokens: req.completionTokens,
      owner: currentProcess(),
    };
    this.write([{ t: 'res', r: res }]);
    return { res };
  }

  /** Shows the wait second by second; rejects when the signal aborts. */
  private async countdown(ms: number, req: ReserveRequest): Promise<void> {
    let left = ms;
    while (left > 0) {
      req.onWait?.(Math.ceil(left / 1000));
      const step = Math.min(left, 1000);
      await this.clock.sleep(step, req.signal);
      left -= step;
    }
  }

  private async abandonWait(req: ReserveRequest, signal: AbortSignal): Promise<never> {
    await this.transact(() => {
      const record = this.refusalRecord(req, 'stopped while waiting for the token rate limit', this.clock.now());
      record.outcome = 'cancelled';
      this.write([{ t: 'set', r: record }]);
    });
    throw abortReason(signal);
  }

  private settle(record: RequestRecord): Promise<void> {
    return this.transact(() => {
      if (!this.state.active.has(record.id)) this.logger?.warn(`ledger: reservation ${record.id} was settled after it expired; its usage is recorded now`);
      this.write([{ t: 'set', r: record }]);
    });
  }

  private appendRefusal(req: Omit<RefusalInput, 'reason'>, reason: string, now: number): RequestRecord {
    const record = this.refusalRecord(req, reason, now);
    this.write([{ t: 'ref', r: record }]);
    return record;
  }

  private refusalRecord(req: Omit<RefusalInput, 'reason'>, reason: string, now: number): RequestRecord {
    return {
      id: randomUUID(),
      at: now,
      settledAt: now,
      user: req.user,
      conversation: req.conversation,
      model: req.model,
      command: req.command,
      promptTokens: 0,
      ourPromptTokens: req.promptTokens,
      completionTokens: 0,
      reservedPromptTokens: req.promptTokens,
      reservedCompletionTokens: req.completionTokens,
      truncatedSections: [],
      latencyMs: null,
      outcome: 'refused',
      reason,
    };
  }

  /** Runs `fn` holding the in-process queue and the file lock, after catching up with the journal. */
  private transact<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the token ledger is closed'));
    const run = async (): Promise<T> => {
      await this.lock.acquire();
      let result: T;
      try {
        this.catchUp(true);
        result = fn();
        this.maybeCompact();
      } finally {
        this.lock.release();
      }
      // The lock makes the decision atomic; the fdatasync makes it durable and need not hold others up.
      this.journal.flush();
      return result;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Reads what other processes appended; safe without the lock (a write in progress is left for later). */
  private refresh(): void {
    if (!this.closed) this.catchUp(false);
  }

  private catchUp(locked: boolean): void {
    const { reset, records } = this.journal.readNew(locked);
    if (reset) this.state = new LedgerState(this.clock);
    for (const r of records) this.state.apply(r);
    if (reset) this.sizeAfterCompaction = this.journal.size;
  }

  /**
   * Appends and applies records. Only records that charge tokens (settles) wait for fdatasync: a power
   * loss can then lose only holds and refusals, whose requests died with the machine, never a charge.
   * (Another process's write() is visible at once through the page cache; fsync is about the disk.)
   */
  private write(records: JournalRecord[]): void {
    this.journal.append(
      records,
      records.some((r) => r.t === 'set'),
    );
    for (const r of records) this.state.apply(r);
  }

  /** Releases reservations past their TTL and, now and then, those of processes that no longer exist. */
  private housekeeping(now: number, forceDeadScan: boolean): void {
    const expired: JournalRecord[] = [];
    for (const r of this.state.active.values()) {
      if (r.expiresAt <= now) expired.push({ t: 'exp', id: r.id, at: now, why: `not settled within ${Math.round(this.ttlMs / 1000)} s; released` });
    }
    if (expired.length) {
      this.logger?.info(`ledger: released ${expired.length} reservation(s) past their time limit`);
      this.write(expired);
    }
    if (forceDeadScan || now - this.lastDeadScan >= DEAD_SCAN_INTERVAL_MS) this.releaseDead(now);
  }

  /** Releases the reservations of processes that ended without settling them; true when any were released. */
  private releaseDead(now: number): boolean {
    this.lastDeadScan = now;
    const released: JournalRecord[] = [];
    for (const r of this.state.active.values()) {
      if (processState(r.owner) === 'dead') released.push({ t: 'exp', id: r.id, at: now, why: `process ${r.owner.pid} ended without settling; released` });
    }
    if (released.length) {
      this.logger?.info(`ledger: released ${released.length} reservation(s) of processes that ended`);
      this.write(released);
    }
    return released.length > 0;
  }

  /** Snapshot + truncate once the journal has grown past the threshold and doubled since the last time. */
  private maybeCompact(): void {
    if (this.journal.size < Math.max(this.compactAt, 2 * this.sizeAfterCompaction)) return;
    const now = this.clock.now();
    const cutoff = now - this.retainMs;
    const rollups = new Map<string, Rollup>(this.state.rollups);
    const kept: JournalRecord[] = [];
    for (const r of this.state.requests.values()) {
      if (r.at >= cutoff) {
        kept.push({ t: 'req', r });
        continue;
      }
      const roll: Rollup = {
        day: dayKey(this.clock, r.at),
        user: r.user,
        conversation: r.conversation,
        model: r.model,
        command: r.command,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
        requests: 1,
        lastAt: r.at,
      };
      const key = rollupKey(roll);
      const prev = rollups.get(key);
      rollups.set(
        key,
        prev
          ? {
              ...prev,
              promptTokens: prev.promptTokens + roll.promptTokens,
              completionTokens: prev.completionTokens + roll.completionTokens,
              requests: prev.requests + 1,
              lastAt: Math.max(prev.lastAt, roll.lastAt),
            }
          : roll,
      );
    }
    const records: JournalRecord[] = [
      { t: 'hdr', v: 1, created: now },
      ...[...rollups.values()].map((r): JournalRecord => ({ t: 'roll', r })),
      ...kept,
      ...[...this.state.active.values()].map((r): JournalRecord => ({ t: 'res', r })),
    ];
    const before = this.journal.size;
    this.journal.rewrite(records);
    this.state = new LedgerState(this.clock);
    for (const r of records) this.state.apply(r);
    this.sizeAfterCompaction = this.journal.size;
    this.logger?.info(`ledger: compacted ${before} -> ${this.journal.size} bytes`);
  }
}
