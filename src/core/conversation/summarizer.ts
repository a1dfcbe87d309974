// Summaries of long conversations, made between turns and never on the send path: after a turn, a background job
// may start (one per conversation at a time); a send takes whatever is ready now (historyFor is synchronous), and
// without a ready summary the planner drops old turns as it always did. The original turns are never changed.
import { ConfigurationError } from '../errors';
import { silentLogger, systemClock, type Clock, type Logger } from '../runtime';
import { COMPLETION_FRACTION } from '../tokens/budgets';
import type { Meter } from '../tokens/meter';
import { fitText } from '../tokens/truncation';
import type { HistoryMessage } from '../tokens/types';
import { formatCount } from '../../shared/format';
import type { CompleteFn } from './complete';
import {
  decide,
  FIRST_REQUEST_SHARE,
  KEEP_SHARE,
  MAX_SUMMARY_TOKENS,
  SUMMARIZE_THRESHOLD,
  summaryCapOf,
  validateThreshold,
  type PolicyDecision,
  type WaitReason,
} from './summaryPolicy';
import { runSummaryJob } from './summaryJob';
import { summaryMessage, summaryMessageText } from './summaryMessage';
import { summaryInfoOf, type SummaryInfo } from './summaryInfo';
import { fingerprintOf, parseSummaryState, type SummaryRecord, type SummaryStateJSON } from './summaryState';

/** Of the summarize model's window less its answer reserve, one request uses at most this share (our count may be low). */
export const REQUEST_SHARE = 0.85;
/** A summary capped below this many tokens would say too little to be worth a request. */
export const MIN_SUMMARY_TOKENS = 48;

/** A conversation as the summarizer sees it: its id and its messages, oldest first. */
export interface SummarizerConversation {
  id: string;
  turns: readonly HistoryMessage[];
}

export interface ConversationSummarizerOptions {
  complete: CompleteFn;
  /**
   * Counts texts in the chat model's tokens, as the planner does; a function when that changes (the model's own
   * tokenizer becomes ready, the model is switched): asked at each decision, with the template's per-message cost.
   */
  meter: Meter | (() => { meter: Meter; perMessageOverhead: number });
  /** Template tokens the model adds per message (default 0; with a meter function, the function says). */
  perMessageOverhead?: number;
  /** therapist.summarize.threshold (0.5-0.95, default 0.75). */
  threshold?: number;
  /** The summarize model's window (num_ctx): sizes each request and caps the summary. */
  summaryWindow: number;
  maxSummaryTokens?: number;
  keepShare?: number;
  clock?: Clock;
  logger?: Logger;
  /** Told when a conversation's summary changes (made, undone, or dropped because the turns changed): persist, redraw. */
  onChange?: (conversationId: string, summary: SummaryInfo | undefined) => void;
}

/** What afterTurn did, with the policy's numbers. */
export type AfterTurnResult =
  | { started: true; decision: Extract<PolicyDecision, { action: 'summarize' }> }
  | { started: false; reason: 'running' | 'paused' | WaitReason; decision?: PolicyDecision };

/** The history to send now. */
export interface HistoryForResult {
  messages: HistoryMessage[];
  /** The summary in it, when one is ready and still matches the turns. */
  summary?: SummaryInfo;
  /** True while a summary is being made (the send does not wait for it). */
  summarizing: boolean;
  /**
   * Messages after the summary left out so that the summary itself fits `room` (oldest whole turns first): the
   * planner drops the oldest message first, and the summary, which holds the first request, must not be the one.
   */
  droppedMessages: number;
}

interface Job {
  promise: Promise<void>;
  abort: AbortController;
}

interface ConversationState {
  chain: SummaryRecord[];
  paused: boolean;
  /** Bumped by undo, restore and invalidation: a job started before lands nowhere. */
  generation: number;
  job?: Job;
}

/** The chat model's meter and per-message template cost, as one decision counts with them. */
interface Counting {
  meter: Meter;
  overhead: number;
}

/** Per-conversation summaries (see the file comment). */
export class ConversationSummarizer {
  private readonly states = new Map<string, ConversationState>();
  /** Every job still running, aborted ones included (an aborted request takes a moment to settle), by conversation. */
  private readonly inFlight = new Map<Promise<void>, string>();
  private threshold: number;
  private window: number;
  private readonly fixedOverhead: number;
  private readonly clock: Clock;
  private readonly logger: Logger;

  /**
   * How the chat model's texts are counted now, asked once per call (the function builds a meter: asking per
   * message would rebuild it for every turn of the conversation).
   */
  private counting(): Counting {
    const m = this.options.meter;
    if (typeof m !== 'function') return { meter: m, overhead: this.fixedOverhead };
    const now = m();
    return { meter: now.meter, overhead: now.perMessageOverhead };
  }

  constructor(private readonly options: ConversationSummarizerOptions) {
    this.threshold = validateThreshold(options.threshold ?? SUMMARIZE_THRESHOLD.default);
    this.fixedOverhead = options.perMessageOverhead ?? 0;
    this.window = validateWindow(options.summaryWindow);
    // keepShare and maxSummaryTokens are for tests and tuning, not settings.
    const keep = options.keepShare;
    if (keep !== undefined && !(keep > 0 && keep < this.threshold))
      throw new ConfigurationError('keepShare', keep, `a number above 0 and below the threshold ${this.threshold}`);
    const max = options.maxSummaryTokens;
    if (max !== undefined && (!Number.isSafeInteger(max) || max < MIN_SUMMARY_TOKENS))
      throw new ConfigurationError('maxSummaryTokens', max, `an integer of at least ${MIN_SUMMARY_TOKENS}`);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Called after a turn is complete: starts a background summary when the history has reached the threshold of
   * `room` (the planner's history room, see historyRoom). Returns at once; never more than one job per conversation.
   */
  afterTurn(conversation: SummarizerConversation, room: number): AfterTurnResult {
    const state = this.stateOf(conversation.id);
    if (state.job) return { started: false, reason: 'running' };
    if (state.paused) return { started: false, reason: 'paused' };
    if (!Number.isFinite(room) || room <= 0) return { started: false, reason: 'no-room' };
    const turns = conversation.turns;
    const current = this.validSummary(conversation.id, state, turns);
    const cap = summaryCapOf(room, this.window, this.options.maxSummaryTokens ?? MAX_SUMMARY_TOKENS);
    if (cap < MIN_SUMMARY_TOKENS) return { started: false, reason: 'no-room' };
    const { meter, overhead } = this.counting();
    const first = this.firstRequestPart(turns, room, meter);
    const emptySummary = summaryMessageText({ toTurn: turns.length, firstRequest: first.text, firstRequestCut: first.cut, body: '' });
    const decision = decide({
      turns,
      costs: turns.map((m) => meter.measure(m.content) + overhead),
      room,
      threshold: this.threshold,
      keepShare: this.options.keepShare ?? KEEP_SHARE,
      covered: current?.messagesCovered ?? 0,
      summaryTokens: current?.tokensAfter ?? 0,
      // +1: the body joins the header on a token boundary that may cost one more.
      newSummaryTokens: meter.measure(emptySummary) + cap + overhead + 1,
    });
    if (decision.action === 'wait') return { started: false, reason: decision.reason, decision };
    this.start(conversation.id, state, turns, decision, current, first, cap, { meter, overhead });
    return { started: true, decision };
  }

  /**
   * The history to send now: the ready summary and the turns after it, else the raw turns. Never waits. With `room`
   * (this send's history room, see historyRoom), the oldest turns after the summary are left out while the history
   * is larger, so that the planner never has to drop the summary; the newest turn is always sent.
   */
  historyFor(conversation: SummarizerConversation, room?: number): HistoryForResult {
    const state = this.states.get(conversation.id);
    const turns = conversation.turns;
    const current = state && this.validSummary(conversation.id, state, turns);
    const summarizing = state?.job !== undefined;
    if (!state || !current) return { messages: turns.map(copy), summarizing, droppedMessages: 0 };
    let from = current.messagesCovered;
    if (room !== undefined) {
      const { meter, overhead } = this.counting();
      const cost = (m: HistoryMessage) => meter.measure(m.content) + overhead;
      let total = current.tokensAfter + turns.slice(from).reduce((sum, m) => sum + cost(m), 0);
      const lastStart = turns.map((m) => m.role).lastIndexOf('user');
      while (total > room && from < lastStart) {
        // Whole turns only: a request goes with its answer.
        let next = from + 1;
        while (next < lastStart && turns[next].role !== 'user') next++;
        for (let i = from; i < next; i++) total -= cost(turns[i]);
        from = next;
      }
    }
    return {
      messages: [summaryMessage(current), ...turns.slice(from).map(copy)],
      summary: summaryInfoOf(current, state.chain.length),
      summarizing,
      droppedMessages: from - current.messagesCovered,
    };
  }

  /** Drops the conversation's summaries (its raw turns are sent again) and makes no new one until resume(). */
  undo(conversationId: string): boolean {
    const state = this.states.get(conversationId);
    if (!state || (state.chain.length === 0 && !state.job)) return false;
    this.reset(state);
    state.paused = true;
    this.options.onChange?.(conversationId, undefined);
    return true;
  }

  /**
   * Applies changed settings from the next afterTurn on (a running job finishes with the old ones): the threshold,
   * and the summarize model's window when therapist.summarize.model changes. An invalid value throws and changes nothing.
   */
  updateOptions(partial: { threshold?: number; summaryWindow?: number }): void {
    const threshold = partial.threshold !== undefined ? validateThreshold(partial.threshold) : this.threshold;
    const window = partial.summaryWindow !== undefined ? validateWindow(partial.summaryWindow) : this.window;
    const keep = this.options.keepShare;
    if (keep !== undefined && keep >= threshold) throw new ConfigurationError('therapist.summarize.threshold', threshold, `a number above keepShare ${keep}`);
    this.threshold = threshold;
    this.window = window;
  }

  /** Allows summaries again after undo (the next afterTurn may start one). */
  resume(conversationId: string): void {
    const state = this.states.get(conversationId);
    if (state) state.paused = false;
  }

  /** The summary in force, if any (not checked against the turns: historyFor does that). */
  summaryOf(conversationId: string): SummaryInfo | undefined {
    const state = this.states.get(conversationId);
    const latest = state?.chain[state.chain.length - 1];
    return latest && summaryInfoOf(latest, state.chain.length);
  }

  /** True after undo() until resume(): no summary is sent or made (kept in toJSON, so it survives a reload). */
  isPaused(conversationId: string): boolean {
    return this.states.get(conversationId)?.paused ?? false;
  }

  /** True while a summary job runs for the conversation. */
  isSummarizing(conversationId: string): boolean {
    return this.states.get(conversationId)?.job !== undefined;
  }

  /** Resolves when no job runs (for one conversation, or all): for tests and shutdown. */
  async whenIdle(conversationId?: string): Promise<void> {
    const jobs = [...this.inFlight].filter(([, id]) => conversationId === undefined || id === conversationId).map(([p]) => p);
    await Promise.all(jobs);
  }

  /** The state to keep with the conversation (undefined when there is nothing to keep). */
  toJSON(conversationId: string): SummaryStateJSON | undefined {
    const state = this.states.get(conversationId);
    if (!state || (state.chain.length === 0 && !state.paused)) return undefined;
    return structuredClone({ version: 1, paused: state.paused, chain: state.chain });
  }

  /** Restores kept state; throws SummaryStateError (and keeps nothing) when it is not valid. */
  fromJSON(conversationId: string, data: unknown): void {
    const parsed = parseSummaryState(conversationId, data);
    const state = this.stateOf(conversationId);
    this.reset(state);
    state.chain = parsed.chain;
    state.paused = parsed.paused;
  }

  /** Forgets a conversation (deleted): stops its job. */
  forget(conversationId: string): void {
    const state = this.states.get(conversationId);
    if (state) this.reset(state);
    this.states.delete(conversationId);
  }

  /** Stops every job. */
  dispose(): void {
    for (const state of this.states.values()) this.reset(state);
  }

  private stateOf(id: string): ConversationState {
    let state = this.states.get(id);
    if (!state) {
      state = { chain: [], paused: false, generation: 0 };
      this.states.set(id, state);
    }
    return state;
  }

  /** Drops the summaries and any running job. */
  private reset(state: ConversationState): void {
    state.generation++;
    state.job?.abort.abort();
    state.job = undefined;
    state.chain = [];
  }

  /** The newest summary whose turns are unchanged; newer ones that no longer match are dropped (and said so). */
  private validSummary(id: string, state: ConversationState, turns: readonly HistoryMessage[]): SummaryRecord | undefined {
    const before = state.chain.length;
    while (state.chain.length > 0) {
      const r = state.chain[state.chain.length - 1];
      if (r.messagesCovered <= turns.length && fingerprintOf(turns, r.messagesCovered) === r.fingerprint) break;
      state.chain.pop();
    }
    if (state.chain.length < before) {
      this.logger.info(
        `conversation ${id}: ${before - state.chain.length} summar${before - state.chain.length === 1 ? 'y' : 'ies'} dropped: the turns they cover changed`,
      );
      // A job started on the old turns would land on the new ones.
      state.generation++;
      state.job?.abort.abort();
      state.job = undefined;
      this.options.onChange?.(id, this.summaryOf(id));
    }
    return state.chain[state.chain.length - 1];
  }

  /** The first request as the summary keeps it: whole, or its start and end when longer than its share. */
  private firstRequestPart(turns: readonly HistoryMessage[], room: number, meter: Meter): { text: string; cut: boolean } {
    const first = turns[0];
    if (!first || first.role !== 'user') return { text: '', cut: false };
    const budget = Math.min(Math.floor(FIRST_REQUEST_SHARE * room), Math.floor(0.2 * this.requestRoom()));
    const fit = fitText(first.content, budget, meter, 'middle');
    return { text: fit.text, cut: fit.cut };
  }

  /** The largest summarize request, in tokens: a share of what the summarize model's window leaves after its answer. */
  private requestRoom(): number {
    const window = this.window;
    return Math.floor(REQUEST_SHARE * (window - Math.ceil(COMPLETION_FRACTION * window)));
  }

  private start(
    id: string,
    state: ConversationState,
    turns: readonly HistoryMessage[],
    decision: Extract<PolicyDecision, { action: 'summarize' }>,
    previous: SummaryRecord | undefined,
    first: { text: string; cut: boolean },
    cap: number,
    counting: Counting,
  ): void {
    const abort = new AbortController();
    const generation = state.generation;
    // A copy: the job summarizes the turns as they are now, whatever happens to the conversation meanwhile.
    const snapshot = turns.slice(0, decision.to).map(copy);
    const run = async () => {
      // Off the caller's tick: afterTurn returns before any of the job's work.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const record = await runSummaryJob({
        conversationId: id,
        turns: snapshot,
        from: decision.from,
        coveredTokens: decision.coveredTokens,
        previous,
        first,
        cap,
        requestRoom: this.requestRoom(),
        window: this.window,
        meter: counting.meter,
        perMessageOverhead: counting.overhead,
        complete: this.options.complete,
        signal: abort.signal,
        clock: this.clock,
      });
      if (state.generation !== generation || abort.signal.aborted) return;
      state.chain.push(record);
      const how =
        record.method === 'model' ? `by the model in ${record.requests} request${record.requests === 1 ? '' : 's'}` : `as a digest (${record.fallbackReason})`;
      const line = `conversation ${id}: turns 1-${record.toTurn} summarized ${how}: ${formatCount(record.tokensBefore)} -> ${formatCount(record.tokensAfter)} tokens, ${record.durationMs} ms`;
      if (record.method === 'model') this.logger.info(line);
      else this.logger.warn(line);
      landed = summaryInfoOf(record, state.chain.length);
    };
    // Told once the job is over, so that whoever is told sees no summary still being made.
    let landed: SummaryInfo | undefined;
    const promise = run()
      .catch((error: unknown) => {
        if (!abort.signal.aborted) this.logger.error(`conversation ${id}: the summary job failed`, error);
      })
      .finally(() => {
        if (state.job?.abort === abort) state.job = undefined;
        this.inFlight.delete(promise);
        if (landed) this.options.onChange?.(id, landed);
      });
    state.job = { promise, abort };
    this.inFlight.set(promise, id);
  }
}

/** The summarize model's window comes from its facts; below 256 tokens no request could hold the instructions. */
function validateWindow(window: number): number {
  if (!Number.isSafeInteger(window) || window < 256) {
    throw new ConfigurationError('summaryWindow', window, "an integer of at least 256 (the summarize model's window, in tokens)");
  }
  return window;
}

function copy(m: HistoryMessage): HistoryMessage {
  return { role: m.role, content: m.content };
}
