import { noticeText, type DegradedNotice } from '../../shared/notices';
import type { PlanAdvice, PlanRequest } from './types';

/** Past this share of a limit, requests are shrunk. */
export const SOFT_FRACTION = 0.8;
/** The answer reserve is never shrunk below this (an answer cut to a few tokens helps nobody). */
export const MIN_COMPLETION = 256;

/** One limit as the planner sees it. */
export interface PlanConstraint {
  /** "daily quota", "conversation cap", ... */
  name: string;
  limit: number;
  /** Tokens already used or held. */
  taken: number;
  /** Most tokens one request may ask now (for the rate limit: the whole per-minute limit, since waiting frees the rest). */
  hardRoom: number;
  /** Tokens left before the 80% mark (Infinity when the limit has no soft zone). */
  softRoom: number;
  /** The error to show when even a shrunk request cannot fit. */
  error(asked: number): Error;
}

/**
 * Degradation advice. Within 80% of every limit: ok. Past it: halve the answer reserve (not below
 * MIN_COMPLETION) and ask for a quarter of the prompt's low-relevance context to go; then shrink more
 * if the request still passes a limit. Refuse when nothing is left or not even the shrunk request fits.
 */
export function planRequest(req: PlanRequest, constraints: readonly PlanConstraint[]): PlanAdvice {
  const asked = req.promptTokens + req.completionTokens;
  if (constraints.length === 0) return { level: 'ok', message: 'No token limits are set.' };
  const hard = constraints.reduce((a, c) => (c.hardRoom < a.hardRoom ? c : a));
  const soft = constraints.reduce((a, c) => (c.softRoom < a.softRoom ? c : a));
  if (asked <= soft.softRoom && asked <= hard.hardRoom) return { level: 'ok', message: 'Within every token limit.' };
  if (hard.hardRoom <= 0) {
    const error = hard.error(asked);
    return { level: 'refuse', message: error.message, error };
  }
  const minCompletion = Math.min(req.completionTokens, MIN_COMPLETION);
  let completion = Math.max(minCompletion, Math.floor(req.completionTokens / 2));
  let contextCut = Math.ceil(req.promptTokens / 4);
  if (req.promptTokens - contextCut + completion > hard.hardRoom) {
    completion = Math.max(minCompletion, Math.min(completion, hard.hardRoom - (req.promptTokens - contextCut)));
    contextCut = Math.max(contextCut, req.promptTokens + completion - hard.hardRoom);
  }
  if (contextCut >= req.promptTokens) {
    const error = hard.error(asked);
    return { level: 'refuse', message: error.message, error };
  }
  const after = req.promptTokens - contextCut + completion;
  const binding = asked > hard.hardRoom ? hard : soft;
  const pctFull = Math.round(((binding.taken + asked) / binding.limit) * 100);
  const pctAfter = Math.round(((binding.taken + after) / binding.limit) * 100);
  const notice: DegradedNotice = {
    kind: 'degraded',
    limit: binding.name,
    percentFull: pctFull,
    percentAfter: pctAfter,
    wouldPass: asked > hard.hardRoom,
    completionFrom: req.completionTokens,
    completionTo: completion,
    contextDropped: contextCut,
  };
  return { level: 'degrade', shrinkCompletionTo: completion, shrinkContextBy: contextCut, notice, message: noticeText(notice) };
}
