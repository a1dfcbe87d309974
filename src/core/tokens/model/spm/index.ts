// Exact SentencePiece ("llama" GGUF vocabulary) token counts, as llama-server computes them (see README.md).
export { createSpmTokenizer } from './spmBuild';
export { loadSpm, serializeSpm } from './spmCache';
export { type SpmSettings } from './spmAttributes';
export { SpmUnencodableError, SpmVocabError } from './spmErrors';
export { SpmTokenizer, type SpmTokenizeOptions } from './spmTokenizer';
