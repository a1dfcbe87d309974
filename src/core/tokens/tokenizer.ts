/**
 * The tokenizer seen by the budget logic. Production uses GPT-2 through tiktoken (tiktokenTokenizer.ts) or,
 * when that cannot load, a conservative estimate (estimateTokenizer.ts); tests inject predictable fakes.
 */
export interface Tokenizer {
  /** Short name for logs and reports: 'gpt2', 'estimate', or a fake's name. */
  readonly name: string;
  /** True when counts are estimates (the UI must label them so). */
  readonly estimated: boolean;
  /** Tokens in `text`, counted as ordinary text (special-token strings are plain characters). */
  count(text: string): number;
  /**
   * UTF-16 offset where the longest prefix of `text` holding at most `maxTokens` tokens ends, on a
   * code point boundary. A best guess on a token boundary: callers verify with `count` and retry.
   */
  prefixEnd(text: string, maxTokens: number): number;
  /** UTF-16 offset where the longest suffix holding at most `maxTokens` tokens starts (same contract). */
  suffixStart(text: string, maxTokens: number): number;
  /**
   * True when a text ending in "\n" followed by a non-whitespace character always starts a new token there
   * (count(a + b) = count(a + "x") - count("x") + count(b)); lets the context block be counted once.
   */
  readonly splitsAfterNewline?: boolean;
  /**
   * Tokens in `text`, and how many of them glue ASCII punctuation to other characters ("(foo", ".js"): the
   * fallback's punctuation correction (contentClasses.ts). Only tokenizers that can tell (tiktoken) have it.
   */
  countGlued?(text: string): GluedCount;
  /** Releases native/WASM memory. The tokenizer must not be used afterwards. */
  dispose(): void;
}

/** A count with its glued tokens (Tokenizer.countGlued). */
export interface GluedCount {
  tokens: number;
  glued: number;
}
