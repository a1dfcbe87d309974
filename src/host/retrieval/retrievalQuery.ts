// What to ask the index for a typed question, and how many of its hits to hand to the token engine.
import { queryTerms } from '../../core/context/retrieval';
import type { FoundChunk } from './workspaceSearch';

/** A question with fewer search terms than this ("and why?") is searched together with the previous one. */
export const SHORT_QUESTION_TERMS = 3;
/** Candidates fill about this much more than the context room: the token engine cuts the rest by relevance, visibly. */
export const OVERFILL = 1.5;
/** Chunks handed over at least (when there are hits) and at most. */
export const MIN_CHUNKS = 3;
export const MAX_CHUNKS = 30;
/**
 * A hit goes in only with lexical evidence: a BM25 score of at least MIN_BM25 and at least MIN_SHARE_OF_TOP of the
 * best hit's, or a place near the selection. BM25 grows with how rare the matched terms are: in a workspace of a few
 * files a term found in one chunk adds about 1.2, in one of 1,000 chunks about 6.5, so the floor asks for two
 * informative terms in a tiny workspace and one rare identifier in a real one, and keeps out a lone common word
 * ("line", "src" of a path: 0.5-1.2 in the two-file test workspace). Measured on the doc-comment benchmark
 * (scripts/bench/41): the best hit scores at least 6.96 and every correct answer in the top 10 at least 0.32 of the
 * best, so the gate costs that benchmark no recall.
 */
export const MIN_BM25 = 2;
export const MIN_SHARE_OF_TOP = 0.25;

/** True when a hit has the evidence to go in (see MIN_BM25); `topBm25` is the best hit's BM25. */
export function relevantEnough(h: FoundChunk, topBm25: number): boolean {
  const w = h.hit.why;
  if (w.selection > 0) return true;
  return (w.lexicalScore ?? 0) >= Math.max(MIN_BM25, MIN_SHARE_OF_TOP * topBm25);
}

/** The search text for a question; a short follow-up borrows the words of the previous question. */
export function questionQuery(prompt: string, earlierQuestions: readonly string[]): string {
  const question = prompt.trim();
  const previous = earlierQuestions[earlierQuestions.length - 1]?.trim();
  if (!previous || queryTerms(question).length >= SHORT_QUESTION_TERMS) return question;
  return `${question}\n${previous}`;
}

/** The questions asked before `prompt` in a conversation (its last occurrence: the one being answered), oldest first. */
export function questionsBefore(messages: readonly { role: string; text: string }[], prompt: string): string[] {
  const questions = messages.filter((m) => m.role === 'user').map((m) => m.text);
  const at = questions.lastIndexOf(prompt);
  return at < 0 ? questions : questions.slice(0, at);
}

export interface PickOptions {
  /** Tokens the context section can hold. */
  room: number;
  excluded: (file: string) => boolean;
  /** Chunks already chosen (pinned ones), by takenKey: not taken twice. */
  taken?: ReadonlySet<string>;
  maxChunks?: number;
  /** Take hits without lexical evidence too (the chunks of a pinned file). */
  anyEvidence?: boolean;
}

/**
 * The hits to send, best first: excluded files and hits without the evidence (relevantEnough) skipped, then in rank
 * order until their tokens (the index's count) pass OVERFILL x room; never fewer than MIN_CHUNKS when there are that
 * many, never more than maxChunks. A hit that would pass the room ends the list: skipping it for a smaller, less
 * relevant one would reorder relevance. `anyEvidence` admits every hit (a pinned file's chunks).
 */
export function pickHits(hits: readonly FoundChunk[], o: PickOptions): FoundChunk[] {
  const max = o.maxChunks ?? MAX_CHUNKS;
  const top = Math.max(0, ...hits.map((h) => h.hit.why.lexicalScore ?? 0));
  const out: FoundChunk[] = [];
  let tokens = 0;
  for (const h of hits) {
    if (out.length >= max) break;
    if (o.excluded(h.file) || o.taken?.has(takenKey(h)) || (!o.anyEvidence && !relevantEnough(h, top))) continue;
    if (out.length >= MIN_CHUNKS && tokens + h.hit.chunk.tokens > o.room * OVERFILL) break;
    out.push(h);
    tokens += h.hit.chunk.tokens;
  }
  return out;
}

/** The key `taken` holds for a found chunk. */
export function takenKey(h: FoundChunk): string {
  return `${h.file}#${h.hit.chunk.startLine}`;
}
