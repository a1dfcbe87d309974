// When to summarize a conversation's history, and which of its oldest turns: between turns, once the history
// reaches a share of the room the planner gives it, so that the summary is ready before anything has to be dropped.
import { ConfigurationError } from '../errors';
import { COMPLETION_FRACTION } from '../tokens/budgets';
import type { HistoryMessage } from '../tokens/types';

/** therapist.summarize.threshold: the share of history's room at which a summary starts. */
export const SUMMARIZE_THRESHOLD = { default: 0.75, minimum: 0.5, maximum: 0.95 } as const;
/** After a summary, the summary and the turns kept whole take at most this share of the room. */
export const KEEP_SHARE = 0.5;
/** The condensed part of a summary takes at most this share of history's room... */
export const SUMMARY_SHARE = 0.2;
/** ...and never more than this many tokens (a long summary defeats its purpose). */
export const MAX_SUMMARY_TOKENS = 1024;
/** The first request, kept verbatim, takes at most this share of the room (a longer one is cut in the middle, marked). */
export const FIRST_REQUEST_SHARE = 0.25;

/** Checks therapist.summarize.threshold; never clamps. */
export function validateThreshold(value: unknown): number {
  const { minimum, maximum } = SUMMARIZE_THRESHOLD;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum || value > maximum) {
    throw new ConfigurationError('therapist.summarize.threshold', value, `a number from ${minimum} to ${maximum}`);
  }
  return value;
}

/** The cap of a summary's condensed part: its share of the room, the absolute cap, and the answer the summarize model may give. */
export function summaryCapOf(room: number, summaryWindow: number, maxSummaryTokens = MAX_SUMMARY_TOKENS): number {
  // generateResponse sends num_predict = its answer reserve, ceil(0.1 x window): a longer summary would be cut off.
  const answerReserve = Math.ceil(COMPLETION_FRACTION * summaryWindow);
  return Math.max(0, Math.min(maxSummaryTokens, Math.floor(SUMMARY_SHARE * room), answerReserve));
}

/** What the policy looks at: the turns, what each message costs, the room, and the summary in force. */
export interface PolicyInput {
  /** The conversation's messages, oldest first (user/assistant pairs; a trailing unanswered request is allowed). */
  turns: readonly HistoryMessage[];
  /** Tokens of each message as the planner counts it (with its message overhead). */
  costs: readonly number[];
  /** The tokens of history the planner keeps at most (see historyRoom). */
  room: number;
  threshold: number;
  keepShare?: number;
  /** Messages covered by the summary in force (0 without one). */
  covered: number;
  /** Tokens of the summary message in force (0 without one). */
  summaryTokens: number;
  /** At most what the next summary message will cost (header, first request, the capped condensed part). */
  newSummaryTokens: number;
}

export type WaitReason = 'below-threshold' | 'no-room' | 'nothing-to-summarize' | 'no-gain';

/** The policy's answer, with the numbers it decided on. */
export type PolicyDecision =
  | { action: 'wait'; reason: WaitReason; historyTokens: number; triggerTokens: number }
  | {
      action: 'summarize';
      /** Messages [from, to) are condensed into the new summary (with the summary in force, which covers [0, from)). */
      from: number;
      to: number;
      historyTokens: number;
      triggerTokens: number;
      /** Tokens of the turns kept whole, [to, end). */
      keptTokens: number;
      /** Tokens of the raw messages [0, to) the new summary stands for. */
      coveredTokens: number;
      /** At most what history costs once the summary is in: newSummaryTokens + keptTokens. */
      expectedTokens: number;
    };

/**
 * Decides whether to summarize now and up to which message. Summarizes once the history (the summary in force plus
 * the turns after it) reaches `threshold` of the room; condenses the oldest turns so that the new summary and the
 * turns kept whole take at most `keepShare` of the room; cuts only where a user's request starts (a request and its
 * answer stay together) and always keeps the newest turn whole.
 */
export function decide(input: PolicyInput): PolicyDecision {
  const { turns, costs, room, covered } = input;
  if (costs.length !== turns.length) throw new RangeError(`decide: ${costs.length} costs for ${turns.length} messages`);
  if (!Number.isSafeInteger(covered) || covered < 0 || covered > turns.length) throw new RangeError(`decide: covered ${covered} is outside 0-${turns.length}`);
  const keepShare = input.keepShare ?? KEEP_SHARE;
  const suffix = suffixSums(costs);
  const historyTokens = input.summaryTokens + suffix[covered];
  const triggerTokens = Math.ceil(input.threshold * room);
  const wait = (reason: WaitReason): PolicyDecision => ({ action: 'wait', reason, historyTokens, triggerTokens });
  if (!(room > 0)) return wait('no-room');
  if (historyTokens < triggerTokens) return wait('below-threshold');
  // Where a turn starts after the summarized part: the only places to cut. The last one is the newest turn's start.
  const starts: number[] = [];
  for (let i = covered + 1; i < turns.length; i++) if (turns[i].role === 'user') starts.push(i);
  if (starts.length === 0) return wait('nothing-to-summarize');
  const keepBudget = Math.floor(keepShare * room) - input.newSummaryTokens;
  // Keep as many of the newest turns whole as fit the budget; when not even the newest fits, keep just that one.
  const to = starts.find((i) => suffix[i] <= keepBudget) ?? starts[starts.length - 1];
  const condensed = input.summaryTokens + suffix[covered] - suffix[to];
  if (condensed <= input.newSummaryTokens) return wait('no-gain');
  return {
    action: 'summarize',
    from: covered,
    to,
    historyTokens,
    triggerTokens,
    keptTokens: suffix[to],
    coveredTokens: suffix[0] - suffix[to],
    expectedTokens: input.newSummaryTokens + suffix[to],
  };
}

/** suffix[i] = costs[i] + ... + costs[n-1]; suffix[n] = 0. */
function suffixSums(costs: readonly number[]): number[] {
  const suffix = new Array<number>(costs.length + 1).fill(0);
  for (let i = costs.length - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + costs[i];
  return suffix;
}
