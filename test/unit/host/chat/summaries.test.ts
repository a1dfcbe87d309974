import { strict as assert } from 'node:assert';
import { ConversationSummarizer, completeVia, SUMMARY_REQUEST_MARKER } from '../../../../src/core/conversation';
import { DEFAULTS, keysOf, pick } from '../../../../src/core/config';
import { FALLBACK_ENCODING, ModelIntegration } from '../../../../src/modelIntegration';
import { noticeOf } from '../../../../src/shared/notices';
import { TokenCounter } from '../../../../src/tokenCounter';
import { ChatController } from '../../../../src/host/chat/chatController';
import { ConversationStore } from '../../../../src/host/chat/conversationStore';
import { summariesOver } from '../../../../src/host/chat/conversationSummaries';
import { OllamaSimulator } from '../../../support/ollamaSimulator';
import { MapMemento, RecordingHost, RecordingPort } from './fakes';

// The chat's side of summaries, end to end in plain Node: the controller, the real summarizer and ModelIntegration
// against the simulator (which answers summarize requests deterministically), a 2048-token window.
describe('ChatController with conversation summaries', function () {
  this.timeout(60_000);
  let sim: OllamaSimulator;
  let counter: TokenCounter;
  before(async () => {
    counter = new TokenCounter(undefined, undefined, undefined, undefined, { encoding: FALLBACK_ENCODING });
    sim = new OllamaSimulator({ models: [{ name: 'coder:7b', contextLength: 2048, reply: { echo: true, prefix: 'Noted: ' } }] });
    await sim.start();
  });
  after(async () => {
    await sim.stop();
    counter.dispose();
  });

  function setup(memento = new MapMemento()) {
    const model = new ModelIntegration({ ollamaUrl: sim.url, model: 'coder:7b', maxTokens: 2048, tokenCounter: counter });
    const store = new ConversationStore(memento);
    const summarizer = new ConversationSummarizer({
      complete: completeVia(model),
      meter: () => model.meterFor(),
      summaryWindow: 2048,
      onChange: (id) => controller.summaryChanged(id),
    });
    const port = new RecordingPort();
    const controller: ChatController = new ChatController({
      backend: model,
      store,
      host: new RecordingHost(),
      getModel: () => ({ model: 'coder:7b', limit: 2048 }),
      summaries: summariesOver(
        summarizer,
        () => pick(DEFAULTS, keysOf('budgets')),
        () => undefined,
      ),
    });
    controller.attach(port);
    return { model, store, summarizer, controller, port, memento };
  }

  const FIRST = 'Task: make parseConfig in src/config.ts accept comments (lines starting with #) and keep the old behaviour otherwise.';
  const question = (i: number) =>
    `Step ${i}: ${'we looked at `parseConfig` and the tests in test/config.test.ts and decided to keep going with the plan. '.repeat(3)}`;

  it('summarizes in the background, sends the summary with the first request verbatim, keeps the turns, and Undo restores them', async () => {
    const { controller, store, summarizer, port, memento } = setup();
    await controller.handle({ type: 'ready' });
    const id = store.active().id;
    let summarizedAt = -1;
    for (let i = 0; i < 16; i++) {
      await controller.ask({ prompt: i === 0 ? FIRST : question(i) });
      if (summarizedAt < 0 && summarizer.summaryOf(id)) summarizedAt = i;
      await summarizer.whenIdle(id);
    }
    const chats = sim.requests.filter((r) => r.path === '/api/chat');
    const summarize = chats.filter((r) => JSON.stringify(r.body).includes(SUMMARY_REQUEST_MARKER));
    const sends = chats.filter((r) => !JSON.stringify(r.body).includes(SUMMARY_REQUEST_MARKER));
    assert.ok(summarize.length >= 1, 'summaries were requested');
    assert.ok(summarizedAt > 0, 'and one was ready after a few turns');
    assert.equal(sends.length, 16, 'one send per question, none waited for or replaced by a summary');
    for (const r of sends) assert.ok((r.promptTokens as number) <= 2048, `every prompt fits (${r.promptTokens})`);
    for (const r of sends.slice(1)) assert.ok(JSON.stringify(r.body).includes(JSON.stringify(FIRST).slice(1, -1)), 'the first request is in every prompt');

    const view = summarizer.summaryOf(id)!;
    assert.ok(view.turns > 0 && view.tokensAfter < view.tokensBefore, JSON.stringify(view));
    const state = controller.state();
    assert.equal(state.summary?.turns, view.turns, 'the panel state carries the summary');
    assert.ok(
      port.of('summary').some((m) => m.summary?.turns === view.turns),
      'the panel was told',
    );
    const lastUser = store
      .active()
      .messages.filter((m) => m.role === 'user')
      .at(-1)!;
    const note = noticeOf(lastUser.notices, 'summarized');
    assert.ok(note && note.turns > 0, 'the sent message says it went with the summary');
    assert.equal(store.active().messages.length, 32, 'the original turns are all kept');
    assert.ok(store.get(id)?.summaryState, 'the summary is stored with the conversation');

    // Undo: the next send has no summary and says nothing about one; the banner says it was undone.
    await controller.handle({ type: 'undoSummary' });
    assert.equal(controller.state().summary?.paused, true, 'the banner says it was undone');
    assert.equal(summarizer.summaryOf(id), undefined);
    await controller.ask({ prompt: 'One more question after the undo.' });
    const after = sim.requests.filter((r) => r.path === '/api/chat').at(-1)!;
    assert.ok(!JSON.stringify(after.body).includes('Summary of turns'), 'no summary in the prompt after Undo');
    assert.equal(noticeOf(store.active().messages.at(-2)!.notices, 'summarized'), undefined);

    // A reloaded window reads the stored summary state back.
    await store.flush();
    const again = setup(memento);
    await again.controller.handle({ type: 'ready' });
    // The undo is kept with the conversation: after a reload the banner still says so, and no summary is sent.
    assert.equal(again.controller.state().summary?.paused, true, 'the undo survives a reload');
  });
});
