import { messageOf, silentLogger, type Logger } from '../runtime';
import type { CalibrationRecord, CalibrationStore } from './calibrationStore';

/** Bounds of a believable ratio; anything outside is a broken sample (cached prompt, truncation), not a tokenizer. */
export const MIN_RATIO = 0.25;
export const MAX_RATIO = 8;

/** Tuning of the learning. */
export interface CalibratorOptions {
  /** Weight of a new sample in the smoothed ratio. */
  alpha?: number;
  /** How many recent samples the conservative factor looks at. */
  window?: number;
  /** Safety margin on top of the largest recent ratio once well calibrated. */
  margin?: number;
  /** Prompts smaller than this (our count) teach nothing: the template overhead dominates them. */
  minTokens?: number;
}

/** The factor to plan the next prompt with. `factor` is undefined until the model has taught us something. */
export interface CalibrationFactor {
  factor: number | undefined;
  ratio: number | undefined;
  /** The smallest recent ratio: what a text that tokenizes well for this model may come down to. */
  lowRatio: number | undefined;
  samples: number;
}

/**
 * Learns, per model, how many tokens the model really counts per token Therapist counts (GPT-2 is not the
 * model's tokenizer), from prompt_eval_count after each request. Planning uses the conservative side: the
 * largest recent ratio plus a margin that shrinks as samples accumulate.
 */
export class Calibrator {
  private readonly alpha: number;
  private readonly window: number;
  private readonly margin: number;
  private readonly minTokens: number;

  constructor(
    private readonly store: CalibrationStore,
    options: CalibratorOptions = {},
    private readonly logger: Logger = silentLogger,
  ) {
    this.alpha = options.alpha ?? 0.3;
    this.window = options.window ?? 5;
    this.margin = options.margin ?? 0.03;
    this.minTokens = options.minTokens ?? 16;
  }

  /** The conservative factor for `model`, or undefined before the first good sample. */
  factorFor(model: string): CalibrationFactor {
    const record = this.store.get(model);
    if (!record || record.samples === 0 || record.recent.length === 0) return { factor: undefined, ratio: undefined, lowRatio: undefined, samples: 0 };
    const worst = Math.max(record.ratio, ...record.recent);
    const margin = this.margin + 0.1 / record.samples;
    return { factor: clamp(worst * (1 + margin)), ratio: record.ratio, lowRatio: Math.min(record.ratio, ...record.recent), samples: record.samples };
  }

  /**
   * Records one request: our count (incl. template overhead) vs the model's prompt_eval_count. Returns the
   * new record, or undefined when the sample was ignored (too small, missing, or unbelievable).
   */
  observe(model: string, ourTokens: number, modelTokens: number | undefined): CalibrationRecord | undefined {
    if (modelTokens === undefined || !(ourTokens >= this.minTokens) || !(modelTokens > 0)) return undefined;
    const observed = modelTokens / ourTokens;
    if (observed < MIN_RATIO || observed > MAX_RATIO) {
      this.logger.warn(`calibration for ${model}: ignored an unbelievable ratio ${observed.toFixed(3)} (${modelTokens} model tokens for ${ourTokens} counted)`);
      return undefined;
    }
    const previous = this.store.get(model);
    const ratio = previous ? previous.ratio + this.alpha * (observed - previous.ratio) : observed;
    const record: CalibrationRecord = {
      ratio,
      recent: [...(previous?.recent ?? []), observed].slice(-this.window),
      samples: (previous?.samples ?? 0) + 1,
      updatedAt: new Date().toISOString(),
    };
    void Promise.resolve(this.store.set(model, record)).catch((error: unknown) =>
      this.logger.warn(`calibration for ${model} could not be saved: ${messageOf(error)}`),
    );
    return record;
  }
}

function clamp(value: number): number {
  return Math.min(MAX_RATIO, Math.max(MIN_RATIO, value));
}
