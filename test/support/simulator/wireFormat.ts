// How Ollama's Go server puts bytes on the wire, reproduced for the simulator.

/** JSON as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** RFC3339 with nanoseconds and trailing zeros dropped, so the number of fraction digits varies as Go's does. */
export function createdAt(): string {
  const now = Date.now();
  const base = new Date(now).toISOString().slice(0, 19);
  const nanos = String((now % 1000) * 1e6 + Number(process.hrtime.bigint() % 1_000_000n))
    .padStart(9, '0')
    .replace(/0+$/, '');
  return nanos ? `${base}.${nanos}Z` : `${base}Z`;
}

/** Drops numeric fields that are zero or missing: Go's `omitempty` on the metrics. */
export function omitZero<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === 0) continue;
    out[k] = v;
  }
  return out as Partial<T>;
}

/** The `parameters` text of /api/show: one `key<padding>value` line each, as `ollama show --parameters` prints. */
export function parametersText(params: [string, string | number][]): string {
  return params.map(([k, v]) => `${k.padEnd(30)} ${v}`).join('\n');
}

/** Splits a line's bytes so the first write ends inside a multi-byte UTF-8 character when the line has one. */
export function splitInsideCharacter(bytes: Buffer): Buffer[] {
  for (let i = 1; i < bytes.length; i++) {
    if ((bytes[i] & 0xc0) === 0x80) return [bytes.subarray(0, i), bytes.subarray(i)];
  }
  return [bytes];
}

export const TEXT_404 = '404 page not found';
export const TEXT_405 = '405 method not allowed';
export const BUSY_TEXT = 'server busy, please try again.  maximum pending requests exceeded';
