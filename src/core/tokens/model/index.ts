// The served model's own tokenizer, built from the GGUF vocabulary Ollama returns in `/api/show` verbose.
import { parseBpeCache } from './bpeCache';
import { buildBpeData } from './bpeData';
import { ModelBpeTokenizer, type ModelTokenizerOptions } from './bpeTokenizer';
import { readGgufVocab, type GgufVocab } from './ggufVocab';
import { readLoadExtras, type LoadExtras } from './tokenAttributes';

export * from './bpeCache';
export * from './bpeData';
export * from './bpeTokenizer';
export * from './ggufVocab';
export * from './modelTokenizerErrors';
export { readLoadExtras, type LoadExtras } from './tokenAttributes';
export { PRE_TOKENIZER_SPECS, SUPPORTED_PRE_TOKENIZERS, resolvePreTokenizer, type PreTokenizerSpec } from './preTokenizers';
export type { TiktokenCore, TiktokenFactory } from './rawBpe';

/** An exact byte-level BPE tokenizer for a GGUF vocabulary (throws the typed errors of modelTokenizerErrors.ts). */
export function buildModelTokenizer(vocab: GgufVocab, options?: ModelTokenizerOptions, extras?: LoadExtras): ModelBpeTokenizer {
  return new ModelBpeTokenizer(buildBpeData(vocab, extras), options);
}

/**
 * The exact tokenizer for an `/api/show` verbose `model_info`, or undefined when the answer carries no GGUF
 * vocabulary (safetensors/MLX and cloud models, or a non-verbose answer).
 */
export function modelTokenizerFromShow(modelInfo: Record<string, unknown> | undefined, options?: ModelTokenizerOptions): ModelBpeTokenizer | undefined {
  const vocab = readGgufVocab(modelInfo);
  return vocab ? buildModelTokenizer(vocab, options, readLoadExtras(modelInfo)) : undefined;
}

/** A tokenizer from serializeBpe's output (the disk cache); throws BpeCacheError when it is unreadable. */
export function loadBpe(serialized: string, options?: ModelTokenizerOptions): ModelBpeTokenizer {
  return new ModelBpeTokenizer(parseBpeCache(serialized), options);
}
