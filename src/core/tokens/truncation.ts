import { graphemeCeil, graphemeFloor } from './graphemes';
import type { Meter } from './meter';

/** The marker appended where text was cut; its own tokens are counted in the cut text. */
export function cutMarker(removedTokens: number): string {
  return `[... ${removedTokens} tokens truncated ...]`;
}

/** A text after fitting it into a budget. */
export interface CutResult {
  text: string;
  /** Model tokens of `text` (a fresh count). */
  tokens: number;
  /** Model tokens of the original text. */
  originalTokens: number;
  /** True when the text changed (cut, or dropped entirely). */
  cut: boolean;
}

/** Where to keep text when cutting: the start (context, system prompt) or both ends (the user's message). */
export type CutMode = 'head' | 'middle';

const MAX_ATTEMPTS = 16;

/**
 * Fits `text` into `budget` model tokens. If it is too long, keeps the start (`head`) or the start and the
 * end (`middle`) on token boundaries, snapped back to grapheme boundaries, and marks the cut with
 * `[... N tokens truncated ...]` (N in model tokens). The result is verified with a fresh count; if
 * re-tokenizing the joined text costs more than planned, the kept part shrinks and the cut is redone.
 * When not even the marker and one token of the text fit, the text is dropped (empty, 0 tokens).
 */
export function fitText(text: string, budget: number, meter: Meter, mode: CutMode = 'head'): CutResult {
  const originalTokens = meter.measure(text);
  if (originalTokens <= budget || text.length === 0) return { text, tokens: originalTokens, originalTokens, cut: false };
  const dropped: CutResult = { text: '', tokens: 0, originalTokens, cut: true };
  let room = budget;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && room > 0; attempt++) {
    // The marker is sized for the largest number it could show, so it never grows after the cut.
    const markerTokens = meter.measure(decorate(cutMarker(originalTokens), mode, true, true));
    const keepBudget = room - markerTokens;
    if (keepBudget <= 0) return dropped;
    const candidate = mode === 'head' ? cutHead(text, keepBudget, meter, originalTokens) : cutMiddle(text, keepBudget, meter, originalTokens);
    // A marker with nothing of the text around it says nothing: drop the text instead.
    if (candidate === undefined) return dropped;
    const tokens = meter.measure(candidate);
    if (tokens <= budget) return { text: candidate, tokens, originalTokens, cut: true };
    room -= Math.max(1, tokens - budget);
  }
  return dropped;
}

function decorate(marker: string, mode: CutMode, hasHead: boolean, hasTail: boolean): string {
  if (mode === 'head') return hasHead ? `\n${marker}` : marker;
  return `${hasHead ? '\n' : ''}${marker}${hasTail ? '\n' : ''}`;
}

function cutHead(text: string, keepBudget: number, meter: Meter, originalTokens: number): string | undefined {
  const end = graphemeFloor(text, meter.tokenizer.prefixEnd(text, meter.rawBudget(keepBudget, text)));
  if (end === 0) return undefined;
  const head = text.slice(0, end);
  const removed = Math.max(1, originalTokens - meter.measure(head));
  return head + decorate(cutMarker(removed), 'head', head.length > 0, false);
}

function cutMiddle(text: string, keepBudget: number, meter: Meter, originalTokens: number): string | undefined {
  // Half for the start, half for the end: a question is often at one end of a pasted block.
  const headBudget = Math.ceil(keepBudget / 2);
  const tailBudget = keepBudget - headBudget;
  const end = graphemeFloor(text, meter.tokenizer.prefixEnd(text, meter.rawBudget(headBudget, text)));
  let start = tailBudget > 0 ? graphemeCeil(text, meter.tokenizer.suffixStart(text, meter.rawBudget(tailBudget, text))) : text.length;
  if (start < end) start = end;
  // Too little room for a grapheme at each end: spend all of it on the start.
  if (end === 0 && start === text.length) return cutHead(text, keepBudget, meter, originalTokens);
  const head = text.slice(0, end);
  const tail = text.slice(start);
  const removed = Math.max(1, originalTokens - meter.measure(head) - meter.measure(tail));
  return head + decorate(cutMarker(removed), 'middle', head.length > 0, tail.length > 0) + tail;
}

/**
 * The smallest budget in which `fitText` keeps anything of `text` (for PromptTooLargeError's numbers).
 * Gallops up from `from`: only called on the error path, where the answer is a few tokens away.
 */
export function smallestKeepingBudget(text: string, from: number, meter: Meter, mode: CutMode): number {
  const total = meter.measure(text);
  const keeps = (b: number) => b >= total || fitText(text, b, meter, mode).text.length > 0;
  let lo = Math.max(0, from);
  let step = 1;
  let hi = lo + step;
  while (!keeps(hi)) {
    lo = hi;
    step *= 2;
    hi = Math.min(total, lo + step);
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (keeps(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
