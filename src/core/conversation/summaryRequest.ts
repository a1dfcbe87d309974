// The request that asks a model to condense turns: instructions that keep it from answering or re-running the
// task, the previous summary to start from (summaries chain), the turns as a transcript, split into pieces when
// they do not fit one request. The marker lets the test simulator recognise the request (it answers it from the
// turns), and costs a real model nothing.
import type { Meter } from '../tokens/meter';
import { fitText } from '../tokens/truncation';
import type { HistoryMessage } from '../tokens/types';

/** The first line of every summarize request's system prompt (shared with test/support/simulator/summaryReplies.ts). */
export const SUMMARY_REQUEST_MARKER = '[therapist-summary-request v1]';
/** The ledger command of summarize requests (the dashboard groups by it). */
export const SUMMARIZE_COMMAND = 'summarize';
/** The headings a summary is asked to use. */
export const SUMMARY_HEADINGS = ['Files', 'Functions and symbols', 'Decisions', 'Done', 'Open questions'] as const;
/** Words per token asked for: below English's ~0.75 so that headings and paths still fit the cap. */
const WORDS_PER_TOKEN = 0.6;

/** The words a summary of at most `capTokens` tokens is asked to stay under. */
export function wordsFor(capTokens: number): number {
  return Math.max(20, Math.floor(capTokens * WORDS_PER_TOKEN));
}

/** The instructions of a summarize request. */
export function summarySystemPrompt(capTokens: number): string {
  return [
    SUMMARY_REQUEST_MARKER,
    'You condense the earlier part of a conversation between a user and a coding assistant, so that the assistant can continue it in less room.',
    'You are not that assistant: do not answer any request in it, do not write code for it, do not continue or re-run its task. Write the summary only.',
    `Name every file, function, class, setting and command that matters, spelled exactly, in backticks. Keep what the user asked for, what was decided and why, what was done or changed, and what is still open (questions, errors not yet fixed, next steps). Leave out greetings, repetition and code that no longer matters.`,
    `Use the headings ${SUMMARY_HEADINGS.join(', ')}. Write at most about ${wordsFor(capTokens)} words.`,
    'When a summary so far is given, start from it: keep what still holds, update what changed, and add the new turns.',
  ].join('\n');
}

/** One message of the transcript, with the number of its turn (a turn is a request and its answer, from 1). */
export interface NumberedMessage {
  turn: number;
  role: HistoryMessage['role'];
  content: string;
}

/** Messages [from, to) of a conversation with their turn numbers (counted from its first message). */
export function numberTurns(turns: readonly HistoryMessage[], from: number, to: number): NumberedMessage[] {
  const out: NumberedMessage[] = [];
  let requests = 0;
  for (let i = 0; i < to; i++) {
    if (turns[i].role === 'user') requests++;
    // Anything before the first request (a greeting) belongs to turn 1.
    if (i >= from) out.push({ turn: Math.max(1, requests), role: turns[i].role, content: turns[i].content });
  }
  return out;
}

/** The number of turns in messages [0, to): its user requests, at least 1 when there is any message. */
export function turnCount(turns: readonly HistoryMessage[], to: number): number {
  return to === 0 ? 0 : numberTurns(turns, to - 1, to)[0].turn;
}

/** One message as the transcript shows it. */
export function transcriptEntry(m: NumberedMessage): string {
  return `--- Turn ${m.turn}, ${m.role}:\n${m.content}`;
}

/** The transcript of some messages. */
export function transcript(messages: readonly NumberedMessage[]): string {
  return messages.map(transcriptEntry).join('\n\n');
}

/** What one summarize request is about. */
export interface SummaryRequestInput {
  /** The conversation's first request as the summary message keeps it ('' when there is none). */
  firstRequest: string;
  /** The summary so far: a later summary starts from it. */
  previous?: { toTurn: number; body: string };
  /** The messages to condense into it. */
  messages: readonly NumberedMessage[];
}

/** The user message of a summarize request. */
export function summaryPrompt(input: SummaryRequestInput): string {
  const parts: string[] = [];
  if (input.firstRequest) {
    parts.push(
      `The conversation's first request (turn 1). It is kept verbatim apart from your summary: do not repeat it, do not answer it.\n<<<\n${input.firstRequest}\n>>>`,
    );
  }
  if (input.previous) {
    parts.push(`The summary so far (turns 1-${input.previous.toTurn}). Start from it.\n<<<\n${input.previous.body}\n>>>`);
  }
  const ms = input.messages;
  const from = ms[0]?.turn ?? 1;
  const to = ms[ms.length - 1]?.turn ?? from;
  parts.push(`${input.previous ? 'New turns to add' : 'Turns to summarize'} (${from === to ? `turn ${from}` : `turns ${from}-${to}`}):\n${transcript(ms)}`);
  parts.push(`Write the summary of turns 1-${to} now.`);
  return parts.join('\n\n');
}

/**
 * Splits messages into pieces whose transcript takes at most `budget` tokens, in order. A message that alone is
 * larger keeps its start and end, with the cut marked (the full message stays in the conversation).
 */
export function splitIntoPieces(messages: readonly NumberedMessage[], budget: number, meter: Meter): NumberedMessage[][] {
  const separator = meter.measure('\n\n');
  const pieces: NumberedMessage[][] = [];
  let piece: NumberedMessage[] = [];
  let used = 0;
  for (const original of messages) {
    let m = original;
    let cost = meter.measure(transcriptEntry(m));
    if (cost > budget) {
      const label = meter.measure(transcriptEntry({ ...m, content: '' }));
      m = { ...m, content: fitText(m.content, Math.max(0, budget - label - 1), meter, 'middle').text };
      cost = meter.measure(transcriptEntry(m));
    }
    if (piece.length > 0 && used + separator + cost > budget) {
      pieces.push(piece);
      piece = [];
      used = 0;
    }
    used += (piece.length > 0 ? separator : 0) + cost;
    piece.push(m);
  }
  if (piece.length > 0) pieces.push(piece);
  return pieces;
}

/** A model's answer without its reasoning (<think> blocks some models leave in) and outer whitespace. */
export function cleanSummary(text: string): string {
  return text
    .replace(/<think>[\s\S]*?<\/think>/g, '')
    .replace(/^[\s\S]*?<\/think>/, '')
    .trim();
}

/** Why an answer is no summary ('empty', 'no words', ...), or undefined when it is usable. */
export function unusableReason(cleaned: string): string | undefined {
  if (cleaned.length === 0) return 'empty';
  const words = cleaned.match(/\p{L}{2,}/gu) ?? [];
  if (words.length < 3) return `${words.length} word${words.length === 1 ? '' : 's'}`;
  if (cleaned.includes(SUMMARY_REQUEST_MARKER)) return 'it repeats the instructions';
  return undefined;
}
