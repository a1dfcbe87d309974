import { TherapistError } from '../../errors';

// Why a served model's own tokenizer could not be built. Every one of these is caught by the caller, which then
// counts with the cl100k estimate and labels counts as estimates; the message says exactly what was found.

const FALLBACK = 'Therapist counts this model with labelled estimates (cl100k tokens, calibrated per content class) instead of exact counts.';

/** `tokenizer.ggml.model` is not byte-level BPE ("gpt2"): for example "bert" (WordPiece) or "t5" (Unigram). */
export class UnsupportedTokenizerModelError extends TherapistError {
  readonly code = 'tokenizer-model-unsupported';
  constructor(readonly tokenizerModel: string) {
    super(`The model's tokenizer is "${tokenizerModel}" (tokenizer.ggml.model), not byte-level BPE ("gpt2").`, FALLBACK, ['openLog']);
  }
}

/** `tokenizer.ggml.pre` names a pre-tokenizer Therapist has no exact pattern for (or is missing). */
export class UnknownPreTokenizerError extends TherapistError {
  readonly code = 'pre-tokenizer-unknown';
  constructor(
    readonly pre: string | undefined,
    readonly supported: readonly string[],
  ) {
    super(
      pre === undefined
        ? 'The model has no pre-tokenizer name (tokenizer.ggml.pre is missing), so its splitting rules are unknown.'
        : `The model's pre-tokenizer "${pre}" (tokenizer.ggml.pre) is not one of the ${supported.length} Therapist knows.`,
      FALLBACK,
      ['openLog'],
    );
  }
}

/** What is wrong with a vocabulary. */
export type VocabProblem = 'missingMerges' | 'badMerge' | 'notByteLevel' | 'missingByteTokens' | 'tokenTypeLength' | 'badTokenId' | 'duplicateToken';

/** The GGUF tokenizer arrays are incomplete or inconsistent, so an exact count cannot be promised. */
export class InvalidVocabError extends TherapistError {
  readonly code = 'vocab-invalid';
  constructor(
    readonly problem: VocabProblem,
    detail: string,
  ) {
    super(`The model's tokenizer data is unusable (${problem}): ${detail}.`, FALLBACK, ['openLog']);
  }
}

/** A cached tokenizer (serializeBpe output) is damaged or from another format version. */
export class BpeCacheError extends TherapistError {
  readonly code = 'bpe-cache-invalid';
  constructor(detail: string) {
    super(`The cached tokenizer cannot be read: ${detail}.`, 'Delete the cached file; Therapist rebuilds it from the model (/api/show) on the next request.', [
      'openLog',
    ]);
  }
}
