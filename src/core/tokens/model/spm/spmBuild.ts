import type { GgufVocab } from '../ggufVocab';
import type { LoadExtras } from '../tokenAttributes';
import { loadSpmAttributes } from './spmAttributes';
import { SpmVocabError } from './spmErrors';
import { SpmTokenizer, wellFormed } from './spmTokenizer';
import { buildSpmTable } from './spmVocabTable';

/**
 * Builds the exact SentencePiece tokenizer of a model from the GGUF arrays in `/api/show` verbose `model_info`
 * (`readGgufVocab`), plus the few keys GgufVocab does not carry (`readLoadExtras`). Throws SpmVocabError when the
 * vocabulary is not "llama", or its arrays are missing, short, duplicated or malformed.
 */
export function createSpmTokenizer(vocab: GgufVocab, extras: LoadExtras = {}): SpmTokenizer {
  if (vocab.model !== 'llama') {
    throw new SpmVocabError(
      `tokenizer.ggml.model is ${JSON.stringify(vocab.model)}; the SentencePiece tokenizer reads only "llama" vocabularies.`,
      'Use the tokenizer for that model type (byte-level BPE for "gpt2"); counts fall back to the estimate meanwhile.',
    );
  }
  const size = vocab.tokens.length;
  if (size === 0) throw new SpmVocabError('tokenizer.ggml.tokens is empty.');
  const scores = vocab.scores;
  if (!scores) {
    throw new SpmVocabError(
      `tokenizer.ggml.scores is missing for a ${size}-token SentencePiece vocabulary: the merge order cannot be known.`,
      'Fetch the model with `/api/show` and "verbose": true (without it the arrays come back empty).',
    );
  }
  if (scores.length < size) {
    throw new SpmVocabError(`tokenizer.ggml.scores has ${scores.length} entries for ${size} tokens.`);
  }
  if (vocab.tokenType && vocab.tokenType.length < size) {
    throw new SpmVocabError(`tokenizer.ggml.token_type has ${vocab.tokenType.length} entries for ${size} tokens.`);
  }
  // llama.cpp renames empty tokens; a token text can only be looked up well-formed, as input is (wellFormed).
  const tokens = vocab.tokens.map((t, i) => (t.length === 0 ? `[EMPTY_${i}]` : wellFormed(t)));
  const load = loadSpmAttributes(vocab, tokens, extras);
  const widened = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const s = scores[i];
    if (typeof s !== 'number' || !Number.isFinite(s)) throw new SpmVocabError(`tokenizer.ggml.scores[${i}] is ${String(s)}, not a finite number.`);
    widened[i] = Math.fround(s);
  }
  const table = buildSpmTable(tokens, widened, load.attrs);
  return new SpmTokenizer({ table, settings: load.settings, specials: load.specials });
}
