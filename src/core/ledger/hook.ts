// The hook a token ledger plugs into ModelIntegration: reserve before sending, settle exactly once after.
// Its shapes are the ledger's own (types.ts): LedgerService implements it over the real Ledger; tests use fakes.
import type { CommitActual, ConsumedSoFar, PlanAdvice, ReserveRequest } from './types';

/** What is asked of the ledger before a request is sent: promptTokens is our plan, completionTokens the answer reserve (num_predict). */
export type LedgerReserveRequest = Pick<ReserveRequest, 'user' | 'conversation' | 'model' | 'command' | 'promptTokens' | 'completionTokens' | 'signal'>;

/** One reservation; settle it with exactly one of commit, cancel or rollback. */
export interface LedgerReservation {
  /** When present, the answer is capped to this (the ledger may grant less than asked). */
  readonly completionTokens?: number;
  /** Finished: the model's prompt_eval_count and eval_count. */
  commit(actual: CommitActual): unknown;
  /** Stopped by the user: what was consumed before the stop. */
  cancel(consumed: ConsumedSoFar): unknown;
  /** Failed: charges nothing. */
  rollback(reason?: string): unknown;
}

/** A token ledger as ModelIntegration uses it. `reserve` may throw (quota exceeded): nothing is sent then. */
export interface LedgerHook {
  /** Optional advice before reserving: shrink the request near a limit, or refuse it before anything is sent (docs/LEDGER.md). */
  plan?(request: Omit<LedgerReserveRequest, 'signal'>): Promise<PlanAdvice> | PlanAdvice;
  reserve(request: LedgerReserveRequest): Promise<LedgerReservation> | LedgerReservation;
  /**
   * Optional: how long this model's answers to this command were (completion tokens of recent answers), so the
   * answer reserve follows use instead of a fixed share of the window (see answerReserve.ts).
   */
  answerLengths?(request: { model: string; command: string }): Promise<readonly number[]> | readonly number[];
}
