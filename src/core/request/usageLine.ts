/** Everything one request used and how it went; the panel shows it, the usage line logs it. */
export interface ResponseUsage {
  model: string;
  /** Our per-section counts (model tokens: GPT-2 counts x calibration + template overhead). */
  perSection: { system: number; user: number; context: number; history: number };
  /** Our total for the prompt sent. */
  total: number;
  /** What the prompt would have needed without truncation. */
  requested: number;
  /** The window (sent as num_ctx). */
  limit: number;
  /** Tokens held back for the answer (sent as num_predict). */
  completionReserve: number;
  /** The model's own counts from the final chunk; undefined when the server omitted them. */
  promptEvalCount?: number;
  evalCount?: number;
  ttftMs?: number;
  tokensPerSecond?: number;
  durationMs: number;
  /** True when our counts come from the estimate tokenizer (tiktoken could not load). */
  estimated: boolean;
  /** The calibration factor the plan used, and whether it was learned from this model (else the default). */
  calibration: number;
  calibrated: boolean;
}

/** Extra facts for the log line. */
export interface UsageLineExtras {
  truncatedSections: readonly string[];
  droppedChunks: number;
  droppedMessages: number;
  fallbackUsed: boolean;
  cancelled: boolean;
  serverTruncationSuspected: boolean;
  error?: string;
}

/** One structured line per request (`usage {json}`), for the output channel and the developer console. */
export function formatUsageLine(usage: ResponseUsage, extras: UsageLineExtras): string {
  const round = (x: number | undefined, digits = 1) => (x === undefined ? undefined : Math.round(x * 10 ** digits) / 10 ** digits);
  return `usage ${JSON.stringify({
    model: usage.model,
    sent: usage.total,
    limit: usage.limit,
    reserve: usage.completionReserve,
    sections: usage.perSection,
    requested: usage.requested,
    cut: extras.truncatedSections,
    droppedChunks: extras.droppedChunks,
    droppedMessages: extras.droppedMessages,
    promptEvalCount: usage.promptEvalCount ?? null,
    evalCount: usage.evalCount ?? null,
    ttftMs: round(usage.ttftMs) ?? null,
    tokensPerSecond: round(usage.tokensPerSecond) ?? null,
    durationMs: round(usage.durationMs),
    estimated: usage.estimated,
    calibration: round(usage.calibration, 3),
    calibrated: usage.calibrated,
    fallback: extras.fallbackUsed,
    cancelled: extras.cancelled,
    serverTruncationSuspected: extras.serverTruncationSuspected,
    ...(extras.error ? { error: extras.error } : {}),
  })}`;
}
