// The one history message that stands for the summarized turns: a header that says what it is, the
// conversation's first request verbatim (its own part, never condensed), then the condensed rest.
import type { HistoryMessage } from '../tokens/types';

/**
 * The summary is sent as a system message: it is context the assistant must keep following (the original task),
 * not a new request from the user, and Ollama's templates fold it in with the system prompt, where the task belongs.
 */
export const SUMMARY_ROLE = 'system' as const;

/** The parts of a summary message. */
export interface SummaryParts {
  /** The last turn the summary covers (turns are numbered from 1; a turn is a request and its answer). */
  toTurn: number;
  /** The conversation's first request as kept ('' when the conversation does not start with one). */
  firstRequest: string;
  /** True when the first request was too long and was cut in the middle (the cut is marked in the text). */
  firstRequestCut: boolean;
  /** The condensed turns: the model's summary, or the digest. */
  body: string;
}

/** The header line: "Summary of turns 1-12 (the first request verbatim, then the rest condensed)...". */
export function summaryHeader(toTurn: number, hasFirstRequest = true): string {
  const what = hasFirstRequest ? 'the first request verbatim, then the rest condensed' : 'condensed';
  return `Summary of turns 1-${toTurn} (${what}). Therapist wrote it to save room in the context window; the original turns are kept in the conversation.`;
}

/** The text of the summary message. */
export function summaryMessageText(parts: SummaryParts): string {
  const sections = [summaryHeader(parts.toTurn, parts.firstRequest.length > 0)];
  if (parts.firstRequest.length > 0) {
    const note = parts.firstRequestCut ? ', cut in the middle to fit (the whole request is in the conversation)' : '';
    sections.push(`The user's first request (turn 1), verbatim${note}:\n${parts.firstRequest}`);
  }
  sections.push(`Turns 1-${parts.toTurn}, condensed:\n${parts.body}`);
  return sections.join('\n\n');
}

/** The summary as the one history message sent in place of the turns it covers. */
export function summaryMessage(parts: SummaryParts): HistoryMessage {
  return { role: SUMMARY_ROLE, content: summaryMessageText(parts) };
}
