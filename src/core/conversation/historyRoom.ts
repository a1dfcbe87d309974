// How much of the window the planner gives conversation history on the next send, by the optimizer's rule
// (src/core/tokens/optimizer.ts, step 3): history first gets what the user's message leaves of the user share,
// context then takes up to its own share, and whatever is left over goes to history as well.
import { budgetShares } from '../tokens/budgets';
import type { BudgetShareSettings } from '../tokens/types';

/** The facts of one send the room depends on, in the planner's tokens (a plan's usage reports all of them). */
export interface HistoryRoomInput {
  /** The window the plan is made for (num_ctx). */
  limit: number;
  /** Tokens held back for the answer. */
  completionReserve: number;
  /** The system section as a plan reports it (the system prompt, its message overhead, the template's fixed tokens). */
  systemTokens: number;
  budgets: BudgetShareSettings;
  /** The next user message with its message overhead (e.g. the last send's). */
  userTokens: number;
  /** The context the next send is expected to carry (e.g. the last send's), with separators. */
  contextTokens: number;
}

/** The tokens of history the planner keeps at most on a send with these facts (its history grant). */
export function historyRoom(input: HistoryRoomInput): number {
  // The window is the send's, whatever maxTokens the settings carry (the model or the server may have less).
  const shares = budgetShares({ ...input.budgets, maxTokens: input.limit }, input.completionReserve);
  const elastic = shares.available - input.systemTokens - input.userTokens;
  if (elastic <= 0) return 0;
  // With more history than room (the only case that matters here), history's grant is its guaranteed share plus
  // everything context does not take; context takes at most its share, and at most what that guarantee leaves.
  const guaranteed = Math.min(Math.max(0, shares.user - input.userTokens), elastic);
  const context = Math.max(0, Math.min(input.contextTokens, shares.context, elastic - guaranteed));
  return elastic - context;
}
