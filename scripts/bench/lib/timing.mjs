// The timing helpers every benchmark uses: a monotonic clock in milliseconds, the median, a timed call, the verdict.

/** Milliseconds on a monotonic clock. */
export function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The median (the upper one of an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Milliseconds of one call of `fn`, median of `runs` after `warmup` calls. */
export function time(fn, runs = 5, warmup = 1) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = now();
    fn();
    samples.push(now() - t);
  }
  return median(samples);
}

/** "ok (target …)" or "MISSED (target …)": benchmarks print, they never fail on timing. */
export function verdict(ok, target) {
  return ok ? `ok (target ${target})` : `MISSED (target ${target})`;
}
