// How the simulated models answer a summarize request (recognised by the core's marker in the system prompt):
// deterministically, from what the request contains: the files, backticked symbols, decisions and open questions
// of the turns and of the summary so far (so a chained summary keeps what the previous one said), within the
// word limit the instructions ask for. Its own simple extraction, so tests do not check the core against itself.
import { SUMMARY_REQUEST_MARKER } from '../../../src/core/conversation/summaryRequest';

/** A summarize request that goes wrong on purpose: a 500, an empty answer, or an answer without words. */
export interface SimSummaryFailure {
  kind: 'error' | 'empty' | 'garbage';
  /** Counts down per summarize request (default: every one). */
  times?: number;
}

interface Message {
  role: string;
  content: string;
}

/** The text of the simulated 500 (the route turns a thrown error into Ollama's `{"error": ...}`). */
export const SUMMARY_FAILURE_TEXT = 'simulated summarizer failure';
export const GARBAGE_SUMMARY = '### ... ### !!! ---';

/** True when a request is a summarize request. */
export function isSummaryRequest(messages: readonly Message[]): boolean {
  return messages.some((m) => m.role === 'system' && m.content.includes(SUMMARY_REQUEST_MARKER));
}

/** The answer to a summarize request (throws for the 'error' failure). */
export function summaryReply(messages: readonly Message[], failure?: SimSummaryFailure): string {
  if (failure && (failure.times === undefined || failure.times > 0)) {
    if (failure.times !== undefined) failure.times--;
    if (failure.kind === 'error') throw new Error(SUMMARY_FAILURE_TEXT);
    return failure.kind === 'empty' ? '' : GARBAGE_SUMMARY;
  }
  const system = messages.find((m) => m.role === 'system' && m.content.includes(SUMMARY_REQUEST_MARKER))?.content ?? '';
  const request = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const words = Number(/at most about (\d+) words/.exec(system)?.[1] ?? 200);
  const unique = (xs: string[]) => [...new Set(xs)];
  const files = unique(request.match(/[\w./-]+\.(?:ts|tsx|js|json|md|py)\b/g) ?? []);
  const symbols = unique([...request.matchAll(/`([A-Za-z_$][\w$.]*)`/g)].map((m) => m[1])).filter((s) => !files.includes(s));
  const sentences = request.split(/(?<=[.?!])\s+|\n+/).map((s) => s.trim());
  const decisions = unique(sentences.filter((s) => /^Decision:/i.test(s)).map((s) => s.replace(/^Decision:\s*/i, '')));
  const open = unique(sentences.filter((s) => s.endsWith('?') && !s.startsWith('>')));
  const text = [
    `Files: ${files.map((f) => `\`${f}\``).join(', ') || 'none'}`,
    `Functions and symbols: ${symbols.map((s) => `\`${s}\``).join(', ') || 'none'}`,
    `Decisions: ${decisions.join(' ') || 'none'}`,
    `Open questions: ${open.join(' ') || 'none'}`,
  ].join('\n');
  return limitWords(text, words);
}

/** The first `words` words of a text, its line breaks kept. */
function limitWords(text: string, words: number): string {
  const pieces = text.match(/\s*\S+/g) ?? [];
  return pieces.slice(0, words).join('').trim();
}
