// The chat's side of conversation summaries (issue 13): what history a send uses (the summary, when one is ready,
// plus the turns after it), when to start the next summary (after a turn, in the background), and what the panel
// shows. No `vscode` here: the controller and its tests use it in plain Node; extension.ts builds the summarizer.
import { historyRoom, type ConversationSummarizer, type SummaryInfo } from '../../core/conversation';
import type { BudgetShareSettings } from '../../core/tokens/types';
import type { SummaryView, TokenBreakdown } from '../../protocol/chat';
import type { SummarizedNotice } from '../../shared/notices';
import type { ChatTurn } from './chatBackend';

/** The history for one send, and the note it gets. */
export interface SummarizedHistory {
  messages: ChatTurn[] | { role: 'user' | 'assistant' | 'system'; content: string }[];
  notice?: SummarizedNotice;
}

/** What the chat controller asks of summaries. */
export interface ConversationSummaries {
  /** The history to send now (never waits for a summary being made). `last` is the previous send's meter reading. */
  historyFor(conversationId: string, turns: readonly ChatTurn[], last?: TokenBreakdown): SummarizedHistory;
  /** After a complete answer: maybe start summarizing the oldest turns, in the background (returns at once). */
  afterTurn(conversationId: string, turns: readonly ChatTurn[], usage: TokenBreakdown): void;
  /** The summary as the panel shows it, or undefined. */
  viewOf(conversationId: string): SummaryView | undefined;
  /** "Undo": the raw turns are sent again, and no new summary is made until resume. */
  undo(conversationId: string): void;
  resume(conversationId: string): void;
  /** The state to store with the conversation, and reading it back (a broken stored state is logged and dropped). */
  stateOf(conversationId: string): unknown;
  restore(conversationId: string, state: unknown): void;
  forget(conversationId: string): void;
}

/** The panel's view of a summary. */
export function summaryView(info: SummaryInfo, summarizing: boolean): SummaryView {
  return {
    turns: info.turns,
    tokensBefore: info.tokensBefore,
    tokensAfter: info.tokensAfter,
    method: info.method,
    fallbackReason: info.fallbackReason,
    text: info.text,
    model: info.model,
    summarizing,
    paused: false,
  };
}

/** ConversationSummaries over the core's summarizer; `budgets()` are the current settings' shares. */
export function summariesOver(
  summarizer: ConversationSummarizer,
  budgets: () => BudgetShareSettings,
  logError: (message: string, error: unknown) => void,
): ConversationSummaries {
  const roomOf = (b: TokenBreakdown) =>
    historyRoom({ limit: b.limit, completionReserve: b.reserved, systemTokens: b.system, budgets: budgets(), userTokens: b.user, contextTokens: b.context });
  return {
    historyFor(id, turns, last) {
      const h = summarizer.historyFor({ id, turns }, last ? roomOf(last) : undefined);
      const info = h.summary;
      const notice: SummarizedNotice | undefined = info
        ? {
            kind: 'summarized',
            turns: info.turns,
            tokensBefore: info.tokensBefore,
            tokensAfter: info.tokensAfter,
            method: info.method,
            pending: h.summarizing || undefined,
          }
        : h.summarizing
          ? { kind: 'summarized', turns: 0, tokensBefore: 0, tokensAfter: 0, method: 'model', pending: true }
          : undefined;
      return { messages: h.messages, notice };
    },
    afterTurn(id, turns, usage) {
      try {
        summarizer.afterTurn({ id, turns }, roomOf(usage));
      } catch (error) {
        logError('Could not start a conversation summary', error);
      }
    },
    viewOf(id) {
      // Undone: no summary, but the banner stays to say so and offer "Summarize again".
      if (summarizer.isPaused(id)) return { turns: 0, tokensBefore: 0, tokensAfter: 0, method: 'model', text: '', summarizing: false, paused: true };
      const info = summarizer.summaryOf(id);
      return info && summaryView(info, summarizer.isSummarizing(id));
    },
    undo: (id) => void summarizer.undo(id),
    resume: (id) => summarizer.resume(id),
    stateOf: (id) => summarizer.toJSON(id),
    restore(id, state) {
      if (state === undefined) return;
      try {
        summarizer.fromJSON(id, state);
      } catch (error) {
        logError(`The stored summary of conversation ${id} is unreadable; the conversation continues without it`, error);
      }
    },
    forget: (id) => summarizer.forget(id),
  };
}
