import { ReservationSettledError } from './errors';
import type { ActiveReservation } from './records';
import type { CommitActual, ConsumedSoFar, Outcome, RequestRecord } from './types';

/** How a settle reaches the ledger: appends the request record (the ledger owns the journal and lock). */
export type SettleSink = (record: RequestRecord) => Promise<void>;

/** The clock a reservation reads for `settledAt`. */
export type Now = () => number;

function checkCount(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new RangeError(`${name} must be a whole number >= 0, got ${v}`);
}

/**
 * Tokens held for one request. Settle it exactly once: `commit` (finished), `cancel` (stopped by the
 * user: pays what was consumed) or `rollback` (failed: pays nothing). A second settle throws
 * ReservationSettledError and records nothing.
 */
export class Reservation {
  readonly id: string;
  readonly user: string;
  readonly conversation: string;
  readonly model: string;
  readonly command: string;
  /** The reserved prompt tokens (our count). */
  readonly promptTokens: number;
  /** The reserved completion tokens: send at most this as num_predict to stay inside the quota. */
  readonly completionTokens: number;
  readonly at: number;
  /** After this instant an unsettled reservation may be released by any process. */
  readonly expiresAt: number;
  private settledBy: string | undefined;

  constructor(
    res: ActiveReservation,
    private readonly sink: SettleSink,
    private readonly now: Now,
  ) {
    this.id = res.id;
    this.user = res.user;
    this.conversation = res.conversation;
    this.model = res.model;
    this.command = res.command;
    this.promptTokens = res.promptTokens;
    this.completionTokens = res.completionTokens;
    this.at = res.at;
    this.expiresAt = res.expiresAt;
  }

  /** Whether commit, cancel or rollback has been called (and did not fail). */
  get settled(): boolean {
    return this.settledBy !== undefined;
  }

  /** The whole reserve: prompt plus completion. */
  get tokens(): number {
    return this.promptTokens + this.completionTokens;
  }

  /** Settles to the real usage (prompt_eval_count + eval_count), releasing the difference. */
  async commit(actual: CommitActual): Promise<RequestRecord> {
    checkCount('promptTokens', actual.promptTokens);
    checkCount('completionTokens', actual.completionTokens);
    checkCount('ourPromptTokens', actual.ourPromptTokens);
    return this.settle('commit', 'ok', actual.promptTokens, actual.completionTokens, actual);
  }

  /** Settles a stopped request: it pays the prompt and the tokens generated before the stop. */
  async cancel(consumed: ConsumedSoFar): Promise<RequestRecord> {
    checkCount('promptTokens', consumed.promptTokens);
    checkCount('completionTokens', consumed.completionTokens);
    return this.settle('cancel', 'cancelled', consumed.promptTokens, consumed.completionTokens, {}, 'stopped by the user');
  }

  /** Settles a failed request: releases everything, charges nothing. */
  async rollback(reason?: string): Promise<RequestRecord> {
    return this.settle('rollback', 'failed', 0, 0, {}, reason ?? 'the request failed');
  }

  private async settle(
    how: string,
    outcome: Outcome,
    prompt: number,
    completion: number,
    extra: Partial<CommitActual>,
    reason?: string,
  ): Promise<RequestRecord> {
    // Claimed synchronously, so two settles racing in one tick still cannot both pass.
    if (this.settledBy !== undefined) throw new ReservationSettledError(this.id, this.settledBy, how);
    this.settledBy = how;
    const record: RequestRecord = {
      id: this.id,
      at: this.at,
      settledAt: this.now(),
      user: this.user,
      conversation: this.conversation,
      model: this.model,
      command: this.command,
      promptTokens: prompt,
      ourPromptTokens: extra.ourPromptTokens ?? this.promptTokens,
      completionTokens: completion,
      reservedPromptTokens: this.promptTokens,
      reservedCompletionTokens: this.completionTokens,
      truncatedSections: [...(extra.truncatedSections ?? [])],
      latencyMs: extra.latencyMs ?? null,
      outcome,
    };
    if (reason !== undefined) record.reason = reason;
    try {
      await this.sink(record);
    } catch (e) {
      // Nothing was written: let the caller settle again once the disk or lock recovers.
      this.settledBy = undefined;
      throw e;
    }
    return record;
  }
}
