// One summary, made in the background: the previous summary plus the newer turns, condensed by the model piece
// by piece (each piece starts from the summary so far), or the deterministic digest when the model fails, is
// refused, or answers nothing usable. Returns the record; never touches the conversation's state.
import { messageOf, type Clock } from '../runtime';
import type { Meter } from '../tokens/meter';
import { fitText } from '../tokens/truncation';
import type { HistoryMessage } from '../tokens/types';
import type { CompleteFn } from './complete';
import { digestOf } from './digest';
import { SummaryRequestCutError, SummaryWindowError, UnusableSummaryError } from './errors';
import { summaryMessageText } from './summaryMessage';
import {
  cleanSummary,
  numberTurns,
  splitIntoPieces,
  summaryPrompt,
  summarySystemPrompt,
  turnCount,
  unusableReason,
  SUMMARIZE_COMMAND,
  type NumberedMessage,
} from './summaryRequest';
import { fingerprintOf, type SummaryRecord } from './summaryState';

/** Below this many tokens for the turns of one request, summarizing with the model is pointless. */
export const MIN_PIECE_TOKENS = 64;
/** A job makes at most this many model requests (pieces, and re-splits of pieces that were cut). */
export const MAX_REQUESTS = 12;
/** A digest appended to a previous summary needs at least this much room; else the digest covers every turn. */
const MIN_APPENDED_DIGEST = 96;

/** What one job needs. */
export interface SummaryJobInput {
  conversationId: string;
  /** The conversation's messages [0, to) at the time the job started (a copy). */
  turns: readonly HistoryMessage[];
  /** Messages [from, to) are new to this summary; [0, from) are covered by `previous`. */
  from: number;
  /** Tokens of the messages [0, to) as they were. */
  coveredTokens: number;
  previous?: SummaryRecord;
  /** The first request as the summary message keeps it. */
  first: { text: string; cut: boolean };
  /** The condensed part's cap, in tokens. */
  cap: number;
  /** The largest summarize request (system prompt and prompt), in tokens. */
  requestRoom: number;
  /** The summarize model's window (for the error when nothing fits). */
  window: number;
  meter: Meter;
  perMessageOverhead: number;
  complete: CompleteFn;
  signal: AbortSignal;
  clock: Clock;
}

/** Makes one summary (see the file comment). Rejects only when the signal aborts. */
export async function runSummaryJob(input: SummaryJobInput): Promise<SummaryRecord> {
  const started = input.clock.monotonic();
  const to = input.turns.length;
  const toTurn = turnCount(input.turns, to);
  const counter = { requests: 0 };
  let outcome: { body: string; trimmed: boolean; model?: string; method: 'model' | 'digest'; fallbackReason?: string };
  try {
    outcome = { ...(await condense(input, counter)), method: 'model' };
  } catch (error) {
    if (input.signal.aborted) throw error;
    outcome = { body: digestBody(input), trimmed: false, method: 'digest', fallbackReason: messageOf(error) };
  }
  const text = summaryMessageText({ toTurn, firstRequest: input.first.text, firstRequestCut: input.first.cut, body: outcome.body });
  return {
    toTurn,
    messagesCovered: to,
    fingerprint: fingerprintOf(input.turns, to),
    firstRequest: input.first.text,
    firstRequestCut: input.first.cut,
    body: outcome.body,
    method: outcome.method,
    ...(outcome.fallbackReason !== undefined ? { fallbackReason: outcome.fallbackReason } : {}),
    tokensBefore: input.coveredTokens,
    tokensAfter: input.meter.measure(text) + input.perMessageOverhead,
    requests: counter.requests,
    trimmed: outcome.trimmed,
    createdAt: input.clock.now(),
    durationMs: Math.max(0, Math.round(input.clock.monotonic() - started)),
    ...(outcome.model !== undefined ? { model: outcome.model } : {}),
  };
}

/** The model's summary: each piece of turns condensed into the summary so far. Throws when it cannot be made. */
async function condense(input: SummaryJobInput, counter: { requests: number }): Promise<{ body: string; trimmed: boolean; model?: string }> {
  const { meter, cap, previous } = input;
  const overhead = input.perMessageOverhead;
  const system = summarySystemPrompt(cap);
  const messages = numberTurns(input.turns, input.from, input.turns.length);
  const prev = previous ? { toTurn: previous.toTurn, body: previous.body } : undefined;
  // Everything of a request but its turns: the instructions, the first request, and the summary so far (the
  // previous one, or a partial one of at most `cap` tokens once the first piece is done).
  const frame = meter.measure(summaryPrompt({ firstRequest: input.first.text, previous: prev, messages: [] }));
  const growth = Math.max(0, cap - (prev ? meter.measure(prev.body) : 0));
  const fixed = meter.measure(system) + 2 * overhead + frame + growth;
  const pieceBudget = input.requestRoom - fixed;
  if (pieceBudget < MIN_PIECE_TOKENS) throw new SummaryWindowError(input.window, input.requestRoom, fixed, MIN_PIECE_TOKENS);
  const queue: NumberedMessage[][] = splitIntoPieces(messages, pieceBudget, meter);
  let summary = prev;
  let trimmed = false;
  let model: string | undefined;
  while (queue.length > 0) {
    const piece = queue.shift()!;
    if (counter.requests >= MAX_REQUESTS) throw new SummaryRequestCutError(piece[0].turn, piece[piece.length - 1].turn, counter.requests);
    counter.requests++;
    const result = await input.complete({
      system,
      prompt: summaryPrompt({ firstRequest: input.first.text, previous: summary, messages: piece }),
      numPredict: cap,
      signal: input.signal,
      command: SUMMARIZE_COMMAND,
      conversationId: input.conversationId,
    });
    if (result.truncated) {
      // Our count and the model's disagree: the planner cut the request. Send the piece again in halves.
      if (piece.length < 2) throw new SummaryRequestCutError(piece[0].turn, piece[0].turn, counter.requests);
      const half = Math.ceil(piece.length / 2);
      queue.unshift(piece.slice(0, half), piece.slice(half));
      continue;
    }
    const cleaned = cleanSummary(result.text);
    const why = unusableReason(cleaned);
    if (why) throw new UnusableSummaryError(1, piece[piece.length - 1].turn, cleaned.length, why);
    const fit = fitText(cleaned, cap, meter, 'head');
    trimmed ||= fit.cut;
    model = result.model ?? model;
    summary = { toTurn: piece[piece.length - 1].turn, body: fit.text };
  }
  if (!summary) throw new UnusableSummaryError(1, 1, 0, 'no turns to summarize');
  return { body: summary.body, trimmed, model };
}

/** The digest in place of the model's summary: appended to the previous summary when it fits, else of every turn. */
function digestBody(input: SummaryJobInput): string {
  const { meter, cap, previous } = input;
  if (previous) {
    const room = cap - meter.measure(previous.body) - meter.measure('\n\n');
    const firstTurn = turnCount(input.turns, input.from + 1);
    if (room >= MIN_APPENDED_DIGEST) return `${previous.body}\n\n${digestOf(input.turns.slice(input.from), { meter, maxTokens: room, firstTurn })}`;
  }
  return digestOf(input.turns, { meter, maxTokens: cap, skipFirstRequest: input.first.text.length > 0 });
}
