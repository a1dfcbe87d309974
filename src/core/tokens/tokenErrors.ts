import { TherapistError } from '../errors';

/** The numbers behind a prompt that cannot fit, for the error message and the UI. */
export interface PromptTooLargeFacts {
  /** The window the prompt was planned for (tokens). */
  limit: number;
  /** Tokens held back for the answer. */
  completionReserve: number;
  /** Tokens the prompt needs at the very least: the user message's overhead, cut marker and first whole grapheme(s). */
  minimumNeeded: number;
  /** Tokens the whole prompt would need without truncation. */
  requested: number;
}

/**
 * Even a fully truncated prompt cannot fit: the window is smaller than the answer reserve plus the
 * unavoidable parts (the user message's overhead, its cut marker and a first whole grapheme of it).
 */
export class PromptTooLargeError extends TherapistError {
  readonly code = 'prompt-too-large';
  readonly limit: number;
  readonly completionReserve: number;
  readonly minimumNeeded: number;
  readonly requested: number;

  constructor(facts: PromptTooLargeFacts) {
    super(
      `The prompt cannot fit the ${facts.limit}-token window: after the answer reserve (${facts.completionReserve}) ` +
        `${Math.max(0, facts.limit - facts.completionReserve)} tokens are left, but even fully truncated the prompt needs ` +
        `${facts.minimumNeeded} (untruncated: ${facts.requested}).`,
      'Increase therapist.maxTokens (or pick a model with a larger context), lower the answer reserve, or shorten your message.',
      ['openSettings', 'reduceContext'],
    );
    this.limit = facts.limit;
    this.completionReserve = facts.completionReserve;
    this.minimumNeeded = facts.minimumNeeded;
    this.requested = facts.requested;
  }
}
