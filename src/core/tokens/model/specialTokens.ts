import type { SpecialToken } from './bpeData';

/** A stretch of text: plain text for byte-pair encoding, or one special token. */
export interface TextSegment {
  readonly start: number;
  readonly end: number;
  /** The special token's id when this segment is one. */
  readonly special?: number;
}

/**
 * Finds special tokens in text exactly as llama.cpp's tokenizer_st_partition does: tokens longest first (equal
 * lengths by id; llama.cpp's std::sort leaves that order unspecified), each one's leftmost non-overlapping
 * occurrences in the text not yet taken by a longer one. Plain text between them is tokenized on its own.
 * (llama.cpp's lstrip/rstrip attributes are set only for phi-3 and jina models by name, and are not modelled.)
 */
export class SpecialTokenMatcher {
  private readonly tokens: readonly SpecialToken[];
  /** First UTF-16 unit -> indexes into `tokens` (longest first). */
  private readonly byFirst = new Map<number, number[]>();
  private readonly firstUnit = new Uint8Array(0x10000);

  constructor(specials: readonly SpecialToken[]) {
    this.tokens = [...specials].filter((t) => t.text.length > 0).sort((a, b) => b.text.length - a.text.length || a.id - b.id);
    this.tokens.forEach((t, i) => {
      const c = t.text.charCodeAt(0);
      this.firstUnit[c] = 1;
      const list = this.byFirst.get(c);
      if (list) list.push(i);
      else this.byFirst.set(c, [i]);
    });
  }

  /** True when there is nothing to match. */
  get empty(): boolean {
    return this.tokens.length === 0;
  }

  /** The segments of `text`, in order, covering it exactly. */
  split(text: string): TextSegment[] {
    const n = text.length;
    if (this.tokens.length === 0 || n === 0) return n === 0 ? [] : [{ start: 0, end: n }];
    // Every occurrence of every token, grouped by token (positions increasing).
    const found: number[][] = [];
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (this.firstUnit[c] === 0) continue;
      for (const k of this.byFirst.get(c)!) {
        if (text.startsWith(this.tokens[k].text, i)) (found[k] ??= []).push(i);
      }
    }
    if (found.length === 0) return [{ start: 0, end: n }];
    // Longest token first; an occurrence is taken when it overlaps nothing taken before it.
    const taken: { start: number; end: number; id: number }[] = [];
    let covered: Uint8Array | undefined;
    for (let k = 0; k < this.tokens.length; k++) {
      const positions = found[k];
      if (!positions) continue;
      const len = this.tokens[k].text.length;
      let nextFree = 0;
      for (const p of positions) {
        if (p < nextFree) continue;
        if (covered && covered.subarray(p, p + len).some((x) => x !== 0)) continue;
        covered ??= new Uint8Array(n);
        covered.fill(1, p, p + len);
        taken.push({ start: p, end: p + len, id: this.tokens[k].id });
        nextFree = p + len;
      }
    }
    taken.sort((a, b) => a.start - b.start);
    const segments: TextSegment[] = [];
    let at = 0;
    for (const t of taken) {
      if (t.start > at) segments.push({ start: at, end: t.start });
      segments.push({ start: t.start, end: t.end, special: t.id });
      at = t.end;
    }
    if (at < n) segments.push({ start: at, end: n });
    return segments;
  }
}
