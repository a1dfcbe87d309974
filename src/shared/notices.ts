// What happened to a request, as typed data: the core produces notices, the host stores and forwards them, the
// panel chooses where to show each one by its `kind`, and the words are written once, here (noticeText).
import { formatCount } from './format';
import { sectionList, type PromptSection } from './vocabulary';

/** A context chunk that did not make it, whole or in part, into the prompt. */
export interface OmittedChunk {
  /** Where it came from, e.g. `src/app.ts:40-80` or `open editor: util.ts`. */
  source: string;
  /** Tokens of the chunk that were cut, when known. */
  tokens?: number;
  /** True when only part of the chunk was cut. */
  partial?: boolean;
}

/** Therapist cut the prompt to fit the window (least relevant context first, then old history, ...). */
export interface TruncatedNotice {
  kind: 'truncated';
  /** The sections that lost anything, in truncation order. */
  sections: PromptSection[];
  /** Tokens cut in all, when known. */
  tokensCut?: number;
  droppedChunks: OmittedChunk[];
  /** Whole history messages dropped (the oldest). */
  droppedMessages: number;
  /** The window the prompt was fitted into. */
  window: number;
}

/** The model evaluated clearly fewer prompt tokens than were sent: the server cut the prompt on its side. */
export interface ServerCutNotice {
  kind: 'serverCut';
  /** Our count of what was sent. */
  sentTokens: number;
  /** prompt_eval_count, when the server reported it. */
  evaluatedTokens?: number;
  /** What we expected the model to count (our count in its tokens). */
  expectedTokens: number;
  numCtx: number;
}

/** Streaming broke after it began; the answer came from one non-streaming request. */
export interface FallbackNotice {
  kind: 'fallback';
  reason: string;
}

/** Near a quota, the request was made smaller before it was sent. */
export interface DegradedNotice {
  kind: 'degraded';
  /** "daily quota", "conversation cap", ... */
  limit: string;
  /** How full the limit would be with the full request, and with the smaller one, in percent. */
  percentFull: number;
  percentAfter: number;
  /** True when the full request would have passed the limit (not just come near it). */
  wouldPass: boolean;
  /** The answer reserve before and after, when it was cut. */
  completionFrom?: number;
  completionTo?: number;
  /** Tokens of the least relevant context dropped. */
  contextDropped?: number;
}

/** Ollama refused the prompt as too long for the window; Therapist re-planned with the model's own count and sent it again. */
export interface RetriedNotice {
  kind: 'retried';
  /** The model's count of the refused prompt, when the server said it. */
  modelTokens?: number;
  /** What Therapist had planned. */
  plannedTokens: number;
}

/** The compression steps, in the order they run (see docs/compression.md). */
export type CompressionStep = 'trimTrailingWhitespace' | 'collapseBlankRuns' | 'mergeOverlapping' | 'dedupeRepeats' | 'elideMiddle' | 'dropComments';

/** One text a compression step shrank, as sent. */
export interface CompressedItem {
  section: 'context' | 'history';
  /** Position in the caller's chunk or history array. */
  index: number;
  /** Where a chunk came from, e.g. `src/app.ts:40-80`. */
  source?: string;
  savedTokens: number;
}

/** What one compression step saved in the prompt as sent. */
export interface CompressionStepSummary {
  step: CompressionStep;
  savedTokens: number;
  items: CompressedItem[];
}

/** Therapist shrank context or old history before cutting (lossless first, then elision and comments). */
export interface CompressedNotice {
  kind: 'compressed';
  /** The steps that saved anything, in the order they ran. */
  steps: CompressionStepSummary[];
  /** All steps together. */
  savedTokens: number;
}

/** The earliest turns went to the model as a summary (made in the background, between turns), or one is being made. */
export interface SummarizedNotice {
  kind: 'summarized';
  /** Turns 1..turns are summarized; 0 while the first summary is still being made. */
  turns: number;
  tokensBefore: number;
  tokensAfter: number;
  /** 'model': written by the model; 'digest': the deterministic digest (the model failed or was refused). */
  method: 'model' | 'digest';
  /** A summary was being made while this was sent (the send did not wait for it). */
  pending?: boolean;
}

/** A note an older version of Therapist stored as plain text (read back from a saved conversation). */
export interface StoredNotice {
  kind: 'stored';
  text: string;
}

export type Notice = TruncatedNotice | ServerCutNotice | FallbackNotice | DegradedNotice | RetriedNotice | CompressedNotice | SummarizedNotice | StoredNotice;
export type NoticeKind = Notice['kind'];

/** The sentence a user reads for a notice: the one place these words are written. */
export function noticeText(notice: Notice): string {
  switch (notice.kind) {
    case 'truncated':
      return `WARNING: Input was truncated due to token limits. Truncated sections: ${sectionList(notice.sections)}. Consider reducing context or breaking down your request.`;
    case 'serverCut': {
      const n = notice;
      const what =
        n.evaluatedTokens !== undefined && n.evaluatedTokens >= n.numCtx
          ? `Ollama evaluated ${n.evaluatedTokens} prompt tokens, its whole window (num_ctx ${n.numCtx}), where about ${Math.round(n.expectedTokens)} were sent`
          : `Ollama evaluated only ${n.evaluatedTokens ?? 'fewer'} prompt tokens where about ${Math.round(n.expectedTokens)} were sent (num_ctx ${n.numCtx})`;
      return `${what}: the server may have truncated the prompt silently, so the answer may have missed part of it. Remove some context or start a new conversation.`;
    }
    case 'fallback':
      return `Streaming failed (${notice.reason}); answered with a single non-streaming request.`;
    case 'degraded': {
      const n = notice;
      const parts: string[] = [];
      if (n.completionFrom !== undefined && n.completionTo !== undefined && n.completionTo < n.completionFrom) {
        parts.push(`answer reserve cut from ${formatCount(n.completionFrom)} to ${formatCount(n.completionTo)} tokens`);
      }
      if (n.contextDropped) parts.push(`${formatCount(n.contextDropped)} tokens of the least relevant context dropped`);
      const why = n.wouldPass
        ? `The full request would pass your ${n.limit} (${n.percentFull}%)`
        : `Near your ${n.limit}: the full request would bring it to ${n.percentFull}%, the shrunk one to ${n.percentAfter}%`;
      return `${why}: ${parts.join(' and ')}.`;
    }
    case 'compressed':
      return `Compressed to fit: ${notice.steps.map(stepText).join(', ')}.`;
    case 'summarized':
      if (notice.turns === 0) return 'A summary of the earliest turns is being prepared; until it is ready, the oldest turns that do not fit are left out.';
      return `Earlier turns summarized (${notice.turns} turn${notice.turns === 1 ? '' : 's'}, ${formatCount(notice.tokensBefore)} -> ${formatCount(notice.tokensAfter)} tokens${notice.method === 'digest' ? ', as a digest: the model could not write the summary' : ''}).`;
    case 'stored':
      return notice.text;
    case 'retried':
      return notice.modelTokens !== undefined
        ? `Ollama counted ${notice.modelTokens} prompt tokens where Therapist planned ${notice.plannedTokens}; re-planned with the model's count and sent again.`
        : `Ollama refused the prompt as longer than its window (Therapist planned ${notice.plannedTokens} tokens); re-planned with a tighter count and sent again.`;
  }
}

/** "src/a.ts", "src/a.ts and src/b.ts", "src/a.ts, src/b.ts and 3 more": the texts a step changed. */
function itemNames(items: readonly CompressedItem[]): string {
  const names = items.map((it) => it.source ?? (it.section === 'history' ? `message ${it.index + 1}` : `chunk ${it.index + 1}`));
  const unique = [...new Set(names)];
  if (unique.length <= 2) return unique.join(' and ');
  return `${unique.slice(0, 2).join(', ')} and ${unique.length - 2} more`;
}

/** "3 chunks", "1 message", "2 chunks and 1 message". */
function itemCount(items: readonly CompressedItem[]): string {
  const chunks = items.filter((it) => it.section === 'context').length;
  const messages = items.length - chunks;
  const parts: string[] = [];
  if (chunks > 0) parts.push(`${chunks} chunk${chunks === 1 ? '' : 's'}`);
  if (messages > 0) parts.push(`${messages} message${messages === 1 ? '' : 's'}`);
  return parts.join(' and ');
}

function stepText(s: CompressionStepSummary): string {
  const saved = `(-${formatCount(s.savedTokens)} tokens)`;
  switch (s.step) {
    case 'trimTrailingWhitespace':
      return `trimmed trailing whitespace in ${itemCount(s.items)} ${saved}`;
    case 'collapseBlankRuns':
      return `collapsed runs of blank lines in ${itemCount(s.items)} ${saved}`;
    case 'mergeOverlapping':
      return `merged ${s.items.length} overlapping chunk${s.items.length === 1 ? '' : 's'} ${saved}`;
    case 'dedupeRepeats':
      return `sent repeated blocks once in ${itemCount(s.items)} ${saved}`;
    case 'elideMiddle':
      return `elided the middle of ${itemNames(s.items)} ${saved}`;
    case 'dropComments':
      return `dropped comments from ${itemNames(s.items)} ${saved}`;
  }
}

/** The one notice of a kind in a list, typed (the panel puts each kind in its own place). */
export function noticeOf<K extends NoticeKind>(notices: readonly Notice[] | undefined, kind: K): Extract<Notice, { kind: K }> | undefined {
  return notices?.find((n): n is Extract<Notice, { kind: K }> => n.kind === kind);
}
