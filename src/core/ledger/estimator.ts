/** Fewer observations than this and a 90th percentile means little: fall back (see estimateFromSamples). */
export const MIN_SAMPLES = 5;
/**
 * The completion reserve before there is data: 1024 tokens. Typical coding answers are a few hundred
 * tokens; 1024 covers a long one without reserving a whole window (worst-case reservations block users
 * for nothing), and `num_predict` still bounds it.
 */
export const DEFAULT_COMPLETION_ESTIMATE = 1024;

/** Nearest-rank 90th percentile: the smallest observation at or above 90% of them. */
export function p90(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('p90 of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.9 * sorted.length) - 1];
}

/**
 * The completion tokens to reserve: p90 of this model+command's recent answers, else of the model's,
 * else DEFAULT_COMPLETION_ESTIMATE; never more than `numPredict` (when positive; Ollama reads 0 or
 * less as "no limit").
 */
export function estimateFromSamples(forCommand: readonly number[], forModel: readonly number[], numPredict: number): number {
  const estimate = forCommand.length >= MIN_SAMPLES ? p90(forCommand) : forModel.length >= MIN_SAMPLES ? p90(forModel) : DEFAULT_COMPLETION_ESTIMATE;
  return numPredict > 0 ? Math.min(estimate, numPredict) : estimate;
}
