import { ConfigurationError } from '../errors';
import { CONTENT_CLASSES } from './contentClasses';
import type { Calibration } from './meter';

/** The four budget settings as the user writes them (fractions of maxTokens). */
export interface BudgetSettings {
  maxTokens: number;
  systemTokenBudget: number;
  userTokenBudget: number;
  contextTokenBudget: number;
}

/** Share of the window always held back for the model's answer, taken out of the context share. */
export const COMPLETION_FRACTION = 0.1;
/** Calibration (model tokens per GPT-2 token) accepted by the optimizer: real tokenizers stay well inside. */
export const MIN_CALIBRATION = 0.25;
export const MAX_CALIBRATION = 8;

function isFraction(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;
}

/**
 * Checks budget settings and throws a ConfigurationError naming the first bad value and its valid range.
 * Never clamps. The host calls it on settings changes; TokenCounter calls it in its constructor.
 */
export function validateBudgets(settings: BudgetSettings): void {
  const { maxTokens, systemTokenBudget, userTokenBudget, contextTokenBudget } = settings;
  if (typeof maxTokens !== 'number' || !Number.isSafeInteger(maxTokens) || maxTokens <= 0) {
    throw new ConfigurationError('therapist.maxTokens', maxTokens, 'a positive integer (tokens)');
  }
  const fractions: [string, unknown][] = [
    ['therapist.systemTokenBudget', systemTokenBudget],
    ['therapist.userTokenBudget', userTokenBudget],
    ['therapist.contextTokenBudget', contextTokenBudget],
  ];
  for (const [setting, value] of fractions) {
    if (!isFraction(value)) throw new ConfigurationError(setting, value, 'a number from 0 to 1');
  }
  const sum = systemTokenBudget + userTokenBudget + contextTokenBudget;
  // A tolerance for 0.1 + 0.2 + 0.7 style float sums that are 1 on paper.
  if (sum > 1 + 1e-9) {
    throw new ConfigurationError(
      'therapist.contextTokenBudget',
      contextTokenBudget,
      `at most ${formatFraction(1 - systemTokenBudget - userTokenBudget)} (the three budgets must add up to at most 1)`,
      `system ${systemTokenBudget} + user ${userTokenBudget} + context ${contextTokenBudget} = ${formatFraction(sum)}, more than 1`,
    );
  }
}

function formatFraction(x: number): string {
  return String(Math.round(Math.max(0, x) * 1e6) / 1e6);
}

/** Checks an answer reserve override against the window it must leave room in. */
export function validateCompletionReserve(reserve: number, limit: number): void {
  if (!Number.isSafeInteger(reserve) || reserve < 0 || reserve >= limit) {
    throw new ConfigurationError('completionReserve', reserve, `an integer from 0 to ${limit - 1} (below the ${limit}-token window)`);
  }
}

/** The range of one content class's learned ratio (whitespace runs can cost a model far less than GPT-2). */
export const MIN_CLASS_RATIO = 0.05;

/** Checks a calibration: one factor (model tokens per GPT-2 token), or one per content class. */
export function validateCalibration(calibration: Calibration): void {
  if (typeof calibration === 'object' && calibration !== null) {
    for (const c of CONTENT_CLASSES) {
      const v = calibration[c];
      // The punctuation correction may cost nothing at all (byte-level BPE vocabularies glue punctuation as GPT-2 does).
      const min = c === 'punctuation' ? 0 : MIN_CLASS_RATIO;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > MAX_CALIBRATION) {
        throw new ConfigurationError(`calibration.${c}`, v, `a number from ${min} to ${MAX_CALIBRATION} (model tokens per GPT-2 token of ${c})`);
      }
    }
    return;
  }
  if (typeof calibration !== 'number' || !Number.isFinite(calibration) || calibration < MIN_CALIBRATION || calibration > MAX_CALIBRATION) {
    throw new ConfigurationError('calibration', calibration, `a number from ${MIN_CALIBRATION} to ${MAX_CALIBRATION} (model tokens per GPT-2 token)`);
  }
}

/** Checks a per-message chat-template overhead. */
export function validateOverhead(overhead: number): void {
  if (!Number.isSafeInteger(overhead) || overhead < 0 || overhead > 1000) {
    throw new ConfigurationError('perMessageOverhead', overhead, 'an integer from 0 to 1000 (tokens per message)');
  }
}

/** Each section's guaranteed share of one window, in tokens. */
export interface BudgetShares {
  limit: number;
  /** Held back for the answer: ceil(0.1 x limit) unless overridden. */
  completionReserve: number;
  /** limit - completionReserve: what the prompt may use in total. */
  available: number;
  system: number;
  /** For the user's message and the conversation history together. */
  user: number;
  /** For context chunks: the context share minus the answer's 0.1. */
  context: number;
}

/** The token shares for one window: floor(fraction x limit) each, the answer reserve out of the context share. */
export function budgetShares(settings: BudgetSettings, completionReserve?: number): BudgetShares {
  const limit = settings.maxTokens;
  const reserve = completionReserve ?? Math.ceil(COMPLETION_FRACTION * limit);
  validateCompletionReserve(reserve, limit);
  return {
    limit,
    completionReserve: reserve,
    available: limit - reserve,
    system: Math.floor(settings.systemTokenBudget * limit),
    user: Math.floor(settings.userTokenBudget * limit),
    context: Math.floor(Math.max(0, settings.contextTokenBudget - COMPLETION_FRACTION) * limit),
  };
}
