// The errors of conversation summaries. A failed summary never reaches the user as an error: the summarizer
// falls back to the digest and records why (these messages). Only bad stored state is thrown to the caller.
import { TherapistError } from '../errors';
import { formatCount } from '../../shared/format';

/** Stored summary state (from the conversation store) does not have the shape this version writes. */
export class SummaryStateError extends TherapistError {
  readonly code = 'summary-state';
  constructor(
    readonly conversationId: string,
    readonly field: string,
    detail: string,
  ) {
    super(
      `The stored summary of conversation ${conversationId} is not valid: ${field} ${detail}.`,
      'The summary is ignored and the original turns are used; a new summary is made when the history grows again.',
      [],
    );
  }
}

/** The model answered, but not with a usable summary (empty, or no words). */
export class UnusableSummaryError extends TherapistError {
  readonly code = 'summary-unusable';
  constructor(
    readonly fromTurn: number,
    readonly toTurn: number,
    readonly answerChars: number,
    why: string,
  ) {
    super(
      `The model's summary of turns ${fromTurn}-${toTurn} is unusable (${formatCount(answerChars)} characters: ${why}).`,
      'A deterministic digest (your requests verbatim, the files and symbols mentioned) is used instead; try therapist.summarize.model with a stronger model.',
      [],
    );
  }
}

/** The summarize model's window is too small for its instructions, the previous summary and any turn. */
export class SummaryWindowError extends TherapistError {
  readonly code = 'summary-window';
  constructor(
    readonly window: number,
    readonly requestRoom: number,
    readonly fixedTokens: number,
    readonly minimumTurnTokens: number,
  ) {
    super(
      `The summarize model's ${formatCount(window)}-token window leaves ${formatCount(requestRoom)} tokens for a summarize request, ` +
        `of which the instructions, first request and previous summary take ${formatCount(fixedTokens)}: ` +
        `less than the ${formatCount(minimumTurnTokens)} tokens needed for the turns.`,
      'A deterministic digest is used instead; set therapist.summarize.model to a model with a larger window.',
      ['openSettings'],
    );
  }
}

/** The model's summary request was cut by the planner even after it was split into smaller pieces. */
export class SummaryRequestCutError extends TherapistError {
  readonly code = 'summary-request-cut';
  constructor(
    readonly fromTurn: number,
    readonly toTurn: number,
    readonly requests: number,
  ) {
    super(
      `The summarize request for turns ${fromTurn}-${toTurn} did not fit the model's window whole after ${requests} requests.`,
      'A deterministic digest is used instead, so nothing of those turns is condensed from a cut prompt.',
      [],
    );
  }
}
