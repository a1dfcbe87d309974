// The hook a token ledger plugs into ModelIntegration: reserve before sending, settle exactly once after.
// Shaped so the real Ledger (src/core/ledger) fits it structurally; tests use an in-memory fake.

/** What is asked of the ledger before a request is sent. */
export interface LedgerReserveRequest {
  user: string;
  conversation: string;
  model: string;
  command: string;
  /** Our planned prompt tokens (model tokens, calibrated). */
  promptTokens: number;
  /** The answer reserve (num_predict). */
  completionTokens: number;
  signal?: AbortSignal;
}

/** One reservation; settle it with exactly one of commit, cancel or rollback. */
export interface LedgerReservation {
  /** When present, the answer is capped to this (the ledger may grant less than asked). */
  readonly completionTokens?: number;
  /** Finished: the model's prompt_eval_count and eval_count. */
  commit(actual: { promptTokens: number; completionTokens: number; ourPromptTokens?: number; truncatedSections?: readonly string[]; latencyMs?: number }): unknown;
  /** Stopped by the user: what was consumed before the stop. */
  cancel(consumed: { promptTokens: number; completionTokens: number }): unknown;
  /** Failed: charges nothing. */
  rollback(reason?: string): unknown;
}

/** A token ledger as ModelIntegration uses it. `reserve` may throw (quota exceeded): nothing is sent then. */
export interface LedgerHook {
  reserve(request: LedgerReserveRequest): Promise<LedgerReservation> | LedgerReservation;
}
