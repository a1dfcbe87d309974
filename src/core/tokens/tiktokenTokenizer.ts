import { unitsForLeadingBytes, unitsForTrailingBytes } from './charClasses';
import { MAX_RUN_UNITS, forEachSlice, sliceCuts } from './slicing';
import type { Tokenizer } from './tokenizer';

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

function sliceBounds(text: string, maxRun: number): number[] {
  return [0, ...sliceCuts(text, maxRun), text.length];
}
