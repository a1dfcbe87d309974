import type { Clock } from '../runtime';

const DAY_MS = 86_400_000;

/** Local calendar fields of an instant, in the clock's zone. */
function localFields(clock: Clock, atMs: number): { y: number; m: number; d: number } {
  const local = new Date(atMs + clock.utcOffsetMinutes(atMs) * 60_000);
  return { y: local.getUTCFullYear(), m: local.getUTCMonth(), d: local.getUTCDate() };
}

/** The instant of local midnight that starts the given local date (handles DST by re-reading the offset). */
function localMidnight(clock: Clock, y: number, m: number, d: number): number {
  const asUtc = Date.UTC(y, m, d);
  let guess = asUtc - clock.utcOffsetMinutes(asUtc) * 60_000;
  guess = asUtc - clock.utcOffsetMinutes(guess) * 60_000;
  return guess;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local date key, YYYY-MM-DD: the daily quota bucket. */
export function dayKey(clock: Clock, atMs: number): string {
  const f = localFields(clock, atMs);
  return `${f.y}-${pad(f.m + 1)}-${pad(f.d)}`;
}

/** Local month key, YYYY-MM: the monthly quota bucket. */
export function monthKey(clock: Clock, atMs: number): string {
  const f = localFields(clock, atMs);
  return `${f.y}-${pad(f.m + 1)}`;
}

/** The next local midnight after `atMs`: when the daily quota resets. */
export function nextDayStart(clock: Clock, atMs: number): number {
  const f = localFields(clock, atMs);
  return localMidnight(clock, f.y, f.m, f.d + 1);
}

/** Local midnight of the first day of the next month: when the monthly quota resets. */
export function nextMonthStart(clock: Clock, atMs: number): number {
  const f = localFields(clock, atMs);
  return localMidnight(clock, f.y, f.m + 1, 1);
}

export { DAY_MS };
