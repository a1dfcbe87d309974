import { strict as assert } from 'node:assert';
import type { CompleteFn, CompleteRequest, CompleteResult } from '../../../../src/core/conversation/complete';
import { SummaryStateError } from '../../../../src/core/conversation/errors';
import { ConversationSummarizer, type ConversationSummarizerOptions } from '../../../../src/core/conversation/summarizer';
import type { SummaryInfo } from '../../../../src/core/conversation/summaryInfo';
import { SUMMARY_REQUEST_MARKER } from '../../../../src/core/conversation/summaryRequest';
import { ConfigurationError } from '../../../../src/core/errors';
import type { HistoryMessage } from '../../../../src/core/tokens/types';
import { charMeter, pairs } from './kit';

const FIRST = 'Task: refactor `parseConfig` in src/config/parse.ts so that errors carry line numbers; keep the public API.';
const request = (i: number) => (i === 1 ? FIRST : `Request ${i}: update \`handler${i}\` in src/mod${i}.ts, then run the tests.`);
const conversation = (n: number, id = 'c1') => ({ id, turns: pairs(Array.from({ length: n }, (_, i) => request(i + 1))) });
const meter = charMeter(0.3);
const cost = (ms: readonly HistoryMessage[]) => ms.reduce((s, m) => s + meter.measure(m.content), 0);
const ROOM = 3000;
const SUMMARY = 'Files: `src/config/parse.ts`\nDecisions: keep the public API.\nOpen questions: none';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A model that records its requests and answers with `answer`. */
function fakeModel(answer: (req: CompleteRequest, n: number) => Promise<CompleteResult> | CompleteResult = () => ({ text: SUMMARY })) {
  const requests: CompleteRequest[] = [];
  const complete: CompleteFn = async (req) => {
    requests.push(req);
    return answer(req, requests.length);
  };
  return { requests, complete };
}

const make = (complete: CompleteFn, extra: Partial<ConversationSummarizerOptions> = {}) =>
  new ConversationSummarizer({ complete, meter, summaryWindow: 4096, ...extra });

/** The number of pairs at which the first summary starts (the test's turns are ~45 tokens a pair). */
function firstTrigger(s: ConversationSummarizer): number {
  for (let n = 1; n < 300; n++) {
    const r = s.afterTurn(conversation(n), ROOM);
    if (r.started) return n;
  }
  throw new Error('never started');
}

describe('ConversationSummarizer', () => {
  it('starts one background job at the threshold, never a second while it runs, and never makes a send wait', async () => {
    const gate = deferred<CompleteResult>();
    const model = fakeModel(() => gate.promise);
    const s = make(model.complete);
    const below = s.afterTurn(conversation(5), ROOM);
    assert.deepEqual([below.started, !below.started && below.reason], [false, 'below-threshold']);
    const n = firstTrigger(s);
    const started = s.afterTurn(conversation(n + 1), ROOM);
    assert.deepEqual([started.started, !started.started && started.reason], [false, 'running'], 'a newer turn does not start a second job');
    assert.equal(model.requests.length, 0, 'afterTurn returns before the job does anything');
    // A send while the job runs: the raw turns, at once.
    const during = s.historyFor(conversation(n + 1));
    assert.deepEqual(during.messages, conversation(n + 1).turns);
    assert.deepEqual([during.summarizing, during.summary], [true, undefined]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(model.requests.length, 1);
    gate.resolve({ text: SUMMARY, model: 'fake' });
    await s.whenIdle();
    assert.equal(s.isSummarizing('c1'), false);

    const req = model.requests[0];
    assert.deepEqual([req.command, req.conversationId, req.numPredict], ['summarize', 'c1', 410]);
    assert.ok(req.system.startsWith(SUMMARY_REQUEST_MARKER));
    assert.ok(req.prompt.includes(`<<<\n${FIRST}\n>>>`), 'the request shows the first request, not to be answered');
    assert.ok(meter.measure(req.system) + meter.measure(req.prompt) <= 3133, 'the request fits 85% of what the window leaves after the answer');

    const after = s.historyFor(conversation(n + 1));
    const info = after.summary!;
    const [summary, ...kept] = after.messages;
    assert.equal(summary.role, 'system');
    assert.ok(summary.content.includes(`verbatim:\n${FIRST}\n\n`), 'the first request is its own verbatim part');
    assert.ok(summary.content.endsWith(`condensed:\n${SUMMARY}`));
    assert.deepEqual(kept, conversation(n + 1).turns.slice(info.messages), 'the turns after the summary are sent whole');
    assert.equal(info.messages % 2, 0, 'a request and its answer are summarized together');
    assert.equal(info.turns, info.messages / 2);
    assert.equal(info.tokensBefore, cost(conversation(n).turns.slice(0, info.messages)));
    assert.equal(info.tokensAfter, meter.measure(summary.content));
    assert.ok(info.tokensAfter < info.tokensBefore);
    assert.deepEqual([info.method, info.model, info.requests, info.trimmed, info.chainLength], ['model', 'fake', 1, false, 1]);
    assert.ok(cost(after.messages) <= 0.5 * ROOM + cost(conversation(n + 1).turns.slice(-2)), 'summary + kept turns: about half the room');
    assert.deepEqual(s.summaryOf('c1'), info);
  });

  it('chains: the next summary starts from the previous one and covers more turns', async () => {
    const model = fakeModel((_req, k) => ({ text: `${SUMMARY}\nSummary number ${k}.` }));
    const s = make(model.complete);
    const n = firstTrigger(s);
    await s.whenIdle();
    const first = s.summaryOf('c1')!;
    let m = n;
    while (!s.afterTurn(conversation(++m), ROOM).started) assert.ok(m < 400);
    await s.whenIdle();
    const second = s.summaryOf('c1')!;
    assert.equal(model.requests.length, 2);
    assert.ok(model.requests[1].prompt.includes(`The summary so far (turns 1-${first.turns}). Start from it.\n<<<\n${SUMMARY}\nSummary number 1.\n>>>`));
    assert.ok(model.requests[1].prompt.includes(`New turns to add (turns ${first.turns + 1}-${second.turns}):`));
    assert.ok(!model.requests[1].prompt.includes('--- Turn 1, user:'), 'turns already summarized are not sent again');
    assert.ok(second.turns > first.turns);
    assert.equal(second.chainLength, 2);
    assert.ok(second.text.includes(`verbatim:\n${FIRST}\n`));
    assert.ok(second.text.endsWith('Summary number 2.'));
  });

  it('falls back to the digest when the model fails or answers nothing usable, and says why', async () => {
    const cases: [() => Promise<CompleteResult> | CompleteResult, RegExp][] = [
      [() => Promise.reject(new Error('HTTP 500: simulated summarizer failure')), /^HTTP 500: simulated summarizer failure$/],
      [() => ({ text: '' }), /^The model's summary of turns 1-\d+ is unusable \(0 characters: empty\)\.$/],
      [() => ({ text: '### ... !!!' }), /unusable \(11 characters: 0 words\)/],
    ];
    for (const [answer, reason] of cases) {
      const s = make(fakeModel(answer).complete);
      const n = firstTrigger(s);
      await s.whenIdle();
      const info = s.summaryOf('c1')!;
      assert.equal(info.method, 'digest');
      assert.match(info.fallbackReason ?? '', reason);
      assert.ok(info.text.includes(`verbatim:\n${FIRST}\n`));
      const body = info.text.slice(info.text.indexOf('condensed:\n') + 'condensed:\n'.length);
      assert.ok(body.startsWith(`Digest of turns 1-${info.turns} `));
      assert.ok(body.includes(`- Turn ${info.turns}: ${request(info.turns)}\n`), 'the newest summarized request is in the digest verbatim');
      assert.ok(!body.includes(`- Turn 1: `), 'the first request is not repeated');
      assert.ok(body.includes('Files: src/config/parse.ts, src/mod2.ts, src/mod3.ts'));
      assert.ok(info.tokensAfter < info.tokensBefore);
      assert.ok(n > 0);
    }
  });

  it('sends a piece again in halves when the planner had to cut it', async () => {
    const model = fakeModel((_req, k) => (k === 1 ? { text: 'cut', truncated: true } : { text: `${SUMMARY} part ${k}` }));
    const s = make(model.complete);
    firstTrigger(s);
    await s.whenIdle();
    const info = s.summaryOf('c1')!;
    assert.deepEqual([info.method, info.requests], ['model', 3]);
    assert.ok(model.requests[2].prompt.includes(`${SUMMARY} part 2`), 'the second half starts from the first half’s summary');
    assert.ok(info.text.endsWith(`${SUMMARY} part 3`));
  });

  it('splits turns too large for one request into pieces, each starting from the summary so far, each within the request room', async () => {
    const model = fakeModel((_req, k) => ({ text: `${SUMMARY} piece ${k}` }));
    const s = make(model.complete, { summaryWindow: 2048 });
    firstTrigger(s);
    await s.whenIdle();
    const room = Math.floor(0.85 * (2048 - 205));
    assert.ok(model.requests.length >= 2, `${model.requests.length} requests`);
    for (const r of model.requests) assert.ok(meter.measure(r.system) + meter.measure(r.prompt) <= room, 'each request fits');
    for (let k = 1; k < model.requests.length; k++) assert.ok(model.requests[k].prompt.includes(`${SUMMARY} piece ${k}\n>>>`));
    assert.equal(s.summaryOf('c1')!.requests, model.requests.length);
  });

  it('uses the digest when the summarize window cannot hold the instructions and any turn', async () => {
    const model = fakeModel();
    const s = make(model.complete, { summaryWindow: 512 });
    firstTrigger(s);
    await s.whenIdle();
    const info = s.summaryOf('c1')!;
    assert.equal(model.requests.length, 0);
    assert.equal(info.method, 'digest');
    assert.match(
      info.fallbackReason ?? '',
      /^The summarize model's 512-token window leaves 391 tokens for a summarize request, of which .* take [\d,]+: less than the 64 tokens needed for the turns\.$/,
    );
  });

  it('caps the summary: a longer answer is cut at the cap, marked', async () => {
    const s = make(fakeModel(() => ({ text: `${SUMMARY}\n${'word '.repeat(400)}` })).complete);
    firstTrigger(s);
    await s.whenIdle();
    const info = s.summaryOf('c1')!;
    const body = info.text.slice(info.text.indexOf('condensed:\n') + 'condensed:\n'.length);
    assert.equal(info.trimmed, true);
    assert.ok(meter.measure(body) <= 410);
    assert.match(body, /\n\[\.\.\. \d+ tokens truncated \.\.\.\]$/);
  });

  it('keeps a first request longer than its share by its start and end, marked', async () => {
    const long = `${FIRST} ${'Details of the task. '.repeat(200)}The end of the first request.`;
    const s = make(fakeModel().complete);
    const conv = (n: number) => ({ id: 'c1', turns: pairs([long, ...Array.from({ length: n - 1 }, (_, i) => request(i + 2))]) });
    let n = 1;
    while (!s.afterTurn(conv(n), ROOM).started) n++;
    await s.whenIdle();
    const text = s.summaryOf('c1')!.text;
    assert.match(text, /verbatim, cut in the middle to fit \(the whole request is in the conversation\):\nTask: refactor/);
    assert.match(text, /\[\.\.\. \d+ tokens truncated \.\.\.\]\n[^\n]*The end of the first request\.\n\nTurns 1-/);
  });

  it("with this send's room, leaves out the oldest turns after the summary rather than let the planner drop the summary", async () => {
    const s = make(fakeModel().complete);
    const n = firstTrigger(s);
    await s.whenIdle();
    const conv = conversation(n + 3);
    const whole = s.historyFor(conv, 100_000);
    assert.equal(whole.droppedMessages, 0);
    const room = cost(whole.messages) - 200;
    const tight = s.historyFor(conv, room);
    assert.ok(tight.summary);
    assert.equal(tight.messages[0].content, whole.messages[0].content, 'the summary (and the first request in it) stays');
    assert.ok(tight.droppedMessages > 0 && tight.droppedMessages % 2 === 0, `${tight.droppedMessages} messages left out, whole turns`);
    assert.deepEqual(tight.messages.slice(1), whole.messages.slice(1 + tight.droppedMessages));
    assert.ok(cost(tight.messages) <= room);
    assert.ok(
      cost(tight.messages) + cost(whole.messages.slice(1 + tight.droppedMessages - 2, 1 + tight.droppedMessages)) > room,
      'no more is left out than needed',
    );
    const tiny = s.historyFor(conv, 1);
    assert.deepEqual(tiny.messages.slice(1), conv.turns.slice(-2), 'the newest turn is always sent');
  });

  it('undo brings the raw turns back and pauses summaries until resume', async () => {
    const changes: [string, SummaryInfo | undefined][] = [];
    const s = make(fakeModel().complete, { onChange: (id, info) => changes.push([id, info]) });
    const n = firstTrigger(s);
    await s.whenIdle();
    assert.equal(changes.length, 1);
    assert.equal(s.undo('c1'), true);
    assert.deepEqual(changes[1], ['c1', undefined]);
    assert.deepEqual(s.historyFor(conversation(n + 1)).messages, conversation(n + 1).turns);
    assert.equal(s.summaryOf('c1'), undefined);
    const paused = s.afterTurn(conversation(n + 1), ROOM);
    assert.equal(!paused.started && paused.reason, 'paused');
    assert.equal(s.undo('c1'), false, 'nothing left to undo');
    s.resume('c1');
    assert.equal(s.afterTurn(conversation(n + 1), ROOM).started, true);
    await s.whenIdle();
    assert.equal(s.summaryOf('c1')!.chainLength, 1);
  });

  it('undo while a job runs aborts it, and its answer lands nowhere', async () => {
    const gate = deferred<CompleteResult>();
    let signal: AbortSignal | undefined;
    const s = make(
      fakeModel((req) => {
        signal = req.signal;
        return gate.promise;
      }).complete,
    );
    firstTrigger(s);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(s.undo('c1'), true);
    assert.equal(signal?.aborted, true);
    gate.resolve({ text: SUMMARY });
    await s.whenIdle();
    assert.equal(s.summaryOf('c1'), undefined);
  });

  it('drops a summary whose turns changed (an edited request), and says so', async () => {
    const changes: (SummaryInfo | undefined)[] = [];
    const s = make(fakeModel().complete, { onChange: (_id, info) => changes.push(info) });
    const n = firstTrigger(s);
    await s.whenIdle();
    const edited = conversation(n);
    const turns = edited.turns.map((m, i) => (i === 2 ? { ...m, content: `${m.content} (edited)` } : m));
    assert.deepEqual(s.historyFor({ id: 'c1', turns }).messages, turns);
    assert.equal(changes.length, 2);
    assert.equal(changes[1], undefined);
    assert.equal(s.summaryOf('c1'), undefined);
  });

  it('keeps its state through JSON (for the conversation store) and refuses state that is not its own', async () => {
    const s = make(fakeModel().complete);
    const n = firstTrigger(s);
    await s.whenIdle();
    const stored = JSON.parse(JSON.stringify(s.toJSON('c1')));
    const restored = make(fakeModel().complete);
    restored.fromJSON('c1', stored);
    assert.deepEqual(restored.historyFor(conversation(n + 2)), s.historyFor(conversation(n + 2)));
    assert.equal(make(fakeModel().complete).toJSON('c1'), undefined, 'nothing to keep for an unknown conversation');
    assert.throws(() => restored.fromJSON('c1', { ...stored, version: 7 }), SummaryStateError);
    s.undo('c1');
    assert.deepEqual(s.toJSON('c1'), { version: 1, paused: true, chain: [] }, 'a paused conversation keeps being paused');
  });

  it('applies a changed threshold from the next turn on', () => {
    const s = make(fakeModel().complete);
    const n = firstTrigger(make(fakeModel().complete));
    s.updateOptions({ threshold: 0.95 });
    const r = s.afterTurn(conversation(n), ROOM);
    assert.deepEqual([r.started, !r.started && r.reason, r.decision?.triggerTokens], [false, 'below-threshold', 2850]);
    s.updateOptions({ threshold: 0.5 });
    assert.equal(s.afterTurn(conversation(n), ROOM).started, true);
  });

  it('checks its settings', () => {
    const complete = fakeModel().complete;
    assert.throws(() => make(complete, { threshold: 0.3 }), ConfigurationError);
    assert.throws(
      () => make(complete, { summaryWindow: 100 }),
      (e: unknown) => e instanceof ConfigurationError && /summaryWindow = 100: must be an integer of at least 256/.test(e.message),
    );
    assert.throws(() => make(complete, { keepShare: 0.8 }), /keepShare = 0.8: must be a number above 0 and below the threshold 0.75/);
    assert.throws(() => make(complete, { maxSummaryTokens: 10 }), /maxSummaryTokens = 10: must be an integer of at least 48/);
    const s = make(complete);
    assert.throws(() => s.updateOptions({ threshold: 0.99 }), ConfigurationError);
    assert.throws(() => s.updateOptions({ threshold: 0.6, summaryWindow: 12 }), ConfigurationError);
    for (const room of [Number.NaN, -5, 0]) {
      const r = s.afterTurn(conversation(80), room);
      assert.equal(!r.started && r.reason, 'no-room', `room ${room}`);
    }
  });
});
