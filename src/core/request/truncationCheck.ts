// After the answer: did the server evaluate everything that was sent? Since Therapist sends truncate:false, a
// server that honours it (Ollama 0.12.6+) refuses a prompt that does not fit instead of cutting it, so a silent cut
// is impossible there and nothing is ever suspected. Older servers cut silently (dropping old messages, then
// tokens); for them prompt_eval_count is compared with what the model was expected to count.

/** Inputs of the check. */
export interface TruncationCheckInput {
  /** What the model was expected to count: the exact count, or the fit's prediction without its margin. */
  expectedPromptTokens: number;
  /** prompt_eval_count from the final chunk; undefined when the server omitted it. */
  promptEvalCount: number | undefined;
  /** The num_ctx sent. */
  numCtx: number;
  /** How the expectation was made: the model's own tokenizer, or the GPT-2 fit (with how many samples and how good). */
  counting: { exact: true } | { exact: false; samples: number; recentError: number };
  /** The server refuses instead of cutting (truncate:false honoured): then nothing is ever suspected. */
  refusesInsteadOfCutting: boolean;
}

/** The verdict, with both numbers for the notice. */
export interface TruncationCheck {
  suspected: boolean;
  expected: number;
  actual: number | undefined;
  /** Fraction of the expected tokens the model evaluated. */
  keptFraction: number | undefined;
}

/** An exact count may differ from the server's by this much (SentencePiece vocabularies converted by Ollama: ~1%). */
export const EXACT_TOLERANCE = 0.01;
/** Before the fit has learned anything it rests on conservative priors (which over-count): only a drastic shortfall is a cut. */
export const UNCALIBRATED_TOLERANCE = 0.5;
/** The least tolerance once calibrated; it widens with the fit's recent error. */
export const CALIBRATED_TOLERANCE = 0.12;
/** Absolute slack: a few tokens of difference are template noise, never a truncation. */
export const ABSOLUTE_SLACK = 8;

/**
 * Suspects a silent server-side cut (only on servers that may cut): the model evaluated clearly fewer tokens than
 * expected (whole messages or tokens were dropped), or exactly its whole window (servers before 0.30 cut to num_ctx).
 */
export function checkServerTruncation(input: TruncationCheckInput): TruncationCheck {
  const { expectedPromptTokens: expected, promptEvalCount: actual, numCtx } = input;
  const keptFraction = actual === undefined ? undefined : expected > 0 ? actual / expected : 1;
  if (actual === undefined || input.refusesInsteadOfCutting) return { suspected: false, expected, actual, keptFraction };
  const c = input.counting;
  const tolerance = c.exact ? EXACT_TOLERANCE : c.samples === 0 ? UNCALIBRATED_TOLERANCE : Math.max(CALIBRATED_TOLERANCE, 3 * c.recentError);
  const tooFew = actual < expected * (1 - tolerance) - ABSOLUTE_SLACK;
  const filledWindow = actual >= numCtx;
  return { suspected: tooFew || filledWindow, expected, actual, keptFraction };
}

/** Ollama 0.30.0 reported only the uncached part of the prompt in prompt_eval_count (#16414, fixed in 0.30.1): never trust it. */
export function promptEvalCountIsWhole(version: string | undefined): boolean {
  return version !== '0.30.0';
}
