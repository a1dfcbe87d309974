// What every service of the core takes from outside so that tests control it: one clock and one logger.
// Plus messageOf, the one way the core turns a thrown value into words.

/**
 * Time and timers. Wall time for timestamps and calendar quotas, monotonic time for durations. Tests inject
 * a clock whose `sleep` returns at once (retries, rate-limit waits) or whose wall time they move by hand.
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (Date.now): timestamps, quota days and months. */
  now(): number;
  /** Monotonic high-resolution milliseconds (performance.now): for durations only. */
  monotonic(): number;
  /** Minutes to add to UTC to get local time at `atMs` (e.g. +60 for Paris in winter): where days begin. */
  utcOffsetMinutes(atMs: number): number;
  /** Starts a timer; returns the function that cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
  /** Waits `ms`; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The signal's reason, or a standard AbortError when none was given. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  utcOffsetMinutes: (atMs) => -new Date(atMs).getTimezoneOffset(),
  setTimer(callback, ms) {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        clearTimeout(handle);
        reject(abortReason(signal!));
      };
      const handle = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
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

/** The words of a thrown value: an Error's message, anything else as a string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Subscribers to one kind of event: `add` returns the unsubscribe, `emit` calls each in the order added. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  /** Subscribes `listener`; call the result to unsubscribe. */
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  /** Calls every subscriber with `value`. */
  emit(value: T): void {
    for (const listener of this.set) listener(value);
  }
}
