import { buildModelTokenizer, type ModelBpeTokenizer } from '../../../../../src/core/tokens/model';
import { GGUF_TOKEN_TYPE } from '../../../../../src/core/tokens/model/ggufVocab';
import { buildAlignedReference, loadTestVocab, type PreTrainedTokenizer, type TestVocabName } from '../../../../support/vocab/testVocabs';

// Shared by the BPE test files: one exact tokenizer per vocabulary per process (the vocabularies are 8-11 MB and
// each build takes ~100-300 ms), and the references they are compared with.

export const VOCABS: readonly TestVocabName[] = ['llama3', 'qwen3', 'deepseek_v3'];

const tokenizers = new Map<TestVocabName, ModelBpeTokenizer>();
const ordinaryReferences = new Map<TestVocabName, PreTrainedTokenizer>();

/** The exact tokenizer for a test vocabulary, built once per process (never dispose it). */
export function exactTokenizer(name: TestVocabName): ModelBpeTokenizer {
  let tok = tokenizers.get(name);
  if (!tok) {
    tok = buildModelTokenizer(loadTestVocab(name).vocab);
    tokenizers.set(name, tok);
  }
  return tok;
}

/** llama.cpp's ids for text, special-token strings matched (the aligned reference, no BOS). */
export function referenceIds(name: TestVocabName, text: string): number[] {
  return loadTestVocab(name).reference.encode(text, { add_special_tokens: false });
}

/**
 * The reference for llama.cpp's parse_special=false: without the tokens the GGUF marks control, which are read as
 * plain characters then; user-defined added tokens are still matched.
 */
export function ordinaryReference(name: TestVocabName): PreTrainedTokenizer {
  let ref = ordinaryReferences.get(name);
  if (!ref) {
    const { tokens, tokenType } = loadTestVocab(name).vocab;
    ref = buildAlignedReference(name, new Set(tokens.filter((_, i) => tokenType![i] === GGUF_TOKEN_TYPE.control)));
    ordinaryReferences.set(name, ref);
  }
  return ref;
}

/** The special-token texts of a vocabulary (control and user-defined). */
export function specialTexts(name: TestVocabName): string[] {
  const { tokens, tokenType } = loadTestVocab(name).vocab;
  return tokens.filter((_, i) => tokenType![i] === GGUF_TOKEN_TYPE.control || tokenType![i] === GGUF_TOKEN_TYPE.userDefined);
}
