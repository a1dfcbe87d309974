import type { Tokenizer } from './tokenizer';

/**
 * Model tokens for a GPT-2 count: ceil(calibration x count), with 1e-9 forgiven so that float noise
 * (1.1 x 10 = 11.000000000000002) does not add a token. Calibration 1 returns the count unchanged.
 */
export function calibrate(gpt2Tokens: number, calibration: number): number {
  if (calibration === 1 || gpt2Tokens === 0) return gpt2Tokens;
  return Math.ceil(calibration * gpt2Tokens - 1e-9);
}

/**
 * Counts texts in model tokens: GPT-2 counts (through the caller's cached counter) times the calibration.
 * Budgets are spent in these units, so what the model's tokenizer sees fits its window.
 */
export class Meter {
  constructor(
    readonly tokenizer: Tokenizer,
    /** GPT-2 count of a text (cached by the caller). */
    readonly countRaw: (text: string) => number,
    readonly calibration = 1,
  ) {}

  /** Model tokens of `text`. */
  measure(text: string): number {
    return text.length === 0 ? 0 : calibrate(this.countRaw(text), this.calibration);
  }

  /** The largest GPT-2 count whose calibrated value is at most `units`. */
  rawBudget(units: number): number {
    if (units <= 0) return 0;
    if (this.calibration === 1) return units;
    let raw = Math.floor(units / this.calibration);
    while (calibrate(raw + 1, this.calibration) <= units) raw++;
    while (raw > 0 && calibrate(raw, this.calibration) > units) raw--;
    return raw;
  }
}
