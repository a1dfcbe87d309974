// Every error code Therapist reports, in one style (kebab-case), as a closed union: TherapistError subclasses
// declare one of these, the protocol carries them to the panel, and tests and logs match on them.

export const ERROR_CODES = [
  // settings and budgets
  'config',
  'prompt-too-large',
  // Ollama
  'ollama-unreachable',
  'ollama-timeout',
  'ollama-stream',
  'ollama-http',
  'ollama-context',
  'ollama-busy',
  'model-not-found',
  // the served model's tokenizer and chat template
  'vocab-invalid',
  'pre-tokenizer-unknown',
  'tokenizer-model-unsupported',
  'bpe-cache-invalid',
  'spm-vocab',
  'spm-unencodable',
  'chat-template',
  // the token ledger
  'ledger-busy',
  'quota-exceeded',
  'rate-limited',
  'reservation-settled',
  // the workspace index
  'grammar-load',
  'embedding-response',
  'retrieval-worker',
  'retrieval-option',
  'retrieval-corrupt',
  'retrieval-closed',
  'retrieval-cancelled',
  // conversation summaries
  'summary-window',
  'summary-unusable',
  'summary-state',
  'summary-request-cut',
  // not TherapistErrors: a stopped request, anything unforeseen, a failed dashboard export, a request the host has no handler for
  'cancelled',
  'unexpected',
  'export-failed',
  'unknown-method',
] as const;

/** One of ERROR_CODES. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** True for a code of the union (one that crossed a thread or a process as a string). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
