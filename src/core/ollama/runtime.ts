// The two things every Ollama-facing class takes from outside so tests control them: a clock and a logger.

/** Time and timers. Tests inject a clock whose `sleep` returns at once (retries) without touching real time. */
export interface Clock {
  /** Milliseconds, monotonic, high resolution (for durations only). */
  now(): number;
  /** Starts a timer; returns the function that cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
  /** Waits `ms`; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(callback, ms) {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(handle);
        reject(signal?.reason);
      };
      const handle = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/** Where diagnostics go. The host backs it with the "Therapist" output channel; `usage` gets one line per request. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  usage?(line: string): void;
}

/** A logger that drops everything (the default when none is injected). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, usage() {} };

/** Bounded exponential backoff for 503 "server busy". */
export interface RetryPolicy {
  /** Retries after the first attempt (so attempts = maxRetries + 1). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 4000 };

/** The wait before retry number `retry` (1-based): base, 2x base, 4x base..., capped. */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
}
