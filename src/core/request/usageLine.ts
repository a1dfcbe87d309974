/** Everything one request used and how it went; the panel shows it, the usage line logs it. */
export interface ResponseUsage {
  model: string;
  /** Our per-section counts in model tokens (exact, or GPT-2 per class x the learned ratios), template included. */
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
  /** True when our counts come from the character estimate (tiktoken could not load). */
  estimated: boolean;
  /** Which tokenizer counted: "qwen2 (exact)", "SentencePiece (exact)", or "cl100k estimate x1.02". */
  tokenizer: string;
  /** True when the count is the served model's own (its tokenizer and template); false for the GPT-2 fallback. */
  exact: boolean;
  /** The fallback's fit: how many requests taught it (undefined for exact counts). */
  calibrationSamples?: number;
  /** The fallback's prediction of the model's count, without the safety margin `total` is planned with (undefined for exact counts). */
  predicted?: number;
  /** Why the answer reserve is that size ("p90 of 12 chat answers x1.25", "10% of the window (...)"). */
  reserveSource?: string;
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
    ...(usage.reserveSource ? { reserveFrom: usage.reserveSource } : {}),
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
    tokenizer: usage.tokenizer,
    exact: usage.exact,
    ...(usage.calibrationSamples !== undefined ? { calibrationSamples: usage.calibrationSamples } : {}),
    fallback: extras.fallbackUsed,
    cancelled: extras.cancelled,
    serverTruncationSuspected: extras.serverTruncationSuspected,
    ...(extras.error ? { error: extras.error } : {}),
  })}`;
}
