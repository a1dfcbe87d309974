import { unitsForLeadingBytes, unitsForTrailingBytes } from '../charClasses';
import type { Tokenizer } from '../tokenizer';
import type { BpeModelData } from './bpeData';
import { resolvePreTokenizer } from './preTokenizers';
import { RawBpe, tiktokenFactory, type EncodedChunk, type TiktokenFactory } from './rawBpe';
import { SpecialTokenMatcher, type TextSegment } from './specialTokens';

/** One piece of a rendered prompt: plain text, or a special token the server matches in it. */
export interface PromptPiece {
  readonly text: string;
  /** The special token's id, when this piece is one. */
  readonly special?: number;
}

/** How Ollama prepares a rendered prompt before llama-server tokenizes it. */
export interface CountPromptOptions {
  /**
   * The textual BOS a Go renderer put first (Ollama's `LeadingBOS`): removed when the server adds the BOS itself,
   * as Ollama's completionPrompt (llm/llama_server.go) does; a leading "<bos>" is removed in any case then.
   */
  leadingBos?: string;
}

export interface ModelTokenizerOptions {
  /** tiktoken's constructor (default: the 'tiktoken' package, loaded on first use). */
  tiktoken?: TiktokenFactory;
  /** Weight of a single-class run that takes the exact slow path (default LONG_RUN_WEIGHT; tests lower it). */
  longRunWeight?: number;
  /** Weight of a piece merged in JavaScript on the slow path (default LONG_PIECE_WEIGHT; tests lower it). */
  longPieceWeight?: number;
}

// Rounds for prefixEnd/suffixStart when the shortened text re-tokenizes to more tokens than its cut predicted.
const MAX_REFITS = 8;

/**
 * The served model's own byte-level BPE tokenizer, counting what llama.cpp counts (see preTokenizers.ts for the
 * splitting and bpeData.ts for the vocabulary), on tiktoken's core.
 *
 * `count` is the Tokenizer contract: ordinary text, where llama.cpp with parse_special=false still matches
 * user-defined tokens (Qwen's `<think>`) but reads control tokens (`<|im_end|>`) as characters. `countPrompt` is
 * what llama-server counts for a whole rendered prompt: Ollama sends the rendered template as a string to
 * /completion, and llama-server tokenizes it with add_special=true and parse_special=true (handle_completions_impl ->
 * tokenize_input_prompts(vocab, mctx, prompt, true, true)), so a user's literal `<|im_end|>` there is ONE token.
 */
export class ModelBpeTokenizer implements Tokenizer {
  readonly kind = 'bpe';
  readonly estimated = false;
  readonly name: string;
  /** `tokenizer.ggml.pre` ('' when the GGUF has none). */
  readonly pre: string;
  /** The pre-tokenizer family (preTokenizers.ts). */
  readonly family: string;
  readonly splitsAfterNewline: boolean;
  /** Tokens countPrompt adds around the text: BOS and/or EOS. */
  readonly addedTokens: number;
  private readonly raw: RawBpe;
  private readonly ordinary: SpecialTokenMatcher;
  private readonly prompt: SpecialTokenMatcher;

  constructor(
    private readonly data: BpeModelData,
    options: ModelTokenizerOptions = {},
  ) {
    const spec = resolvePreTokenizer(data.pre);
    this.pre = data.pre;
    this.family = spec.family;
    this.name = `bpe:${data.pre || 'default'}`;
    this.splitsAfterNewline = spec.splitsAfterNewline;
    this.addedTokens = (data.addBos ? 1 : 0) + (data.addEos && data.eosId !== undefined ? 1 : 0);
    this.ordinary = new SpecialTokenMatcher(data.specials.filter((s) => !s.control));
    this.prompt = new SpecialTokenMatcher(data.specials);
    this.raw = new RawBpe((options.tiktoken ?? tiktokenFactory)(data.ranks, spec.pattern), data, spec, options.longRunWeight, options.longPieceWeight);
  }

  /** The data this tokenizer was built from (what serializeBpe stores). */
  get modelData(): BpeModelData {
    return this.data;
  }

  count(text: string): number {
    return this.countSegments(text, this.ordinary.split(text));
  }

  /** Tokens in plain text with no special-token matching at all (a piece of splitPrompt's output). */
  countText(text: string): number {
    return this.raw.count(text);
  }

  /** Tokens llama-server evaluates for this rendered prompt: special tokens matched, BOS/EOS added (see class doc). */
  countPrompt(rendered: string, options: CountPromptOptions = {}): number {
    const text = this.serverPrompt(rendered, options);
    return this.countSegments(text, this.prompt.split(text)) + this.addedTokens;
  }

  /**
   * The rendered prompt cut where the server matches special tokens: plain pieces are independent (count them
   * with countText and cache them), each special piece is one token. countPrompt = addedTokens + the sum.
   */
  splitPrompt(rendered: string, options: CountPromptOptions = {}): PromptPiece[] {
    const text = this.serverPrompt(rendered, options);
    return this.prompt
      .split(text)
      .map((s) => (s.special === undefined ? { text: text.slice(s.start, s.end) } : { text: text.slice(s.start, s.end), special: s.special }));
  }

  /**
   * Token ids as llama_tokenize(text, addSpecial, parseSpecial) returns them (BOS/EOS only with addSpecial;
   * control tokens matched only with parseSpecial).
   */
  encode(text: string, options: { addSpecial?: boolean; parseSpecial?: boolean } = {}): number[] {
    const ids: number[] = [];
    if (options.addSpecial && this.data.addBos) ids.push(this.data.bosId);
    for (const seg of (options.parseSpecial ? this.prompt : this.ordinary).split(text)) {
      if (seg.special !== undefined) ids.push(seg.special);
      else
        this.raw.chunks(text, seg.start, seg.end, (c) => {
          for (const r of c.ranks) ids.push(this.raw.idOf(r));
          return false;
        });
    }
    if (options.addSpecial && this.data.addEos && this.data.eosId !== undefined) ids.push(this.data.eosId);
    return ids;
  }

  prefixEnd(text: string, maxTokens: number): number {
    if (maxTokens <= 0 || text.length === 0) return 0;
    let used = 0;
    for (const seg of this.ordinary.split(text)) {
      if (seg.special !== undefined) {
        if (used + 1 > maxTokens) return seg.start;
        used++;
        continue;
      }
      const cut = this.prefixInRaw(text, seg.start, seg.end, maxTokens - used);
      if (cut.end !== undefined) return cut.end;
      used += cut.tokens;
    }
    return text.length;
  }

  suffixStart(text: string, maxTokens: number): number {
    if (maxTokens <= 0 || text.length === 0) return text.length;
    let used = 0;
    const segments = this.ordinary.split(text);
    for (let i = segments.length - 1; i >= 0; i--) {
      const seg = segments[i];
      if (seg.special !== undefined) {
        if (used + 1 > maxTokens) return seg.end;
        used++;
        continue;
      }
      const cut = this.suffixInRaw(text, seg.start, seg.end, maxTokens - used);
      if (cut.start !== undefined) return cut.start;
      used += cut.tokens;
    }
    return 0;
  }

  dispose(): void {
    this.raw.dispose();
  }

  private serverPrompt(rendered: string, options: CountPromptOptions): string {
    if (!this.data.addBos) return rendered;
    if (options.leadingBos && rendered.startsWith(options.leadingBos)) return rendered.slice(options.leadingBos.length);
    return rendered.startsWith('<bos>') ? rendered.slice('<bos>'.length) : rendered;
  }

  private countSegments(text: string, segments: readonly TextSegment[]): number {
    let n = 0;
    for (const seg of segments) n += seg.special !== undefined ? 1 : this.raw.count(text, seg.start, seg.end);
    return n;
  }

  /**
   * Where the longest prefix of text[from, to) with at most `budget` tokens ends (undefined when all of it fits,
   * with the range's token count). The cut is checked by re-counting the shortened chunk on its own (the chunks
   * before it are unaffected) and moved back until it holds.
   */
  private prefixInRaw(text: string, from: number, to: number, budget: number): { end?: number; tokens: number } {
    const first = this.prefixCandidate(text, from, to, budget);
    if (first.end === undefined) return { tokens: first.tokens };
    const { base, left } = first;
    let end = first.end;
    for (let round = 0; round < MAX_REFITS; round++) {
      if (end <= base || this.raw.count(text, base, end) <= left) return { end, tokens: budget };
      end = this.prefixCandidate(text, base, end, left).end ?? base;
    }
    return { end: base, tokens: budget };
  }

  /** The cut the tokens of text[from, to) suggest, unchecked; `base` is where its chunk starts. */
  private prefixCandidate(text: string, from: number, to: number, budget: number): { end?: number; tokens: number; base: number; left: number } {
    let used = 0;
    let result: { end?: number; tokens: number; base: number; left: number } | undefined;
    this.raw.chunks(text, from, to, (c) => {
      if (used + c.ranks.length <= budget) {
        used += c.ranks.length;
        return false;
      }
      const left = budget - used;
      result = { end: unitsForLeadingBytes(text, c.from, c.to, this.raw.byteLength(c, left)), tokens: budget, base: c.from, left };
      return true;
    });
    return result ?? { tokens: used, base: from, left: budget };
  }

  /** The mirror of prefixInRaw: where the longest suffix of text[from, to) with at most `budget` tokens starts. */
  private suffixInRaw(text: string, from: number, to: number, budget: number): { start?: number; tokens: number } {
    const first = this.suffixCandidate(text, from, to, budget);
    if (first.start === undefined) return { tokens: first.tokens };
    const { base, left } = first;
    let start = first.start;
    for (let round = 0; round < MAX_REFITS; round++) {
      if (start >= base || this.raw.count(text, start, base) <= left) return { start, tokens: budget };
      start = this.suffixCandidate(text, start, base, left).start ?? base;
    }
    return { start: base, tokens: budget };
  }

  /** The cut the last tokens of text[from, to) suggest, unchecked; `base` is where its chunk ends. */
  private suffixCandidate(text: string, from: number, to: number, budget: number): { start?: number; tokens: number; base: number; left: number } {
    const chunks: EncodedChunk[] = [];
    this.raw.chunks(text, from, to, (c) => {
      chunks.push(c);
      return false;
    });
    let used = 0;
    for (let i = chunks.length - 1; i >= 0; i--) {
      const c = chunks[i];
      if (used + c.ranks.length <= budget) {
        used += c.ranks.length;
        continue;
      }
      const left = budget - used;
      return { start: unitsForTrailingBytes(text, c.from, c.to, this.raw.byteLength(c, left, true)), tokens: budget, base: c.to, left };
    }
    return { tokens: used, base: to, left: budget };
  }
}
