import type { BpeModelData } from './bpeData';
import { LONG_PIECE_WEIGHT, LONG_RUN_WEIGHT, RankTable, RunClassifier, mergePiece, pieceWeight } from './longPieces';
import { jsPattern, type PreTokenizerSpec } from './preTokenizers';

const UTF8 = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The part of tiktoken's `Tiktoken` used here (tests and benches may pass their own). */
export interface TiktokenCore {
  encode_ordinary(text: string): Uint32Array;
  decode(tokens: Uint32Array): Uint8Array;
  free(): void;
}

/** Builds a tiktoken encoder from a rank file and a pattern. */
export type TiktokenFactory = (ranks: string, pattern: string) => TiktokenCore;

/**
 * tiktoken's own constructor, loaded on first use (its Node entry compiles the WASM when evaluated). The main entry
 * is used rather than 'tiktoken/lite': the GPT-2 counter already loads it, the extension bundle ships its WASM, and
 * both take custom ranks and a pattern.
 */
export const tiktokenFactory: TiktokenFactory = (ranks, pattern) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- must stay lazy, see above
  const { Tiktoken } = require('tiktoken') as typeof import('tiktoken');
  return new Tiktoken(ranks, {}, pattern);
};

/** A stretch of text encoded in one go, with its tokens (ranks, in order). */
export interface EncodedChunk {
  readonly from: number;
  readonly to: number;
  readonly ranks: Uint32Array | readonly number[];
  /** True when merged here (a long piece), false when tiktoken encoded it. */
  readonly merged: boolean;
}

/**
 * Byte-pair encoding of plain text (no special tokens): tiktoken with the model's ranks and folded pattern, plus
 * the exact slow path of longPieces.ts for text with long single-class runs.
 */
export class RawBpe {
  private readonly classifier: RunClassifier;
  private table: RankTable | undefined;
  private pieceRegex: RegExp | undefined;
  private freed = false;

  constructor(
    private readonly core: TiktokenCore,
    private readonly data: BpeModelData,
    private readonly spec: PreTokenizerSpec,
    /** A run this heavy takes the slow path (tests lower it to exercise that path on ordinary text). */
    private readonly longRunWeight = LONG_RUN_WEIGHT,
    /** Pieces this heavy are merged here, not by tiktoken (tests lower it to merge every piece here). */
    private readonly longPieceWeight = LONG_PIECE_WEIGHT,
  ) {
    this.classifier = RunClassifier.for(spec.runClasses);
  }

  /** Number of tokens in text[from, to). */
  count(text: string, from = 0, to = text.length): number {
    if (to <= from) return 0;
    const slice = from === 0 && to === text.length ? text : text.slice(from, to);
    if (!this.classifier.hasLongRun(slice, this.longRunWeight)) return this.core.encode_ordinary(slice).length;
    let n = 0;
    this.forEachChunk(slice, 0, (c) => {
      n += c.ranks.length;
      return false;
    });
    return n;
  }

  /**
   * Calls `visit` for each chunk of text[from, to) in order (each chunk starts and ends where the pre-tokenizer
   * ends a piece, so chunks are independent); stops early when `visit` returns true.
   */
  chunks(text: string, from: number, to: number, visit: (chunk: EncodedChunk) => boolean): void {
    if (to <= from) return;
    const slice = from === 0 && to === text.length ? text : text.slice(from, to);
    if (!this.classifier.hasLongRun(slice, this.longRunWeight)) {
      visit({ from, to, ranks: this.core.encode_ordinary(slice), merged: false });
      return;
    }
    this.forEachChunk(slice, from, visit);
  }

  /** UTF-8 byte length of the first `k` tokens of a chunk (or the last `k` with fromEnd). */
  byteLength(chunk: EncodedChunk, k: number, fromEnd = false): number {
    const { ranks } = chunk;
    const start = fromEnd ? ranks.length - k : 0;
    if (!chunk.merged) return this.core.decode((ranks as Uint32Array).subarray(start, start + k)).length;
    const table = this.rankTable();
    let bytes = 0;
    for (let i = start; i < start + k; i++) bytes += table.byteLength(ranks[i]);
    return bytes;
  }

  /** Token id of a rank. */
  idOf(rank: number): number {
    return this.data.rankToId ? this.data.rankToId[rank] : rank;
  }

  dispose(): void {
    if (this.freed) return;
    this.freed = true;
    this.core.free();
  }

  private rankTable(): RankTable {
    return (this.table ??= new RankTable(this.data.ranks));
  }

  private forEachChunk(text: string, offset: number, visit: (chunk: EncodedChunk) => boolean): void {
    // tiktoken (and Ollama's JSON decoding before llama.cpp) reads a lone surrogate as U+FFFD, a symbol; the
    // JavaScript regex would see an unassigned code point instead. Same length, so offsets do not move.
    const slice = text.replace(LONE_SURROGATE, '\uFFFD');
    const re = (this.pieceRegex ??= new RegExp(jsPattern(this.spec.pattern), 'gv'));
    re.lastIndex = 0;
    let cold = 0;
    let at = 0;
    let stop = false;
    const flushCold = (end: number) => {
      if (end > cold && !stop) {
        stop = visit({ from: offset + cold, to: offset + end, ranks: this.core.encode_ordinary(slice.slice(cold, end)), merged: false });
      }
      cold = end;
    };
    const piece = (start: number, end: number, gap: boolean) => {
      // A gap (text the pattern does not match; the patterns leave none) is a piece of its own, as in llama.cpp,
      // and never goes to tiktoken, which would drop it.
      if (!gap && pieceWeight(slice, start, end) < this.longPieceWeight) return;
      flushCold(start);
      if (!stop) {
        stop = visit({ from: offset + start, to: offset + end, ranks: mergePiece(UTF8.encode(slice.slice(start, end)), this.rankTable()), merged: true });
      }
      cold = end;
    };
    for (const m of slice.matchAll(re)) {
      if (stop) return;
      const start = m.index;
      if (start > at) piece(at, start, true);
      at = start + m[0].length;
      piece(start, at, false);
    }
    if (at < slice.length) piece(at, slice.length, true);
    flushCold(slice.length);
  }
}
