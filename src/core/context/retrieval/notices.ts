import type { IndexNotice } from './types';

// The words of every index notice, written once here; the UI shows `message` and `advice` as they are and
// reads the numbers from `details`, never from the sentence.

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

/** The note the panel shows while semantic search is off because the model is not installed. */
export function pullNote(model: string): string {
  return `\`ollama pull ${model}\` for semantic search`;
}

/** Every notice the index raises, by code. */
export const notices = {
  fileTooLarge: (count: number, example: string, bytes: number, limit: number): IndexNotice => ({
    code: 'file-too-large',
    message:
      count === 1
        ? `${example} was not indexed: it has ${mb(bytes)}, over the ${mb(limit)} limit per file.`
        : `${count} files were not indexed: each is over the ${mb(limit)} limit per file (for example ${example}, ${mb(bytes)}).`,
    advice: 'Raise the per-file limit (maxFileBytes) to index them, or exclude them in files.exclude.',
    details: { count, example, bytes, limit },
  }),
  tooManyFiles: (listed: number, limit: number): IndexNotice => ({
    code: 'too-many-files',
    message: `Only the first ${limit} of ${listed} files were indexed (the file limit).`,
    advice: 'Exclude folders you do not need (files.exclude, search.exclude, .gitignore) or raise maxFiles.',
    details: { listed, limit, skipped: listed - limit },
  }),
  totalBytes: (indexedBytes: number, limit: number, skippedFiles: number): IndexNotice => ({
    code: 'total-bytes-limit',
    message: `The index stopped at ${mb(indexedBytes)} of source, its ${mb(limit)} limit; ${skippedFiles} more files were not indexed.`,
    advice: 'Exclude generated or vendored folders, or raise maxTotalBytes (memory and disk grow with it).',
    details: { indexedBytes, limit, skippedFiles },
  }),
  chunkLimit: (chunks: number, limit: number, skippedFiles: number): IndexNotice => ({
    code: 'chunk-limit',
    message: `The index holds its limit of ${limit} chunks (${chunks}); ${skippedFiles} more files were not indexed.`,
    advice: 'Exclude folders you do not need, or raise maxChunks (memory grows with it, vectors most).',
    details: { chunks, limit, skippedFiles },
  }),
  binarySkipped: (count: number, example: string): IndexNotice => ({
    code: 'binary-skipped',
    message: `${count} binary file${count === 1 ? ' was' : 's were'} skipped (for example ${example}).`,
    advice: 'Nothing to do: binary files hold no code to search.',
    details: { count, example },
  }),
  generatedSkipped: (count: number, example: string): IndexNotice => ({
    code: 'generated-skipped',
    message: `${count} generated or minified file${count === 1 ? ' was' : 's were'} skipped (for example ${example}).`,
    advice: 'Set skipGenerated to false to index them.',
    details: { count, example },
  }),
  unreadable: (count: number, example: string, reason: string): IndexNotice => ({
    code: 'unreadable-file',
    message: `${count} file${count === 1 ? '' : 's'} could not be read (for example ${example}: ${reason}).`,
    advice: 'They are retried at the next change or sync.',
    details: { count, example, reason },
  }),
  grammarUnavailable: (language: string, files: number, reason: string): IndexNotice => ({
    code: 'grammar-unavailable',
    message: `${files} ${language} file${files === 1 ? ' was' : 's were'} cut into line windows: the grammar did not load (${reason}).`,
    advice: 'Search still works, with less precise chunks. Reinstall the extension if this persists.',
    details: { language, files, reason },
  }),
  rebuilt: (file: string, reason: string): IndexNotice => ({
    code: 'index-rebuilt',
    message: `The saved index ${file} could not be used (${reason}); it is rebuilt from the files.`,
    advice: 'Nothing to do; the first search waits for the rebuild.',
    details: { file, reason },
  }),
  persistFailed: (dir: string, reason: string): IndexNotice => ({
    code: 'persist-failed',
    message: `The index could not be saved to ${dir}: ${reason}.`,
    advice: 'Search works for this session; the next start rebuilds the index. Check the disk space and permissions of that folder.',
    details: { dir, reason },
  }),
  diskLimit: (bytes: number, limit: number): IndexNotice => ({
    code: 'disk-limit',
    message: `The index was not saved: it needs ${mb(bytes)}, over its ${mb(limit)} disk limit.`,
    advice: 'Raise maxDiskBytes, or index fewer files; the next start rebuilds the index.',
    details: { bytes, limit },
  }),
  embeddingModelMissing: (model: string): IndexNotice => ({
    code: 'embedding-model-missing',
    message: `Semantic search is off: the embedding model '${model}' is not installed. Search is lexical only.`,
    advice: pullNote(model),
    details: { model },
  }),
  embeddingUnreachable: (url: string): IndexNotice => ({
    code: 'embedding-unreachable',
    message: `Semantic search is off: Ollama is not reachable at ${url}. Search is lexical only.`,
    advice: 'Start Ollama (`ollama serve`); vectors are computed once it answers.',
    details: { url },
  }),
  embeddingFailed: (model: string, reason: string): IndexNotice => ({
    code: 'embedding-failed',
    message: `Semantic search is off: embedding with '${model}' failed (${reason}). Search is lexical only.`,
    advice: 'Open the log for details; the index retries at the next sync.',
    details: { model, reason },
  }),
  workerStopped: (detail: string): IndexNotice => ({
    code: 'worker-stopped',
    message: `The workspace index stopped: ${detail}. Searches fail until it is opened again.`,
    advice: 'Open the log for details; lower the index limits if it ran out of memory, then reopen the workspace.',
    details: { detail },
  }),
  embeddingCut: (chunks: number, budgetBytes: number, model: string): IndexNotice => ({
    code: 'embedding-cut',
    message: `${chunks} chunk${chunks === 1 ? ' was' : 's were'} longer than the ${budgetBytes} bytes '${model}' is sure to read whole; their vectors cover the beginning only. Lexical search sees them whole.`,
    advice: 'Lower maxChunkTokens, or use an embedding model with a longer context.',
    details: { chunks, budgetBytes, model },
  }),
};
