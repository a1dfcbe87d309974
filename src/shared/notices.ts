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

/** A note an older version of Therapist stored as plain text (read back from a saved conversation). */
export interface StoredNotice {
  kind: 'stored';
  text: string;
}

export type Notice = TruncatedNotice | ServerCutNotice | FallbackNotice | DegradedNotice | RetriedNotice | StoredNotice;
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
    case 'stored':
      return notice.text;
    case 'retried':
      return notice.modelTokens !== undefined
        ? `Ollama counted ${notice.modelTokens} prompt tokens where Therapist planned ${notice.plannedTokens}; re-planned with the model's count and sent again.`
        : `Ollama refused the prompt as longer than its window (Therapist planned ${notice.plannedTokens} tokens); re-planned with a tighter count and sent again.`;
  }
}

/** The one notice of a kind in a list, typed (the panel puts each kind in its own place). */
export function noticeOf<K extends NoticeKind>(notices: readonly Notice[] | undefined, kind: K): Extract<Notice, { kind: K }> | undefined {
  return notices?.find((n): n is Extract<Notice, { kind: K }> => n.kind === kind);
}
