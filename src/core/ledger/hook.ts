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

/** The ledger's advice before reserving, when usage nears a limit (see docs/LEDGER.md, degradation). */
export interface LedgerAdvice {
  level: 'ok' | 'degrade' | 'refuse';
  /** Plan the answer reserve (num_predict) at most this large. */
  shrinkCompletionTo?: number;
  /** Plan the prompt this many tokens smaller: least relevant context goes first. */
  shrinkContextBy?: number;
  /** One sentence for the user: what was shrunk, or why the request is refused. */
  message: string;
  /** With 'refuse': the error to throw (nothing is sent). */
  error?: Error;
}

/** A token ledger as ModelIntegration uses it. `reserve` may throw (quota exceeded): nothing is sent then. */
export interface LedgerHook {
  /** Optional advice before reserving: shrink the request near a limit, or refuse it before anything is sent. */
  plan?(request: Omit<LedgerReserveRequest, 'signal'>): Promise<LedgerAdvice> | LedgerAdvice;
  reserve(request: LedgerReserveRequest): Promise<LedgerReservation> | LedgerReservation;
}
