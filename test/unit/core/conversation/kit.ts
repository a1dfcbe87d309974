// Shared helpers of the conversation tests: a meter that counts like the simulator's stand-in tokenizer, and
// conversations built from numbered turns.
import { Meter } from '../../../../src/core/tokens/meter';
import type { Tokenizer } from '../../../../src/core/tokens/tokenizer';
import type { HistoryMessage } from '../../../../src/core/tokens/types';

/** One token per code point (the meter's calibration then scales it). */
export class CodePoints implements Tokenizer {
  readonly name = 'codepoints';
  readonly estimated = false;
  count(text: string): number {
    return Array.from(text).length;
  }
  prefixEnd(text: string, maxTokens: number): number {
    return Array.from(text).slice(0, Math.max(0, maxTokens)).join('').length;
  }
  suffixStart(text: string, maxTokens: number): number {
    const cps = Array.from(text);
    return text.length - cps.slice(cps.length - Math.max(0, Math.min(maxTokens, cps.length))).join('').length;
  }
  dispose(): void {}
}

/** A meter of `ratio` tokens per code point: 0.3 counts like the simulator's default model (ceil(0.3 x characters)). */
export function charMeter(ratio = 1): Meter {
  const tokenizer = new CodePoints();
  return new Meter(tokenizer, (t) => tokenizer.count(t), ratio);
}

/** A conversation of user/assistant pairs from request texts; answers are "Answer <n>: <text>". */
export function pairs(requests: readonly string[], answer = (r: string, i: number) => `Answer ${i + 1}: ${r}`): HistoryMessage[] {
  return requests.flatMap((r, i) => [
    { role: 'user' as const, content: r },
    { role: 'assistant' as const, content: answer(r, i) },
  ]);
}

/** Messages of exactly `n` characters (so `n` tokens with charMeter(1)). */
export function sized(costs: readonly number[]): HistoryMessage[] {
  return costs.map((n, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), content: 'x'.repeat(n) }));
}
