import { CONTENT_CLASSES, type ClassCounts, type ContentClass } from './contentClasses';
import type { Tokenizer } from './tokenizer';

/** Model tokens per counted token for each content class (the GPT-2 fallback's learned ratios). */
export type ClassWeights = Readonly<Record<ContentClass, number>>;

/**
 * How counted tokens become model tokens: 1 when the counter is the model's own tokenizer, one factor, or a factor
 * per content class (GPT-2 counts of CJK, whitespace, digits... differ very differently from a model's).
 */
export type Calibration = number | ClassWeights;

/**
 * Model tokens for a GPT-2 count: ceil(calibration x count), with 1e-9 forgiven so that float noise
 * (1.1 x 10 = 11.000000000000002) does not add a token. Calibration 1 returns the count unchanged.
 */
export function calibrate(gpt2Tokens: number, calibration: number): number {
  if (calibration === 1 || gpt2Tokens === 0) return gpt2Tokens;
  return Math.ceil(calibration * gpt2Tokens - 1e-9);
}

/** The largest factor of a calibration (what a count of unknown content is assumed to cost). */
export function maxFactor(calibration: Calibration): number {
  return typeof calibration === 'number' ? calibration : Math.max(...CONTENT_CLASSES.map((c) => calibration[c]));
}

/**
 * Counts texts in model tokens: the counter's tokens (through the caller's cached count) times the calibration.
 * Budgets are spent in these units, so what the model's tokenizer sees fits its window.
 */
export class Meter {
  constructor(
    readonly tokenizer: Tokenizer,
    /** The counter's tokens of a text (cached by the caller). */
    readonly countRaw: (text: string) => number,
    readonly calibration: Calibration = 1,
    /** The counter's tokens of a text per content class (cached by the caller); needed for a per-class calibration. */
    readonly countClasses?: (text: string) => ClassCounts,
  ) {}

  /** True when counted tokens are model tokens (an exact model tokenizer, or uncalibrated GPT-2). */
  get identity(): boolean {
    return this.calibration === 1;
  }

  /** Model tokens of `text`. */
  measure(text: string): number {
    if (text.length === 0) return 0;
    const cal = this.calibration;
    if (typeof cal === 'number') return calibrate(this.countRaw(text), cal);
    if (!this.countClasses) throw new Error('a per-class calibration needs countClasses');
    const counts = this.countClasses(text);
    let sum = 0;
    for (const c of CONTENT_CLASSES) sum += cal[c] * counts[c];
    return Math.ceil(sum - 1e-9);
  }

  /** Model tokens for `raw` counted tokens of unknown content (seams, slack): the largest factor, to be safe. */
  scaleRaw(raw: number): number {
    return calibrate(raw, maxFactor(this.calibration));
  }

  /**
   * The largest count of counted tokens whose model tokens are at most `units`, for cutting `text` (a per-class
   * calibration uses the text's own ratio; the cut is verified with `measure` afterwards either way).
   */
  rawBudget(units: number, text?: string): number {
    if (units <= 0) return 0;
    const cal = this.calibration;
    if (cal === 1) return units;
    if (typeof cal !== 'number') {
      const raw = text ? this.countRaw(text) : 0;
      const ratio = raw > 0 ? Math.max(0.05, this.measure(text!) / raw) : maxFactor(cal);
      return Math.max(0, Math.floor(units / ratio));
    }
    let raw = Math.floor(units / cal);
    while (calibrate(raw + 1, cal) <= units) raw++;
    while (raw > 0 && calibrate(raw, cal) > units) raw--;
    return raw;
  }
}
