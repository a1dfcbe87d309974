import { CharClass, classAt } from './charClasses';
import type { Meter } from './meter';
import { calibrate } from './meter';
import { fitText } from './truncation';
import type { ChunkReport, ContextChunk } from './types';

/** How context chunks are joined: each kept chunk is followed by this, then comes the user's message. */
export const CONTEXT_SEPARATOR = '\n\n';
/** A partial chunk must keep at least this many tokens (with its marker) to be worth sending. */
export const MIN_PARTIAL_CHUNK_TOKENS = 32;
/**
 * GPT-2 tokens allowed per chunk boundary while choosing chunks: joining texts can merge or split tokens
 * at the seam (`\n\n` before a word is 2 tokens, not 1). The exact count of the joined block is checked after.
 */
export const BOUNDARY_SLACK_TOKENS = 1;

/** The context block as it goes into the user message, before the user's own text. */
export function contextBlock(chunks: readonly string[]): string {
  let out = '';
  for (const c of chunks) out += c + CONTEXT_SEPARATOR;
  return out;
}

/** Stands for "any user text starting with a non-space" when the block is counted apart from the user text. */
const SEAM_PROBE = 'x';

/**
 * Model tokens the context adds to the user message: count(block + userInput) - count(userInput), both
 * calibrated. This is what tokenUsage.context reports, so that user + context is the exact count of the
 * user message's content as sent. When the tokenizer splits after a newline (GPT-2 and the estimate do:
 * the block ends with "\n" and a non-space character always starts a new pre-tokenizer piece),
 * count(block + user) = count(block + "x") - count("x") + count(user), all cached: a new question over the
 * same chunks (every keystroke in the panel) does not re-encode the whole block.
 */
export function contextTokens(meter: Meter, chunks: readonly string[], userInput: string): number {
  if (chunks.length === 0) return 0;
  const block = contextBlock(chunks);
  // A per-class calibration measures the joined text by its runs; the block ends in a whitespace run, so the
  // block's runs are the same strings every time and their counts come from the cache.
  if (typeof meter.calibration !== 'number') return meter.measure(block + userInput) - meter.measure(userInput);
  const userRaw = meter.countRaw(userInput);
  const startsWord = userInput.length > 0 && classAt(userInput, 0) !== CharClass.Space;
  const joinedRaw =
    meter.tokenizer.splitsAfterNewline && startsWord
      ? meter.countRaw(block + SEAM_PROBE) - meter.countRaw(SEAM_PROBE) + userRaw
      : meter.countRaw(block + userInput);
  return calibrate(joinedRaw, meter.calibration) - calibrate(userRaw, meter.calibration);
}

/** What a chunk's boundary may cost on top of its own text: the separator and the seam slack. */
function seamCost(meter: Meter): number {
  const cal = meter.calibration;
  return typeof cal === 'number'
    ? calibrate(meter.countRaw(CONTEXT_SEPARATOR) + BOUNDARY_SLACK_TOKENS, cal)
    : meter.measure(CONTEXT_SEPARATOR) + meter.scaleRaw(BOUNDARY_SLACK_TOKENS);
}

export interface RankedChunk {
  index: number;
  text: string;
  relevance?: number;
  source?: string;
  id?: string;
  /** Model tokens of the text alone. */
  tokens: number;
  /** Planned cost in the block: text + separator + boundary slack. */
  cost: number;
}

/** A chunk's planned cost in the context block: its tokens, the separator and the seam slack. */
export function chunkCost(text: string, meter: Meter): number {
  return typeof meter.calibration === 'number'
    ? calibrate(meter.countRaw(text) + meter.countRaw(CONTEXT_SEPARATOR) + BOUNDARY_SLACK_TOKENS, meter.calibration)
    : meter.measure(text) + seamCost(meter);
}

/** Chunks as records, empty ones left out, most relevant first: with a relevance (higher first), then the rest by position. */
export function rankChunks(chunks: readonly ContextChunk[], meter: Meter): RankedChunk[] {
  const out: RankedChunk[] = [];
  chunks.forEach((chunk, index) => {
    const c = typeof chunk === 'string' ? { text: chunk } : chunk;
    const text = typeof c.text === 'string' ? c.text : String(c.text ?? '');
    // An empty chunk carries nothing: it is neither sent nor reported.
    if (text.length === 0) return;
    const relevance = typeof c.relevance === 'number' && !Number.isNaN(c.relevance) ? c.relevance : undefined;
    out.push({ index, text, relevance, source: c.source, id: c.id, tokens: meter.measure(text), cost: chunkCost(text, meter) });
  });
  return out.sort((a, b) => {
    if (a.relevance !== undefined && b.relevance !== undefined && a.relevance !== b.relevance) return b.relevance - a.relevance;
    if ((a.relevance === undefined) !== (b.relevance === undefined)) return a.relevance === undefined ? 1 : -1;
    return a.index - b.index;
  });
}

function report(c: RankedChunk, keptTokens: number, status: ChunkReport['status']): ChunkReport {
  return { index: c.index, id: c.id, source: c.source, relevance: c.relevance, tokens: c.tokens, keptTokens, status };
}

export interface ContextFit {
  /** Kept chunks in the caller's order (the least relevant kept one may be cut). */
  kept: { index: number; text: string }[];
  /** Dropped or cut chunks, most relevant first. */
  dropped: ChunkReport[];
  /** Exact model tokens the kept block adds to the user message (see contextTokens). */
  tokens: number;
}

/**
 * Fills `room` with whole chunks, most relevant first; the first chunk that does not fit is cut (if a
 * useful part fits) and all less relevant ones are dropped. Then the joined block is counted exactly and,
 * in the rare case that seams cost more than the slack allowed, the least relevant kept chunk is dropped.
 */
export function fitContext(ranked: readonly RankedChunk[], maxChunks: number, room: number, userInput: string, meter: Meter): ContextFit {
  const seam = seamCost(meter);
  const kept: { chunk: RankedChunk; text: string; cut: boolean }[] = [];
  const dropped = new Map<RankedChunk, ChunkReport>();
  let left = room;
  let stopped = false;
  ranked.forEach((c, rank) => {
    if (stopped || rank >= maxChunks) {
      dropped.set(c, report(c, 0, 'dropped'));
      return;
    }
    if (c.cost <= left) {
      kept.push({ chunk: c, text: c.text, cut: false });
      left -= c.cost;
      return;
    }
    stopped = true;
    if (left - seam >= MIN_PARTIAL_CHUNK_TOKENS) {
      const fit = fitText(c.text, left - seam, meter, 'head');
      if (fit.text.length > 0) {
        kept.push({ chunk: c, text: fit.text, cut: true });
        dropped.set(c, report(c, fit.tokens, 'cut'));
        return;
      }
    }
    dropped.set(c, report(c, 0, 'dropped'));
  });

  const inOrder = () => [...kept].sort((a, b) => a.chunk.index - b.chunk.index).map((k) => k.text);
  let tokens = contextTokens(meter, inOrder(), userInput);
  while (tokens > room && kept.length > 0) {
    const last = kept.pop()!;
    dropped.set(last.chunk, report(last.chunk, 0, 'dropped'));
    tokens = contextTokens(meter, inOrder(), userInput);
  }
  const rankOf = new Map(ranked.map((c, i) => [c.index, i]));
  return {
    kept: kept.map((k) => ({ index: k.chunk.index, text: k.text })).sort((a, b) => a.index - b.index),
    dropped: [...dropped.values()].sort((a, b) => rankOf.get(a.index)! - rankOf.get(b.index)!),
    tokens,
  };
}
