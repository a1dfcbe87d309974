/** Inputs of the after-the-fact check: what we expected the model to count, and what it says it evaluated. */
export interface TruncationCheckInput {
  /** Our count converted to model tokens (our count x learned ratio, or our count when uncalibrated). */
  expectedPromptTokens: number;
  /** prompt_eval_count from the final chunk; undefined when the server omitted it. */
  promptEvalCount: number | undefined;
  /** The num_ctx we sent. */
  numCtx: number;
  /** True once the model's ratio has been learned from earlier requests (tighter tolerance). */
  calibrated: boolean;
  /** What we planned the prompt to be (model tokens with the factor used); enables the half-window signature. */
  plannedPromptTokens?: number;
}

/** The verdict, with both numbers for the warning. */
export interface TruncationCheck {
  suspected: boolean;
  expected: number;
  actual: number | undefined;
  /** Fraction of the expected tokens the model evaluated. */
  keptFraction: number | undefined;
}

/** Share of the expected tokens below which the prompt was probably cut by the server. */
export const CALIBRATED_TOLERANCE = 0.8;
export const UNCALIBRATED_TOLERANCE = 0.6;
/** Absolute slack: a few dozen tokens of difference are template noise, never a truncation. */
export const ABSOLUTE_SLACK = 32;
/** A prompt planned above this share of num_ctx that comes back at about num_ctx/2 was cut by Ollama 0.30+. */
export const HALF_WINDOW_PLANNED_SHARE = 0.6;

/**
 * Ollama truncates silently; prompt_eval_count is the only trace. Suspects truncation when the model evaluated
 * clearly fewer tokens than expected, or (servers before 0.30) exactly filled num_ctx.
 */
export function checkServerTruncation(input: TruncationCheckInput): TruncationCheck {
  const { expectedPromptTokens: expected, promptEvalCount: actual, numCtx } = input;
  if (actual === undefined) return { suspected: false, expected, actual, keptFraction: undefined };
  const keptFraction = expected > 0 ? actual / expected : 1;
  const tolerance = input.calibrated ? CALIBRATED_TOLERANCE : UNCALIBRATED_TOLERANCE;
  const tooFew = actual < expected * tolerance && expected - actual > ABSOLUTE_SLACK;
  const filledWindow = actual >= numCtx;
  // Ollama 0.30+ keeps about num_ctx/2 tokens of an overlong prompt: a big planned prompt that comes back at that
  // count was cut, even when a low tokenizer ratio could otherwise explain it (the uncalibrated first request).
  const planned = input.plannedPromptTokens;
  const halfWindow = planned !== undefined && planned >= numCtx * HALF_WINDOW_PLANNED_SHARE && Math.abs(actual - numCtx / 2) <= Math.max(8, numCtx * 0.02);
  return { suspected: tooFew || filledWindow || halfWindow, expected, actual, keptFraction };
}
