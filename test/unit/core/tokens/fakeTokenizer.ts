import type { Tokenizer } from '../../../../src/core/tokens/tokenizer';

/** A predictable tokenizer for budget logic: one token per code point. */
export class CodePointTokenizer implements Tokenizer {
  readonly name = 'codepoints';
  readonly estimated = false;
  readonly splitsAfterNewline = true;
  disposed = false;
  count(text: string): number {
    let n = 0;
    for (const _ of text) n++;
    return n;
  }
  prefixEnd(text: string, maxTokens: number): number {
    let i = 0;
    let n = 0;
    for (const ch of text) {
      if (n === maxTokens) break;
      i += ch.length;
      n++;
    }
    return i;
  }
  suffixStart(text: string, maxTokens: number): number {
    const cps = Array.from(text);
    const keep = Math.max(0, Math.min(maxTokens, cps.length));
    return text.length - cps.slice(cps.length - keep).join('').length;
  }
  dispose(): void {
    this.disposed = true;
  }
}

/** Text of exactly `n` fake tokens. */
export function fakeText(n: number, ch = 'x'): string {
  return ch.repeat(n);
}
