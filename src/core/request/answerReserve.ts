// How much of the window is held back for the answer (num_predict). Fixed at 10% of the window, Explain Selection's
// short answers waste most of it and a long refactoring answer runs out: once a model has answered a command often
// enough, the reserve follows what those answers needed (their 90th percentile plus a quarter), within bounds.
import { p90, MIN_SAMPLES } from '../ledger/estimator';

/** The share of the window reserved before there is data (the token engine's default). */
export const DEFAULT_RESERVE_SHARE = 0.1;
/** Head room over the 90th percentile of past answers. */
export const RESERVE_HEADROOM = 1.25;
/** Bounds of a sized reserve: at least 4% of the window (and 128 tokens), at most 25%. */
export const MIN_RESERVE_SHARE = 0.04;
export const MIN_RESERVE_TOKENS = 128;
export const MAX_RESERVE_SHARE = 0.25;

/** The reserve and why it is that size (shown in the usage line). */
export interface AnswerReserve {
  tokens: number;
  source: string;
}

/** The answer reserve for a request in a `window`-token window, from recent answer lengths and an optional cap. */
export function answerReserve(window: number, lengths: readonly number[] | undefined, command: string, cap?: number): AnswerReserve {
  const fixed = Math.ceil(DEFAULT_RESERVE_SHARE * window);
  let reserve: AnswerReserve;
  if (lengths && lengths.length >= MIN_SAMPLES) {
    const low = Math.min(fixed, Math.max(MIN_RESERVE_TOKENS, Math.ceil(MIN_RESERVE_SHARE * window)));
    const high = Math.ceil(MAX_RESERVE_SHARE * window);
    const sized = Math.ceil(p90(lengths) * RESERVE_HEADROOM);
    const tokens = Math.min(high, Math.max(low, sized));
    const bound = tokens === high ? ', capped at 25% of the window' : tokens === low && sized < low ? `, raised to the ${formatShare(low, window)} floor` : '';
    reserve = { tokens, source: `p90 of ${lengths.length} ${command} answers x${RESERVE_HEADROOM}${bound}` };
  } else reserve = { tokens: fixed, source: `10% of the window (fewer than ${MIN_SAMPLES} ${command} answers to size it from)` };
  if (cap !== undefined && cap < reserve.tokens) return { tokens: cap, source: `the request's cap (${cap})` };
  return reserve;
}

function formatShare(tokens: number, window: number): string {
  return `${Math.round((100 * tokens) / window)}%`;
}
