import { unitsForLeadingBytes, unitsForTrailingBytes } from './charClasses';
import { MAX_RUN_UNITS, forEachSlice, sliceCuts } from './slicing';
import type { GluedCount, Tokenizer } from './tokenizer';

/** The part of tiktoken's `Tiktoken` the engine uses (lets tests and benches pass their own instance). */
export interface Gpt2Encoding {
  encode_ordinary(text: string): Uint32Array;
  decode(tokens: Uint32Array): Uint8Array;
  free(): void;
}

/**
 * Loads tiktoken's GPT-2 encoding. tiktoken's Node entry compiles its WASM as soon as the module is
 * evaluated (about 40 ms, plus about 65 ms to build the encoding and 60 MB of memory), so the module is
 * required here, on first use, and never at the top of a file that the extension loads on activation.
 */
export function loadGpt2Encoding(): Gpt2Encoding {
  return loadTiktokenEncoding('gpt2');
}

/** The tiktoken vocabularies Therapist counts with: GPT-2 (TokenCounter's default) and cl100k (the model fallback's base). */
export type TiktokenEncodingName = 'gpt2' | 'cl100k_base';

/** Loads one of tiktoken's encodings, lazily like loadGpt2Encoding (cl100k: about 70 ms). */
export function loadTiktokenEncoding(name: TiktokenEncodingName): Gpt2Encoding {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- must stay lazy, see above
  const tiktoken = require('tiktoken') as typeof import('tiktoken');
  return tiktoken.get_encoding(name);
}

/**
 * Exact GPT-2 counts through tiktoken, linear on any input: long single-class runs are cut into
 * slices of at most MAX_RUN_UNITS (see slicing.ts), everything else is encoded in one call.
 * `encode_ordinary` treats `<|endoftext|>` in user text as plain characters, so it counts and never throws.
 */
export class TiktokenTokenizer implements Tokenizer {
  readonly estimated = false;
  // GPT-2's pre-tokenizer starts a piece at a non-space after a newline; slicing restarts at a class change.
  readonly splitsAfterNewline = true;
  private freed = false;
  // Per token id: 0 not yet known, 1 plain, 2 glues ASCII punctuation to something else (decoded on first sight).
  private gluedIds = new Uint8Array(0);

  constructor(
    private readonly encoding: Gpt2Encoding,
    private readonly maxRun = MAX_RUN_UNITS,
    /** Which vocabulary `encoding` is (cl100k's pre-tokenizer also starts a piece after a newline). */
    readonly name: TiktokenEncodingName = 'gpt2',
  ) {}

  count(text: string): number {
    if (text.length === 0) return 0;
    const cuts = sliceCuts(text, this.maxRun);
    if (cuts.length === 0) return this.encoding.encode_ordinary(text).length;
    let tokens = 0;
    forEachSlice(text, cuts, (start, end) => {
      tokens += this.encoding.encode_ordinary(text.slice(start, end)).length;
    });
    return tokens;
  }

  countGlued(text: string): GluedCount {
    const out = { tokens: 0, glued: 0 };
    if (text.length === 0) return out;
    forEachSlice(text, sliceCuts(text, this.maxRun), (start, end) => {
      const ids = this.encoding.encode_ordinary(start === 0 && end === text.length ? text : text.slice(start, end));
      out.tokens += ids.length;
      for (const id of ids) if (this.isGlued(id)) out.glued++;
    });
    return out;
  }

  private isGlued(id: number): boolean {
    if (id >= this.gluedIds.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.gluedIds.length * 2, 1024));
      grown.set(this.gluedIds);
      this.gluedIds = grown;
    }
    if (this.gluedIds[id] === 0) {
      const piece = DECODER.decode(this.encoding.decode(Uint32Array.of(id)));
      this.gluedIds[id] = ASCII_PUNCT.test(piece) && NOT_PUNCT.test(piece) ? 2 : 1;
    }
    return this.gluedIds[id] === 2;
  }

  prefixEnd(text: string, maxTokens: number): number {
    if (maxTokens <= 0 || text.length === 0) return 0;
    const bounds = sliceBounds(text, this.maxRun);
    let used = 0;
    for (let s = 0; s + 1 < bounds.length; s++) {
      const start = bounds[s];
      const end = bounds[s + 1];
      const tokens = this.encoding.encode_ordinary(text.slice(start, end));
      if (used + tokens.length <= maxTokens) {
        used += tokens.length;
        continue;
      }
      const bytes = this.encoding.decode(tokens.subarray(0, maxTokens - used)).length;
      return unitsForLeadingBytes(text, start, end, bytes);
    }
    return text.length;
  }

  suffixStart(text: string, maxTokens: number): number {
    if (maxTokens <= 0 || text.length === 0) return text.length;
    const bounds = sliceBounds(text, this.maxRun);
    let used = 0;
    for (let s = bounds.length - 1; s > 0; s--) {
      const start = bounds[s - 1];
      const end = bounds[s];
      const tokens = this.encoding.encode_ordinary(text.slice(start, end));
      if (used + tokens.length <= maxTokens) {
        used += tokens.length;
        continue;
      }
      const keep = maxTokens - used;
      const bytes = this.encoding.decode(tokens.subarray(tokens.length - keep)).length;
      return unitsForTrailingBytes(text, start, end, bytes);
    }
    return 0;
  }

  dispose(): void {
    if (this.freed) return;
    this.freed = true;
    this.encoding.free();
  }
}

const DECODER = new TextDecoder();
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;
// Anything but ASCII punctuation and the space a token may start with.
const NOT_PUNCT = /[^!-/:-@[-`{-~ ]/;

function sliceBounds(text: string, maxRun: number): number[] {
  return [0, ...sliceCuts(text, maxRun), text.length];
}
