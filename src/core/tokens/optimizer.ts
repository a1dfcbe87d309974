import { budgetShares, validateCalibration, validateOverhead, type BudgetSettings } from './budgets';
import { CONTEXT_SEPARATOR, fitContext, rankChunks } from './contextFit';
import type { Meter } from './meter';
import { ConfigurationError } from '../errors';
import { PromptTooLargeError } from './tokenErrors';
import { cutMarker, fitText, smallestKeepingBudget } from './truncation';
import { noticeText } from '../../shared/notices';
import { TRUNCATION_ORDER } from '../../shared/vocabulary';
import type { ContextChunk, OptimizeOptions, OptimizedPrompt, PromptCompression, PromptSection, TokenUsage } from './types';
import { fitCompressed } from '../context/compression/fitCompressed';

/** When the user's message must be cut, it keeps at least this many tokens besides its marker (if the window allows). */
export const MIN_USER_TOKENS = 32;

/**
 * Fits a prompt into the window described by `settings` (see docs/TOKEN_CONSTRAINTS.md for the rules).
 * Guarantees tokenUsage.total + completionReserve <= limit, with counts equal to a fresh count of the
 * returned texts; throws PromptTooLargeError when even a fully truncated prompt cannot fit.
 */
export function optimizePromptWith(
  meter: Meter,
  estimated: boolean,
  settings: BudgetSettings,
  systemPrompt: string,
  userInput: string,
  contextChunks: readonly ContextChunk[] = [],
  options: OptimizeOptions = {},
): OptimizedPrompt {
  const overhead = options.perMessageOverhead ?? 0;
  validateOverhead(overhead);
  validateCalibration(meter.calibration);
  const maxChunks = options.maxContextChunks ?? Infinity;
  if (maxChunks !== Infinity && (!Number.isSafeInteger(maxChunks) || maxChunks < 0)) {
    throw new ConfigurationError('maxContextChunks', maxChunks, 'a non-negative integer');
  }
  const shares = budgetShares(settings, options.completionReserve);
  // The template's once-per-prompt tokens are unavoidable: they come off the top and are reported with the system prompt.
  const fixed = options.promptOverhead ?? 0;
  validateOverhead(fixed);
  const available = shares.available - fixed;
  const history = options.history ?? [];
  const separator = meter.measure(CONTEXT_SEPARATOR);

  // 1. What every section needs, untruncated.
  const systemNeed = systemPrompt.length > 0 ? meter.measure(systemPrompt) + overhead : 0;
  const userNeed = meter.measure(userInput) + overhead;
  const historyCosts = history.map((m) => meter.measure(m.content) + overhead);
  const historyNeed = historyCosts.reduce((a, b) => a + b, 0);
  const ranked = rankChunks(contextChunks, meter);
  const contextNeedAll = ranked.reduce((a, c) => a + c.tokens + separator, 0);
  const requested = fixed + systemNeed + userNeed + historyNeed + contextNeedAll;
  const truncated = new Set<PromptSection>();

  // 2. The system prompt and the user's message are kept whole whenever both fit. Otherwise the user's
  //    message is cut first, down to what the system prompt's share leaves; the system prompt is cut only
  //    when it is above its share, or to leave the user's message MIN_USER_TOKENS and its marker.
  let systemOut = systemPrompt;
  let systemTokens = systemNeed;
  let userOut = userInput;
  let userTokens = userNeed;
  if (systemNeed + userNeed > available) {
    const markerTokens = meter.measure(`\n${cutMarker(userNeed)}\n`);
    const minimumUser = overhead + (userInput.length > 0 ? markerTokens + MIN_USER_TOKENS : 0);
    const userTarget = Math.min(userNeed, available, Math.max(available - Math.min(systemNeed, shares.system), minimumUser));
    const userFit = fitText(userInput, userTarget - overhead, meter, 'middle');
    if (overhead > available || (userInput.length > 0 && userFit.text.length === 0)) {
      const minimumNeeded = overhead + (userInput.length > 0 ? smallestKeepingBudget(userInput, available - overhead, meter, 'middle') : 0);
      throw new PromptTooLargeError({ limit: shares.limit, completionReserve: shares.completionReserve, minimumNeeded: minimumNeeded + fixed, requested });
    }
    userOut = userFit.text;
    userTokens = userFit.tokens + overhead;
    if (userFit.cut) truncated.add('user');
    const systemTarget = available - userTokens;
    if (systemNeed > systemTarget) {
      const systemFit = fitText(systemPrompt, systemTarget - overhead, meter, 'head');
      systemOut = systemFit.text;
      systemTokens = systemOut.length > 0 ? systemFit.tokens + overhead : 0;
      truncated.add('system');
    }
  }

  // 3. History and context share the rest. Each first gets up to its guaranteed share (history: what the
  //    user's message left of the user share; context: the context share minus the answer reserve), the
  //    history first when the rest is smaller than both shares. Room left over goes to history, then context.
  // 4. History: whole messages, newest first; everything older than the first that does not fit is dropped.
  const elastic = available - systemTokens - userTokens;
  const planHistory = (costs: readonly number[], contextNeed: number) => {
    const historyNeedNow = costs.reduce((a, b) => a + b, 0);
    let historyGrant = Math.min(historyNeedNow, Math.max(0, shares.user - userTokens), elastic);
    let contextGrant = Math.min(contextNeed, shares.context, elastic - historyGrant);
    let left = elastic - historyGrant - contextGrant;
    const extra = Math.min(left, historyNeedNow - historyGrant);
    historyGrant += extra;
    left -= extra;
    contextGrant += Math.min(left, contextNeed - contextGrant);
    let historyTokens = 0;
    let firstKept = costs.length;
    for (let i = costs.length - 1; i >= 0; i--) {
      if (historyTokens + costs[i] > historyGrant) break;
      historyTokens += costs[i];
      firstKept = i;
    }
    return { firstKept, historyTokens, contextRoom: Math.max(contextGrant, elastic - historyTokens) };
  };
  const contextNeed = ranked.slice(0, Math.min(ranked.length, maxChunks)).reduce((a, c) => a + c.cost, 0);
  const planned = planHistory(historyCosts, contextNeed);
  let firstKept = planned.firstKept;
  let historyTokens = planned.historyTokens;
  let historyOut = history.slice(firstKept).map((m) => ({ role: m.role, content: m.content }));

  // 5. Context: whole chunks, most relevant first, into the grant plus whatever history left unused.
  let context = fitContext(ranked, maxChunks, planned.contextRoom, userOut, meter);
  let compression: PromptCompression | undefined;
  // Compression runs only when something would be lost: when everything fits, the model sees the texts as given.
  if (options.compress && (firstKept > 0 || context.dropped.length > 0)) {
    const fit = fitCompressed({
      meter,
      ranked,
      history,
      systemPrompt: systemOut,
      userInput: userOut,
      room: elastic,
      maxChunks,
      perMessageOverhead: overhead,
      planHistory,
    });
    ({ firstKept, historyTokens, context, compression } = fit);
    historyOut = fit.history;
  }
  if (firstKept > 0) truncated.add('history');
  if (context.dropped.length > 0) truncated.add('context');
  const contextTokens = context.tokens;

  const total = fixed + systemTokens + userTokens + historyTokens + contextTokens;
  if (total > shares.available) {
    // Unreachable by construction; a loud failure beats sending a prompt Ollama would cut silently.
    throw new Error(`token engine invariant broken: ${total} prompt tokens > ${shares.available} available`);
  }
  const truncatedSections = TRUNCATION_ORDER.filter((s) => truncated.has(s));
  const tokenUsage: TokenUsage = {
    system: fixed + systemTokens,
    user: userTokens,
    context: contextTokens,
    history: historyTokens,
    total,
    completionReserve: shares.completionReserve,
    limit: shares.limit,
    requested,
    estimated,
    calibration: meter.calibration,
    perMessageOverhead: overhead,
    promptOverhead: fixed,
  };
  return {
    systemPrompt: systemOut,
    userInput: userOut,
    contextChunks: context.kept.map((c) => c.text),
    contextChunkIndexes: context.kept.map((c) => c.index),
    history: historyOut,
    tokenUsage,
    truncated: truncatedSections.length > 0,
    truncatedSections,
    droppedChunks: context.dropped,
    droppedMessages: firstKept,
    warning:
      truncatedSections.length > 0
        ? noticeText({ kind: 'truncated', sections: truncatedSections, droppedChunks: [], droppedMessages: firstKept, window: shares.limit })
        : undefined,
    ...(compression ? { compression } : {}),
  };
}
