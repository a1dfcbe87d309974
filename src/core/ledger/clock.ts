import type { LedgerClock } from './types';

const DAY_MS = 86_400_000;

/** The real clock: wall time, the machine's local zone, and setTimeout-based waits. */
export const systemClock: LedgerClock = {
  now: () => Date.now(),
  utcOffsetMinutes: (atMs) => -new Date(atMs).getTimezoneOffset(),
  sleep: (ms, signal) => abortableDelay(ms, signal),
};

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The signal's reason, or a standard AbortError when none was given. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Local calendar fields of an instant, in the clock's zone. */
function localFields(clock: LedgerClock, atMs: number): { y: number; m: number; d: number } {
  const local = new Date(atMs + clock.utcOffsetMinutes(atMs) * 60_000);
  return { y: local.getUTCFullYear(), m: local.getUTCMonth(), d: local.getUTCDate() };
}

/** The instant of local midnight that starts the given local date (handles DST by re-reading the offset). */
function localMidnight(clock: LedgerClock, y: number, m: number, d: number): number {
  const asUtc = Date.UTC(y, m, d);
  let guess = asUtc - clock.utcOffsetMinutes(asUtc) * 60_000;
  guess = asUtc - clock.utcOffsetMinutes(guess) * 60_000;
  return guess;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local date key, YYYY-MM-DD: the daily quota bucket. */
export function dayKey(clock: LedgerClock, atMs: number): string {
  const f = localFields(clock, atMs);
  return `${f.y}-${pad(f.m + 1)}-${pad(f.d)}`;
}

/** Local month key, YYYY-MM: the monthly quota bucket. */
export function monthKey(clock: LedgerClock, atMs: number): string {
  const f = localFields(clock, atMs);
  return `${f.y}-${pad(f.m + 1)}`;
}

/** The next local midnight after `atMs`: when the daily quota resets. */
export function nextDayStart(clock: LedgerClock, atMs: number): number {
  const f = localFields(clock, atMs);
  return localMidnight(clock, f.y, f.m, f.d + 1);
}

/** Local midnight of the first day of the next month: when the monthly quota resets. */
export function nextMonthStart(clock: LedgerClock, atMs: number): number {
  const f = localFields(clock, atMs);
  return localMidnight(clock, f.y, f.m + 1, 1);
}

/** Local midnight of the first day of this month (older records cannot count against the monthly quota). */
export function monthStart(clock: LedgerClock, atMs: number): number {
  const f = localFields(clock, atMs);
  return localMidnight(clock, f.y, f.m, 1);
}

export { DAY_MS };
