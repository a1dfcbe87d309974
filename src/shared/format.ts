// The one way token counts are written for people: exact with thousands separators, or compact.
// Locale-independent, so tests, logs and screenshots are stable.

/** 1234567 -> "1,234,567". */
export function formatCount(n: number): string {
  const rounded = Math.round(n);
  const sign = rounded < 0 ? '-' : '';
  return sign + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Compact counts for tight places: 812, 5.1k, 12k, 128k, 1.2M. */
export function formatTokens(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  if (abs < 1_000_000) {
    const k = n / 1000;
    return `${Math.abs(k) < 10 ? trimZero(k.toFixed(1)) : Math.round(k)}k`;
  }
  const m = n / 1_000_000;
  return `${Math.abs(m) < 10 ? trimZero(m.toFixed(1)) : Math.round(m)}M`;
}

/** A context window as people name it: 8192 -> "8k", 131072 -> "128k" (windows are powers of two, counted in KiB). */
export function formatWindow(n: number): string {
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}k`;
  return formatTokens(n);
}

function trimZero(s: string): string {
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}
