// The therapist.retrieval.* settings (and embeddingModel, ollamaUrl) as the workspace index's options, and which
// of them require a new index: the host restarts the folder indexes when retrievalKey changes.
import type { IndexLimits } from '../../core/context/retrieval';
import type { TherapistConfig } from '../../core/config';
import { COMPLETION_FRACTION } from '../../core/tokens/budgets';

const MiB = 1_048_576;

export type RetrievalSettings = Pick<
  TherapistConfig,
  | 'retrieval.enabled'
  | 'embeddingModel'
  | 'ollamaUrl'
  | 'retrieval.maxFiles'
  | 'retrieval.maxFileSizeKb'
  | 'retrieval.maxIndexMb'
  | 'retrieval.maxChunks'
  | 'retrieval.maxDiskMb'
>;

/** The index limits the settings set. */
export function limitsOf(s: RetrievalSettings): IndexLimits {
  return {
    maxFiles: s['retrieval.maxFiles'],
    maxFileBytes: s['retrieval.maxFileSizeKb'] * 1024,
    maxTotalBytes: s['retrieval.maxIndexMb'] * MiB,
    maxChunks: s['retrieval.maxChunks'],
    maxDiskBytes: s['retrieval.maxDiskMb'] * MiB,
  };
}

/**
 * The worker's heap limit: its measured need (about 6 bytes per byte of source, 870 bytes per 768-dimension vector,
 * docs/retrieval.md) with a quarter more and 256 MB of room, between 512 MB and 4 GB. Over it the worker stops with a
 * notice instead of taking the extension host down.
 */
export function heapLimitMb(s: RetrievalSettings): number {
  const need = (6 * s['retrieval.maxIndexMb'] * MiB + 870 * s['retrieval.maxChunks']) / MiB;
  return Math.round(Math.min(4096, Math.max(512, need * 1.25 + 256)));
}

/** Equal for two configurations exactly when the indexes can stay as they are. */
export function retrievalKey(s: RetrievalSettings): string {
  return JSON.stringify([s['retrieval.enabled'], s.embeddingModel.trim(), s.ollamaUrl, limitsOf(s)]);
}

/**
 * Tokens the context section of a prompt has: the window's context share minus the answer's reserve. `window` is the
 * effective window when the model's facts are known (a model trained for less than therapist.maxTokens has less).
 */
export function contextRoom(config: Pick<TherapistConfig, 'maxTokens' | 'contextTokenBudget'>, window = config.maxTokens): number {
  return Math.max(0, Math.floor(window * (config.contextTokenBudget - COMPLETION_FRACTION)));
}

/**
 * The model's effective window if its facts arrive within `ms`, else undefined (the caller falls back to the
 * settings). The facts are usually cached; a slow or unreachable server must not hold the question up twice, since
 * the request itself asks for them again right after.
 */
export async function windowWithin(facts: Promise<{ effectiveWindow: number }>, ms: number): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  try {
    return await Promise.race([facts.then((f) => f.effectiveWindow).catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
