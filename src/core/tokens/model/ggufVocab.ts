// The served model's own tokenizer as Ollama reports it: `/api/show` with `"verbose": true` puts the GGUF
// key/value map in `model_info`, arrays included (shared/ollama-wire.md). These are the keys Therapist reads.

/** GGUF `tokenizer.ggml.token_type` values (llama.cpp's llama_token_type). */
export const GGUF_TOKEN_TYPE = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

/** The tokenizer of one model, read from the GGUF keys in `/api/show` verbose `model_info`. */
export interface GgufVocab {
  /** `tokenizer.ggml.model`: "gpt2" = byte-level BPE, "llama" = SentencePiece; others are not supported. */
  model: string;
  /** `tokenizer.ggml.pre`: the pre-tokenizer ("llama-bpe", "qwen2", "deepseek-v3", ...); absent for SentencePiece. */
  pre?: string;
  /** `tokenizer.ggml.tokens`, in id order. */
  tokens: string[];
  /** `tokenizer.ggml.token_type`, one per token (see GGUF_TOKEN_TYPE). */
  tokenType?: number[];
  /** `tokenizer.ggml.merges` ("a b" strings, BPE only), highest priority first. */
  merges?: string[];
  /** `tokenizer.ggml.scores` (SentencePiece only), one per token. */
  scores?: number[];
  bosTokenId?: number;
  eosTokenId?: number;
  unknownTokenId?: number;
  /** `tokenizer.ggml.add_bos_token`: the runner puts BOS before the prompt. */
  addBosToken?: boolean;
  addEosToken?: boolean;
  /** `tokenizer.ggml.add_space_prefix` (SentencePiece): a space is put before the text. */
  addSpacePrefix?: boolean;
  /** `tokenizer.ggml.remove_extra_whitespaces` (SentencePiece). */
  removeExtraWhitespaces?: boolean;
}

const PREFIX = 'tokenizer.ggml.';

/**
 * Reads the tokenizer keys from an `/api/show` verbose `model_info`. Returns undefined when the model has no
 * usable GGUF tokenizer (safetensors/MLX and cloud models, or a non-verbose answer whose arrays are null).
 */
export function readGgufVocab(modelInfo: Record<string, unknown> | undefined): GgufVocab | undefined {
  if (!modelInfo) return undefined;
  const model = modelInfo[`${PREFIX}model`];
  const tokens = modelInfo[`${PREFIX}tokens`];
  if (typeof model !== 'string' || !Array.isArray(tokens) || tokens.length === 0) return undefined;
  if (!tokens.every((t) => typeof t === 'string')) return undefined;
  const numbers = (key: string): number[] | undefined => {
    const v = modelInfo[`${PREFIX}${key}`];
    return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
  };
  const strings = (key: string): string[] | undefined => {
    const v = modelInfo[`${PREFIX}${key}`];
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  };
  const int = (key: string): number | undefined => {
    const v = modelInfo[`${PREFIX}${key}`];
    return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  };
  const bool = (key: string): boolean | undefined => {
    const v = modelInfo[`${PREFIX}${key}`];
    return typeof v === 'boolean' ? v : undefined;
  };
  const pre = modelInfo[`${PREFIX}pre`];
  return {
    model,
    pre: typeof pre === 'string' ? pre : undefined,
    tokens: tokens as string[],
    tokenType: numbers('token_type'),
    merges: strings('merges'),
    scores: numbers('scores'),
    bosTokenId: int('bos_token_id'),
    eosTokenId: int('eos_token_id'),
    unknownTokenId: int('unknown_token_id'),
    addBosToken: bool('add_bos_token'),
    addEosToken: bool('add_eos_token'),
    addSpacePrefix: bool('add_space_prefix'),
    removeExtraWhitespaces: bool('remove_extra_whitespaces'),
  };
}
