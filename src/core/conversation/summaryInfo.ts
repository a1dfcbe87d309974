// A summary as the panel shows it: "Earlier turns summarized (N turns, X -> Y tokens)", with the text behind
// "Show summary". Typed data: the words of the notice are written where it is shown.
import { summaryMessageText } from './summaryMessage';
import type { SummaryMethod, SummaryRecord } from './summaryState';

/** A conversation's summary as the panel shows it ("Earlier turns summarized (N turns, X -> Y tokens)"). */
export interface SummaryInfo {
  /** Turns 1..turns are summarized. */
  turns: number;
  /** Messages the summary stands for. */
  messages: number;
  tokensBefore: number;
  tokensAfter: number;
  method: SummaryMethod;
  fallbackReason?: string;
  /** The summary message as sent ("Show summary"). */
  text: string;
  createdAt: number;
  model?: string;
  requests: number;
  trimmed: boolean;
  /** Summaries made in this conversation (each later one starts from the one before). */
  chainLength: number;
}

/** The panel's view of a summary record. */
export function summaryInfoOf(r: SummaryRecord, chainLength: number): SummaryInfo {
  return {
    turns: r.toTurn,
    messages: r.messagesCovered,
    tokensBefore: r.tokensBefore,
    tokensAfter: r.tokensAfter,
    method: r.method,
    ...(r.fallbackReason !== undefined ? { fallbackReason: r.fallbackReason } : {}),
    text: summaryMessageText({ toTurn: r.toTurn, firstRequest: r.firstRequest, firstRequestCut: r.firstRequestCut, body: r.body }),
    createdAt: r.createdAt,
    ...(r.model !== undefined ? { model: r.model } : {}),
    requests: r.requests,
    trimmed: r.trimmed,
    chainLength,
  };
}
