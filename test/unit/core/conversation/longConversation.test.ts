// The 40-turn conversation of issue 13 in a 4,096-token window, end to end: ModelIntegration against the Ollama
// simulator (which answers summarize requests from their turns), a real ledger on disk, and the summarizer driven
// between turns as the host drives it. Prints the measured numbers.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { completeVia, type CompleteFn } from '../../../../src/core/conversation/complete';
import { historyRoom } from '../../../../src/core/conversation/historyRoom';
import { ConversationSummarizer } from '../../../../src/core/conversation/summarizer';
import type { SummaryInfo } from '../../../../src/core/conversation/summaryInfo';
import { SUMMARY_REQUEST_MARKER } from '../../../../src/core/conversation/summaryRequest';
import { LedgerService } from '../../../../src/core/ledger/ledgerService';
import type { LedgerLimits } from '../../../../src/core/ledger/types';
import { silentLogger } from '../../../../src/core/runtime';
import type { HistoryMessage } from '../../../../src/core/tokens/types';
import { ModelIntegration } from '../../../../src/modelIntegration';
import { TokenCounter } from '../../../../src/tokenCounter';
import { OllamaSimulator, type SimRequestRecord } from '../../../support/ollamaSimulator';
import { SUMMARY_FAILURE_TEXT } from '../../../support/simulator/summaryReplies';
import { instantSleepClock } from '../../../support/ollamaTestKit';
import { charMeter } from './kit';

const WINDOW = 4096;
const BUDGETS = { systemTokenBudget: 0.2, userTokenBudget: 0.3, contextTokenBudget: 0.5 };
const UNLIMITED: LedgerLimits = { dailyTokens: 0, monthlyTokens: 0, conversationTokens: 0, tokensPerMinute: 0 };
const FIRST =
  'Task: refactor `parseConfig` in src/config/parse.ts so that every ConfigError carries the line number where parsing failed. Keep the public API of src/config/index.ts unchanged.';
const request = (i: number) =>
  i === 1
    ? FIRST
    : `Turn ${i}: in src/feature${i % 7}/module${i}.ts, change \`handle${i}\` to validate its input and log failures with the line number. Decision: errors stay typed. Should \`retry${i}\` back off before it gives up?`;
type ChatBody = { messages: { role: string; content: string }[] };
/** Holds summarize requests back until sends have completed (see the first test). */
type Gate = { started(): void; sent(): void; held(): boolean };
type Send = { pending: boolean; heldAtStart: boolean; heldAtEnd: boolean; ms: number; historyMs: number };
type Started = { turn: number; historyTokens: number; room: number; at: number };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a 40-turn conversation in a 4,096-token window, summarized in the background', function () {
  this.timeout(30_000);
  let sim: OllamaSimulator;
  let dir: string;
  let counter: TokenCounter;
  let ledger: LedgerService;
  before(() => {
    counter = new TokenCounter();
    counter.countTokens('warm up');
  });
  after(() => counter.dispose());
  beforeEach(async () => {
    sim = new OllamaSimulator({
      models: [
        { name: 'coder:7b', contextLength: WINDOW, reply: { echo: true, prefix: 'Done. ' } },
        // The summarize model (therapist.summarize.model): slower to start than the chat model.
        { name: 'summarizer:1b', contextLength: WINDOW, timeToFirstTokenMs: 40 },
      ],
    });
    await sim.start();
    dir = mkdtempSync(path.join(tmpdir(), 'therapist-summaries-'));
    ledger = new LedgerService({ path: path.join(dir, 'token-ledger.jsonl'), limits: UNLIMITED, logger: silentLogger });
  });
  afterEach(async () => {
    await ledger.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const integration = (model: string) =>
    new ModelIntegration({ ollamaUrl: sim.url, model, maxTokens: WINDOW, tokenCounter: counter, clock: instantSleepClock(), ledger, ...BUDGETS });
  const chatsOf = (model: string) => sim.requests.filter((r) => r.path === '/api/chat' && r.model === model && r.status === 200);
  const over = (r: SimRequestRecord) =>
    (r.promptTokens ?? Infinity) > (r.effectiveNumCtx ?? 0) || (r.promptTokens ?? 0) + Number(r.numPredict) > (r.effectiveNumCtx ?? 0);

  /** Runs `turns` turns as the host would: history from the summarizer, send, then afterTurn with the planner's room. */
  async function converse(
    summarizer: ConversationSummarizer,
    turns: number,
    opts: { id: string; gate?: Gate; thinkMs?: number; settle?: boolean },
  ): Promise<{ messages: HistoryMessage[]; sends: Send[]; historyDropped: number; leftOut: number; started: Started[] }> {
    const chat = integration('coder:7b');
    const messages: HistoryMessage[] = [];
    const sends: Send[] = [];
    const started: Started[] = [];
    let historyDropped = 0;
    let leftOut = 0;
    let lastRoom: number | undefined;
    for (let i = 1; i <= turns; i++) {
      const t0 = performance.now();
      const pending = summarizer.isSummarizing(opts.id);
      const heldAtStart = opts.gate?.held() ?? false;
      const { messages: history, droppedMessages } = summarizer.historyFor({ id: opts.id, turns: messages }, lastRoom);
      leftOut += droppedMessages;
      const historyMs = performance.now() - t0;
      const result = await chat.generateResponse(request(i), [], { history, conversationId: opts.id, command: 'chat' });
      sends.push({ pending, heldAtStart, heldAtEnd: opts.gate?.held() ?? false, ms: performance.now() - t0, historyMs });
      if (result.truncatedSections.includes('history')) historyDropped++;
      messages.push({ role: 'user', content: request(i) }, { role: 'assistant', content: result.text });
      opts.gate?.sent();
      const u = result.usage;
      const room = historyRoom({
        limit: u.limit,
        completionReserve: u.completionReserve,
        systemTokens: u.perSection.system,
        budgets: BUDGETS,
        userTokens: u.perSection.user,
        contextTokens: u.perSection.context,
      });
      lastRoom = room;
      const r = summarizer.afterTurn({ id: opts.id, turns: messages }, room);
      if (r.started) {
        started.push({ turn: i, historyTokens: r.decision.historyTokens, room, at: performance.now() });
        opts.gate?.started();
      }
      // Tests of what a summary holds (not of timing) let each job finish before the next send.
      if (opts.settle) await summarizer.whenIdle(opts.id);
      // The user reads the answer before the next request.
      if (opts.thinkMs) await sleep(opts.thinkMs);
    }
    return { messages, sends, historyDropped, leftOut, started };
  }

  it('every prompt fits, the first request is in every prompt, no send waits, Undo restores the turns, the ledger shows the summaries', async () => {
    // Each summary is held back until two more sends have completed: a send that waited for it would never end.
    const inner = completeVia(integration('summarizer:1b'));
    const waiting: (() => void)[] = [];
    let held = false;
    let sendsHeld = 0;
    const complete: CompleteFn = async (req) => {
      if (held) await new Promise<void>((go) => waiting.push(go));
      return inner(req);
    };
    const gate: Gate = {
      started: () => ((held = true), (sendsHeld = 0)),
      sent: () => {
        if (!held || ++sendsHeld < 2) return;
        held = false;
        for (const go of waiting.splice(0)) go();
      },
      held: () => held,
    };
    const landed: { info: SummaryInfo; at: number }[] = [];
    const summarizer = new ConversationSummarizer({
      complete,
      meter: charMeter(0.3),
      perMessageOverhead: 4,
      summaryWindow: WINDOW,
      onChange: (_id, info) => info && landed.push({ info, at: performance.now() }),
    });
    const run = await converse(summarizer, 40, { id: 'c40', gate, thinkMs: 25 });
    held = false;
    for (const go of waiting.splice(0)) go();
    await summarizer.whenIdle();

    const chats = chatsOf('coder:7b');
    assert.equal(chats.length, 40);
    const overWindow = chats.filter(over).length;
    const withFirst = chats.filter((r) => (r.body as ChatBody).messages.some((m) => m.content.includes(FIRST))).length;
    // A send that started while its summary was held back waited on it if it did not end before the summary was let go.
    const overlapping = run.sends.filter((s) => s.pending);
    const heldBack = run.sends.filter((s) => s.heldAtStart);
    const waited = heldBack.filter((s) => !s.heldAtEnd).length;
    const jobMs = landed.map(({ at }, k) => at - run.started[k].at);
    const summaries = chatsOf('summarizer:1b');
    const log = (await ledger.ledger()).requestLog();
    const summarizeLog = log.filter((r) => r.command === 'summarize');
    const maxHistoryMs = Math.max(...run.sends.map((s) => s.historyMs));
    const largest = Math.max(...chats.map((r) => r.promptTokens ?? 0));
    const maxOverlapMs = Math.max(...overlapping.map((s) => s.ms));
    console.log(
      `      40 turns, ${WINDOW}-token window: prompts over the window ${overWindow}/${chats.length + summaries.length} (largest chat prompt ${largest} + ${Number(chats[0].numPredict)} reserved); ` +
        `first request in ${((100 * withFirst) / chats.length).toFixed(0)}% of prompts; sends waiting on a summary ${waited} ` +
        `(${overlapping.length} sends ran while a summary was being made, ${heldBack.length} of them while it was held back; slowest ${maxOverlapMs.toFixed(0)} ms; ` +
        `historyFor at most ${maxHistoryMs.toFixed(2)} ms; summaries took ${jobMs.map((ms) => ms.toFixed(0)).join(', ')} ms from start to landing); ` +
        `history dropped by the planner in ${run.historyDropped} sends; summaries made ${landed.length} (${summarizeLog.length} summarize requests in the ledger)`,
    );
    for (const [k, { info }] of landed.entries()) {
      const s = run.started[k];
      console.log(
        `      summary ${k + 1}: started after turn ${s.turn} at ${s.historyTokens}/${s.room} tokens of history room; turns 1-${info.turns}: ${info.tokensBefore} -> ${info.tokensAfter} tokens (${info.method})`,
      );
    }

    assert.equal(overWindow, 0);
    for (const r of [...chats, ...summaries]) assert.equal(r.truncated, false, `request ${r.id} was cut by the server`);
    assert.equal(withFirst, 40, 'the first request is present verbatim in every prompt');
    assert.equal(run.historyDropped, 0, 'summaries were ready before the planner had to drop anything');
    assert.equal(run.leftOut, 0, 'and before historyFor had to leave turns out to keep the summary');
    assert.ok(landed.length >= 2, `${landed.length} summaries: at least one chained on another`);
    assert.ok(
      run.started.every((s) => s.historyTokens < s.room),
      'every summary started before the history reached its room',
    );
    assert.equal(heldBack.length, 2 * landed.length, 'every summary was held back for two sends');
    assert.ok(overlapping.length >= heldBack.length);
    assert.equal(waited, 0);
    assert.ok(maxHistoryMs < 50, `historyFor took ${maxHistoryMs} ms`);
    assert.ok(landed.every(({ info }) => info.method === 'model' && info.tokensAfter < info.tokensBefore));

    // Chaining: each summarize request after the first holds the previous summary's condensed text.
    assert.equal(summaries.length, summarizeLog.length);
    for (const r of summaries) assert.ok((r.body as ChatBody).messages[0].content.startsWith(SUMMARY_REQUEST_MARKER));
    for (let k = 1; k < landed.length; k++) {
      const prompt = (summaries[k].body as ChatBody).messages.at(-1)!.content;
      const body = landed[k - 1].info.text.split('condensed:\n')[1];
      assert.ok(
        prompt.includes(`The summary so far (turns 1-${landed[k - 1].info.turns}). Start from it.\n<<<\n${body}\n>>>`),
        `summary ${k + 1} starts from summary ${k}`,
      );
    }

    // The ledger: every summarize request recorded under its command, charged to the conversation.
    assert.deepEqual(
      summarizeLog.map((r) => [r.command, r.conversation, r.model, r.outcome]),
      summaries.map(() => ['summarize', 'c40', 'summarizer:1b', 'ok']),
    );
    assert.equal(log.filter((r) => r.command === 'chat').length, 40);
    assert.deepEqual(
      summarizeLog.map((r) => r.promptTokens),
      summaries.map((r) => r.promptEvalCount),
    );

    // Undo: the raw turns come back, and the planner drops old turns again, saying so.
    assert.equal(summarizer.undo('c40'), true);
    const raw = summarizer.historyFor({ id: 'c40', turns: run.messages });
    assert.deepEqual(raw.messages, run.messages);
    const next = await integration('coder:7b').generateResponse(request(41), [], { history: raw.messages, conversationId: 'c40' });
    assert.ok(next.truncatedSections.includes('history'));
    const cut = next.notices.find((n) => n.kind === 'truncated');
    assert.ok(cut && cut.kind === 'truncated' && cut.droppedMessages > 0, 'the panel is told how many old messages were dropped');
    console.log(`      after Undo: ${raw.messages.length} raw messages back; the next send dropped ${cut.droppedMessages} old messages and said so`);
  });

  it('falls back to the digest when the summarize model fails, and the ledger shows the failed request', async () => {
    sim.configureModel({ name: 'summarizer:1b', summaryFailure: { kind: 'error' } });
    const summarizer = new ConversationSummarizer({
      complete: completeVia(integration('summarizer:1b')),
      meter: charMeter(0.3),
      perMessageOverhead: 4,
      summaryWindow: WINDOW,
    });
    const run = await converse(summarizer, 24, { id: 'c-fail', settle: true });
    await summarizer.whenIdle();
    const info = summarizer.summaryOf('c-fail');
    assert.ok(info, 'a summary was made');
    assert.equal(info.method, 'digest');
    assert.match(info.fallbackReason ?? '', new RegExp(`HTTP 500 .*${SUMMARY_FAILURE_TEXT}`));
    assert.ok(info.text.includes(`verbatim:\n${FIRST}\n`));
    assert.match(info.text, /condensed:\nDigest of turns 1-\d+ \(made without a model/);
    const sent = summarizer.historyFor({ id: 'c-fail', turns: run.messages }).messages;
    assert.equal(sent[0].content, info.text, 'the digest is sent in place of the turns it covers');
    const log = (await ledger.ledger()).requestLog().filter((r) => r.command === 'summarize');
    assert.ok(log.length >= 1 && log.every((r) => r.outcome === 'failed'), JSON.stringify(log.map((r) => r.outcome)));
    console.log(
      `      summarize model failing: digest of turns 1-${info.turns}, ${info.tokensBefore} -> ${info.tokensAfter} tokens; ${log.length} failed summarize request(s) in the ledger`,
    );
  });

  it('falls back to the digest when the ledger refuses the summarize request, and records the refusal', async () => {
    const inner = completeVia(integration('summarizer:1b'));
    // The conversation's cap is reached just as the summary is asked for (and lifted again for the next send).
    const complete: CompleteFn = async (req) => {
      ledger.setLimits({ ...UNLIMITED, conversationTokens: 1 });
      try {
        return await inner(req);
      } finally {
        ledger.setLimits(UNLIMITED);
      }
    };
    const summarizer = new ConversationSummarizer({ complete, meter: charMeter(0.3), perMessageOverhead: 4, summaryWindow: WINDOW });
    await converse(summarizer, 24, { id: 'c-quota', settle: true });
    await summarizer.whenIdle();
    const info = summarizer.summaryOf('c-quota')!;
    assert.equal(info.method, 'digest');
    assert.match(info.fallbackReason ?? '', /this conversation's cap of 1 tokens.*Nothing was sent/);
    const log = (await ledger.ledger()).requestLog().filter((r) => r.command === 'summarize');
    assert.deepEqual(
      log.map((r) => [r.conversation, r.outcome]),
      [['c-quota', 'refused']],
    );
    assert.equal(chatsOf('summarizer:1b').length, 0, 'nothing was sent to the summarize model');
  });
});
