import { TherapistError } from '../../../errors';

/**
 * The served model's SentencePiece vocabulary (from `/api/show` verbose `model_info`, or a cached copy of it)
 * cannot be used to count exactly: wrong model type, missing or short arrays, duplicate tokens, malformed byte
 * tokens, an unusable BOS, or a corrupt cache. The caller falls back to the estimate and says so.
 */
export class SpmVocabError extends TherapistError {
  readonly code = 'spm-vocab';
  constructor(
    message: string,
    advice = 'Token counts for this model fall back to the estimate. Re-pull the model (`ollama pull <model>`) if this persists, and report the model name.',
  ) {
    super(message, advice, ['openLog']);
  }
}

/**
 * A character in the text is in the vocabulary neither as a token nor as byte tokens (`<0xHH>`), so llama.cpp
 * itself would refuse to tokenize it (it throws on the missing byte token). Never happens with byte-fallback
 * vocabularies such as Gemma, Llama 2 or Mistral.
 */
export class SpmUnencodableError extends TherapistError {
  readonly code = 'spm-unencodable';
  constructor(
    readonly codePoint: number,
    readonly offset: number,
  ) {
    super(
      `Character U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} at offset ${offset} cannot be tokenized: ` +
        'the model has neither a token nor byte tokens for it.',
      'Remove or replace that character; the model server would reject the text too.',
      ['openLog'],
    );
  }
}
