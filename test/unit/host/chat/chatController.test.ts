import assert from 'node:assert/strict';
import { ChatController } from '../../../../src/host/chat/chatController';
import { ConversationStore } from '../../../../src/host/chat/conversationStore';
import { ConfigurationError, TherapistError } from '../../../../src/core/errors';
import type { TruncatedNotice } from '../../../../src/shared/notices';
import { FakeBackend, ManualTimers, MapMemento, RecordingHost, RecordingPort, deferred, result, usageInfo } from './fakes';

class OllamaUnreachable extends TherapistError {
  readonly code = 'ollama-unreachable';
  constructor() {
    super('Ollama is not reachable at http://127.0.0.1:11434.', 'Is `ollama serve` running?', ['retry', 'openSettings']);
  }
}
class ModelMissing extends TherapistError {
  readonly code = 'model-not-found';
  constructor(readonly model: string) {
    super(`Model '${model}' is not installed.`, `Run \`ollama pull ${model}\`.`, ['copyPullCommand', 'openSettings', 'wait']);
  }
}

function setup(memento = new MapMemento()) {
  const backend = new FakeBackend();
  const host = new RecordingHost();
  const timers = new ManualTimers();
  let id = 0;
  const store = new ConversationStore(memento, { newId: () => `c${++id}`, now: () => 1000 });
  const controller = new ChatController({
    backend,
    store,
    host,
    getModel: () => ({ model: 'qwen2.5-coder:7b', limit: 8192 }),
    setTimer: timers.set,
    newId: () => `m${++id}`,
    now: () => 2000,
  });
  const port = new RecordingPort();
  controller.attach(port);
  return { backend, host, timers, store, controller, port, memento };
}

async function ready(s: ReturnType<typeof setup>) {
  await s.controller.handle({ type: 'ready' });
  s.port.clear();
}

describe('ChatController', () => {
  it('posts nothing before the webview says ready, then the whole state', async () => {
    const s = setup();
    await s.controller.ask({ prompt: 'early question' });
    assert.equal(s.port.posted.length, 0, 'no posts before ready');
    await s.controller.handle({ type: 'ready' });
    const [state] = s.port.of('state');
    assert.equal(state.state.model, 'qwen2.5-coder:7b');
    assert.equal(state.state.limit, 8192);
    assert.deepEqual(
      state.state.messages.map((m) => [m.role, m.text, m.status]),
      [
        ['user', 'early question', 'done'],
        ['assistant', 'answer', 'done'],
      ],
    );
    assert.equal(state.state.conversationTokens, 170 + 12);
  });

  it('sends a question and streams the answer in order: user, usage, placeholder, start, tokens, end, usage, total', async () => {
    const s = setup();
    await ready(s);
    await s.controller.handle({ type: 'send', text: 'What does clamp do?' });
    assert.deepEqual(s.port.types(), [
      'messageAdded',
      'conversations',
      'usage',
      'notices',
      'messageAdded',
      'streamStart',
      'streamTokens',
      'streamEnd',
      'usage',
      'notices',
      'conversationTotal',
      'conversations',
    ]);
    const [user, assistant] = s.port.of('messageAdded').map((m) => m.message);
    assert.equal(user.text, 'What does clamp do?');
    assert.equal(assistant.status, 'streaming');
    assert.deepEqual(
      s.port.of('streamTokens').map((m) => m.text),
      ['answer'],
      'tokens of one tick go out as one batch',
    );
    const end = s.port.of('streamEnd')[0];
    assert.deepEqual([end.messageId, end.status, end.text], [assistant.id, 'done', 'answer']);
    const finalUsage = s.port.of('usage')[1];
    assert.equal(finalUsage.messageId, user.id, 'usage belongs to the sent message');
    assert.deepEqual(finalUsage.usage, {
      prompt: { system: 40, user: 10, context: 60, history: 40, reserved: 819, used: 150, limit: 8192, estimated: false, tokenizer: 'cl100k estimate x1.02' },
      completionTokens: 12,
      modelPromptTokens: 170,
    });
    assert.deepEqual(s.port.of('conversationTotal')[0], { type: 'conversationTotal', tokens: 182 });
    assert.equal(s.backend.calls[0].options.conversationId, s.store.active().id);
  });

  it('batches streamed tokens per timer tick instead of posting each token', async () => {
    const s = setup();
    await ready(s);
    const release = deferred();
    s.backend.answer = async (call) => {
      for (const t of ['a', 'b', 'c']) call.options.onToken(t);
      await release.promise;
      call.options.onToken('d');
      return result({ text: 'abcd' });
    };
    const done = s.controller.handle({ type: 'send', text: 'q' });
    await new Promise((r) => setImmediate(r));
    assert.equal(s.port.of('streamTokens').length, 0, 'nothing posted before the tick');
    assert.equal(s.timers.pending, 1, 'one timer for the whole batch');
    s.timers.runAll();
    assert.deepEqual(
      s.port.of('streamTokens').map((m) => m.text),
      ['abc'],
    );
    release.resolve();
    await done;
    assert.deepEqual(
      s.port.of('streamTokens').map((m) => m.text),
      ['abc', 'd'],
      'the rest is flushed before the end',
    );
    assert.equal(s.port.of('streamEnd')[0].text, 'abcd');
  });

  it('passes the conversation history (completed turns only), the system prompt and no context for typed questions', async () => {
    const s = setup();
    await ready(s);
    await s.controller.handle({ type: 'send', text: 'first' });
    await s.controller.handle({ type: 'send', text: 'second' });
    const second = s.backend.calls[1];
    assert.deepEqual(second.options.history, [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'answer' },
    ]);
    assert.deepEqual(second.context, []);
    assert.equal(second.options.systemPrompt, undefined, "typed questions use the backend's default system prompt");
  });

  it('Stop aborts the signal and keeps the partial answer, marked stopped and persisted', async () => {
    const s = setup();
    await ready(s);
    s.backend.answer = (call) =>
      new Promise((resolve) => {
        call.options.onToken('partial ');
        call.options.onToken('answer');
        call.options.signal.addEventListener('abort', () => resolve(result({ text: 'partial answer', cancelled: true })));
      });
    const done = s.controller.handle({ type: 'send', text: 'long question' });
    await new Promise((r) => setImmediate(r));
    assert.equal(s.controller.busy, true);
    await s.controller.handle({ type: 'stop' });
    await done;
    assert.equal(s.backend.calls[0].options.signal.aborted, true);
    const end = s.port.of('streamEnd')[0];
    assert.deepEqual([end.status, end.text], ['stopped', 'partial answer']);
    assert.equal(s.controller.busy, false);
    await s.store.flush();
    const reloaded = new ConversationStore(s.memento).active();
    assert.deepEqual([reloaded.messages[1].status, reloaded.messages[1].text], ['stopped', 'partial answer']);
  });

  it('a backend that rejects on abort is a stop, not an error', async () => {
    const s = setup();
    await ready(s);
    s.backend.answer = (call) =>
      new Promise((_, reject) => {
        call.options.onToken('half');
        call.options.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
      });
    const done = s.controller.ask({ prompt: 'q' });
    await new Promise((r) => setImmediate(r));
    assert.equal(s.controller.stop(), true);
    await done;
    assert.equal(s.port.of('error').length, 0);
    assert.deepEqual(
      s.port.of('streamEnd').map((m) => [m.status, m.text]),
      [['stopped', 'half']],
    );
    assert.equal(s.controller.stop(), false, 'nothing left to stop');
  });

  it('shows a TherapistError inline with its code, words and actions (plus Open Log), and logs it', async () => {
    const s = setup();
    await ready(s);
    s.backend.answer = async () => {
      throw new OllamaUnreachable();
    };
    await s.controller.handle({ type: 'send', text: 'hello' });
    const [error] = s.port.of('error');
    const assistantId = s.port.of('streamStart')[0].messageId;
    assert.equal(error.messageId, assistantId);
    assert.deepEqual(error.error, {
      code: 'ollama-unreachable',
      message: 'Ollama is not reachable at http://127.0.0.1:11434.',
      advice: 'Is `ollama serve` running?',
      actions: ['retry', 'openSettings', 'openLog'],
    });
    assert.equal(s.host.errors.length, 1);
    assert.equal(s.store.active().messages[1].status, 'error');
  });

  it('Retry resends the same request (context included) and replaces the failed answer in place', async () => {
    const s = setup();
    await ready(s);
    let fail = true;
    s.backend.answer = async (call) => {
      if (fail) throw new OllamaUnreachable();
      call.options.onToken('recovered');
      return result({ text: 'recovered' });
    };
    await s.controller.ask({
      prompt: 'explain',
      title: 'Explain a.ts, lines 1-3',
      context: [{ text: 'const a = 1;', source: 'a.ts:1-3' }],
      command: 'explainSelection',
      systemPrompt: 'Explain code.',
    });
    const failedId = s.port.of('error')[0].messageId!;
    fail = false;
    s.port.clear();
    await s.controller.handle({ type: 'action', action: 'retry', messageId: failedId });
    const retry = s.backend.calls[1];
    assert.deepEqual(retry.context, [{ text: 'const a = 1;', source: 'a.ts:1-3' }]);
    assert.equal(retry.options.systemPrompt, 'Explain code.');
    assert.equal(retry.options.command, 'explainSelection');
    assert.deepEqual(retry.options.history, [], 'the failed turn is not history');
    assert.equal(s.port.of('messageAdded')[0].message.id, failedId, 'the same message is redrawn');
    const messages = s.store.active().messages;
    assert.equal(messages.length, 2);
    assert.deepEqual([messages[1].id, messages[1].status, messages[1].text, messages[1].error], [failedId, 'done', 'recovered', undefined]);
  });

  it("maps actions to the host: settings, log, pull command (with the error's model), new conversation", async () => {
    const s = setup();
    await ready(s);
    s.backend.answer = async () => {
      throw new ModelMissing('llama3:8b');
    };
    await s.controller.ask({ prompt: 'q' });
    const error = s.port.of('error')[0];
    assert.deepEqual(error.error.actions, ['copyPullCommand', 'openSettings', 'openLog'], "'wait' has no button in the panel");
    assert.equal(error.error.pullCommand, 'ollama pull llama3:8b');
    await s.controller.handle({ type: 'action', action: 'copyPullCommand', messageId: error.messageId });
    await s.controller.handle({ type: 'action', action: 'openSettings' });
    await s.controller.handle({ type: 'action', action: 'openLog' });
    assert.deepEqual(s.host.copied, ['ollama pull llama3:8b']);
    assert.deepEqual(s.host.calls, ['openSettings', 'openLog']);
    assert.equal(s.port.of('notice').at(-1)?.text, 'Copied: ollama pull llama3:8b');
    const before = s.store.active().id;
    await s.controller.handle({ type: 'action', action: 'newConversation' });
    assert.notEqual(s.store.active().id, before);
    assert.equal(s.port.of('state').at(-1)?.state.messages.length, 0);
  });

  it('shows what the token engine cut as the typed notices of the sent message: preflight first, then the final one', async () => {
    const s = setup();
    await ready(s);
    const preflight: TruncatedNotice = { kind: 'truncated', sections: ['context'], tokensCut: 750, droppedChunks: [], droppedMessages: 0, window: 8192 };
    const final: TruncatedNotice = {
      kind: 'truncated',
      sections: ['context'],
      tokensCut: 900,
      droppedMessages: 0,
      window: 8192,
      droppedChunks: [
        { source: 'src/big.ts:1-200', tokens: 700 },
        { source: 'editor:util.ts', tokens: 200, partial: true },
      ],
    };
    s.backend.info = () => usageInfo({ truncated: true, truncatedSections: ['context'], requested: 900, totalTokens: 150, notice: preflight });
    s.backend.answer = async () =>
      result({ truncated: true, truncatedSections: ['context'], notices: [final], usage: { ...result().usage, total: 7000, requested: 7900 } });
    await s.controller.ask({ prompt: 'explain', context: ['a', 'b'] });
    const posted = s.port.of('notices');
    assert.deepEqual(
      posted.map((p) => p.notices),
      [[preflight], [final]],
    );
    assert.equal(posted[0].messageId, s.store.active().messages[0].id, 'notices belong to the sent message');
    assert.deepEqual(s.store.active().messages[0].notices, [final], 'persisted on the sent message');
  });

  it('a request that needed no cut clears the preflight notice', async () => {
    const s = setup();
    await ready(s);
    s.backend.info = () =>
      usageInfo({ truncated: true, notice: { kind: 'truncated', sections: ['history'], droppedChunks: [], droppedMessages: 2, window: 8192 } });
    await s.controller.ask({ prompt: 'q' });
    assert.deepEqual(s.port.of('notices').at(-1)?.notices, []);
    assert.equal(s.store.active().messages[0].notices, undefined);
  });

  it('an error while counting (bad settings) is shown, and nothing is sent', async () => {
    const s = setup();
    await ready(s);
    s.backend.info = () => {
      throw new ConfigurationError('therapist.userTokenBudget', 0.9, 'budgets summing to at most 1');
    };
    await s.controller.ask({ prompt: 'q' });
    assert.equal(s.backend.calls.length, 0);
    const [error] = s.port.of('error');
    assert.equal(error.error.code, 'config');
    assert.deepEqual(error.error.actions, ['openSettings', 'openLog']);
    assert.equal(s.port.of('messageAdded').at(-1)?.message.status, 'error', 'the failed answer is on screen with its card');
  });

  it('an unexpected error still gets words and a way to the log', async () => {
    const s = setup();
    await ready(s);
    s.backend.answer = async () => {
      throw new TypeError('boom');
    };
    await s.controller.ask({ prompt: 'q' });
    assert.deepEqual(s.port.of('error')[0].error, {
      code: 'unexpected',
      message: 'Something went wrong: boom',
      advice: 'The log has the details. Retrying may help.',
      actions: ['retry', 'openLog'],
    });
  });

  it('answers a measure request with the meter reading for the composed prompt and the history', async () => {
    const s = setup();
    await ready(s);
    await s.controller.handle({ type: 'send', text: 'first' });
    s.backend.info = (prompt) =>
      usageInfo({ perSection: { system: 40, user: prompt.length, context: 0, history: 9 }, totalTokens: 49 + prompt.length, estimated: true });
    await s.controller.handle({ type: 'request', id: 7, method: 'measure', params: { text: 'typing' } });
    const reply = s.port.of('reply')[0];
    assert.ok(reply.ok && reply.id === 7 && reply.method === 'measure');
    assert.deepEqual(reply.result.breakdown, {
      system: 40,
      user: 6,
      context: 0,
      history: 9,
      reserved: 819,
      used: 55,
      limit: 8192,
      estimated: true,
      tokenizer: 'cl100k estimate x1.02',
    });
    assert.deepEqual(s.backend.measured.at(-1)?.history, [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'answer' },
    ]);
    s.backend.info = () => Promise.reject(new Error('tokenizer failed'));
    await s.controller.handle({ type: 'request', id: 8, method: 'measure', params: { text: 'x' } });
    assert.deepEqual(s.port.of('reply')[1], {
      type: 'reply',
      id: 8,
      method: 'measure',
      ok: false,
      error: {
        code: 'unexpected',
        message: 'Something went wrong: tokenizer failed',
        advice: 'The log has the details. Retrying may help.',
        actions: ['retry', 'openLog'],
      },
    });
  });

  it('never runs two counts at once: while one is slow, only the newest text is counted next', async () => {
    const s = setup();
    await ready(s);
    const gate = deferred();
    s.backend.info = async (prompt) => {
      if (prompt === 'a') await gate.promise;
      return usageInfo({ perSection: { system: 0, user: prompt.length, context: 0, history: 0 } });
    };
    const first = s.controller.handle({ type: 'request', id: 1, method: 'measure', params: { text: 'a' } });
    const second = s.controller.handle({ type: 'request', id: 2, method: 'measure', params: { text: 'ab' } });
    const third = s.controller.handle({ type: 'request', id: 3, method: 'measure', params: { text: 'abc' } });
    gate.resolve();
    await Promise.all([first, second, third]);
    assert.deepEqual(
      s.backend.measured.map((m) => m.prompt),
      ['a', 'abc'],
    );
    // Every request is answered: the replaced one (2) with the newest reading.
    const replies = s.port.of('reply').map((r) => [r.id, r.ok && r.method === 'measure' && r.result.breakdown.user]);
    assert.deepEqual(replies.sort(), [
      [1, 1],
      [2, 3],
      [3, 3],
    ]);
  });

  it('copies and inserts code blocks through the host, and says where', async () => {
    const s = setup();
    await ready(s);
    await s.controller.handle({ type: 'copyCode', code: 'let x = 1;' });
    await s.controller.handle({ type: 'insertCode', code: 'let y = 2;', language: 'ts' });
    s.host.editor = undefined;
    await s.controller.handle({ type: 'insertCode', code: 'let z = 3;' });
    assert.deepEqual(s.host.copied, ['let x = 1;']);
    assert.deepEqual(s.host.inserted, ['let y = 2;']);
    assert.deepEqual(
      s.port.of('notice').map((n) => n.text),
      ['Copied to the clipboard.', 'Inserted into src/app.ts.', 'No editor to insert into: click into a file first.'],
    );
  });

  it('a streaming failure followed by the non-streaming fallback restarts the answer text', async () => {
    const s = setup();
    await ready(s);
    s.backend.answer = async (call) => {
      call.options.onToken('broken half');
      call.options.onFallback?.('stream cut without done');
      return result({ text: 'whole answer', fallbackUsed: true });
    };
    await s.controller.ask({ prompt: 'q' });
    const added = s.port.of('messageAdded').map((m) => [m.message.role, m.message.text, m.message.status]);
    assert.deepEqual(
      added.slice(1),
      [
        ['assistant', '', 'streaming'],
        ['assistant', '', 'streaming'],
      ],
      'the placeholder is drawn again, empty',
    );
    assert.deepEqual(s.port.of('streamTokens'), [], 'the void partial text is never posted');
    const end = s.port.of('streamEnd')[0];
    assert.equal(end.text, 'whole answer');
    assert.match(s.port.of('notice')[0].text, /without streaming/);
  });

  it('a command request names its title and command on the sent message', async () => {
    const s = setup();
    await ready(s);
    await s.controller.ask({
      prompt: 'Explain this code:\n```ts\nx\n```',
      title: 'Explain src/x.ts, lines 3-9',
      command: 'explainSelection',
      context: ['near code'],
    });
    const user = s.port.of('messageAdded')[0].message;
    assert.deepEqual([user.title, user.command], ['Explain src/x.ts, lines 3-9', 'explainSelection']);
    assert.deepEqual(s.backend.calls[0].context, ['near code']);
  });

  it('a new request while one streams stops the first (one answer at a time)', async () => {
    const s = setup();
    await ready(s);
    s.backend.answer = (call) =>
      new Promise((resolve) => {
        if (s.backend.calls.length === 1) {
          call.options.onToken('first…');
          call.options.signal.addEventListener('abort', () => resolve(result({ text: 'first…', cancelled: true })));
        } else resolve(result({ text: 'second' }));
      });
    const first = s.controller.ask({ prompt: 'one' });
    await new Promise((r) => setImmediate(r));
    await s.controller.ask({ prompt: 'two' });
    await first;
    assert.deepEqual(
      s.port.of('streamEnd').map((m) => [m.status, m.text]),
      [
        ['stopped', 'first…'],
        ['done', 'second'],
      ],
    );
  });

  it('restores the conversation after a reload: new store and controller over the same storage', async () => {
    const s = setup();
    await ready(s);
    await s.controller.handle({ type: 'send', text: 'remember me' });
    await s.store.flush();
    const after = setup(s.memento);
    await after.controller.handle({ type: 'ready' });
    const state = after.port.of('state')[0].state;
    assert.deepEqual(
      state.messages.map((m) => m.text),
      ['remember me', 'answer'],
    );
    assert.equal(state.conversationTokens, 182);
    assert.equal(state.conversations[0].title, 'remember me');
  });

  it('switches between conversations; an unknown id changes nothing', async () => {
    const s = setup();
    await ready(s);
    await s.controller.handle({ type: 'send', text: 'in the first' });
    const firstId = s.store.active().id;
    await s.controller.handle({ type: 'newConversation' });
    await s.controller.handle({ type: 'send', text: 'in the second' });
    s.port.clear();
    await s.controller.handle({ type: 'switchConversation', conversationId: firstId });
    const state = s.port.of('state')[0].state;
    assert.equal(state.conversationId, firstId);
    assert.deepEqual(
      state.messages.map((m) => m.text),
      ['in the first', 'answer'],
    );
    assert.deepEqual(state.conversations.map((c) => c.title).sort(), ['in the first', 'in the second']);
    await s.controller.handle({ type: 'switchConversation', conversationId: 'gone' });
    assert.equal(s.port.of('state').length, 1);
    assert.equal(s.store.active().id, firstId);
  });

  it('refresh redraws the header from the current settings', async () => {
    const memento = new MapMemento();
    let model = 'a:1b';
    const store = new ConversationStore(memento);
    const controller = new ChatController({ backend: new FakeBackend(), store, host: new RecordingHost(), getModel: () => ({ model, limit: 4096 }) });
    const port = new RecordingPort();
    controller.attach(port);
    controller.refresh();
    assert.equal(port.posted.length, 0, 'not before ready');
    await controller.handle({ type: 'ready' });
    model = 'b:7b';
    controller.refresh();
    assert.deepEqual(
      port.of('state').map((m) => m.state.model),
      ['a:1b', 'b:7b'],
    );
  });

  it('a webview that reconnects mid-stream gets the text so far in its state', async () => {
    const s = setup();
    await ready(s);
    const release = deferred();
    s.backend.answer = async (call) => {
      call.options.onToken('so far');
      await release.promise;
      return result({ text: 'so far, done' });
    };
    const done = s.controller.ask({ prompt: 'q' });
    await new Promise((r) => setImmediate(r));
    const port = new RecordingPort();
    s.controller.attach(port);
    await s.controller.handle({ type: 'ready' });
    const state = port.of('state')[0].state;
    assert.equal(state.streamingMessageId, state.messages[1].id);
    assert.deepEqual([state.messages[1].status, state.messages[1].text], ['streaming', 'so far']);
    release.resolve();
    await done;
    assert.equal(port.of('streamEnd')[0].text, 'so far, done');
  });

  it('an empty composer counts no message and warns about nothing, even when the history no longer fits', async () => {
    const s = setup();
    await ready(s);
    s.backend.info = (prompt) =>
      usageInfo({
        perSection: { system: 40, user: prompt ? 9 : 5, context: 0, history: 900 },
        totalTokens: 945,
        notice: { kind: 'truncated', sections: ['history'], droppedChunks: [], droppedMessages: 10, window: 1024 },
      });
    await s.controller.handle({ type: 'request', id: 1, method: 'measure', params: { text: '' } });
    const reply = s.port.of('reply')[0];
    assert.ok(reply.ok && reply.method === 'measure');
    assert.equal(reply.result.breakdown.user, 0, 'the empty message is not sent, so it counts 0 (the template overhead was counted before)');
    assert.equal(reply.result.breakdown.used, 940);
    assert.equal(reply.result.notice, undefined, 'no warning before anything is typed');
    await s.controller.handle({ type: 'request', id: 2, method: 'measure', params: { text: 'now something' } });
    const typed = s.port.of('reply')[1];
    assert.ok(typed.ok && typed.method === 'measure' && typed.result.notice?.droppedMessages === 10, 'typed: the warning says what will be dropped');
  });

  it('lists the installed models with their windows, the current one marked; a current model that is missing comes with its pull command', async () => {
    const s = setup();
    await ready(s);
    await s.controller.handle({ type: 'request', id: 1, method: 'listModels', params: {} });
    const listed = s.port.of('reply')[0];
    assert.ok(listed.ok && listed.method === 'listModels');
    assert.deepEqual(
      listed.result.map((m) => [m.name, m.trainedContext, m.current, m.installed]),
      [
        ['deepseek-coder:6.7b', 16384, false, true],
        ['qwen2.5-coder:7b', 32768, true, true],
      ],
    );
    s.backend.installed = [{ name: 'llama3.2:latest', trainedContext: 131072 }];
    await s.controller.handle({ type: 'request', id: 2, method: 'listModels', params: {} });
    const missing = s.port.of('reply')[1];
    assert.ok(missing.ok && missing.method === 'listModels');
    assert.deepEqual(missing.result[0], { name: 'qwen2.5-coder:7b', current: true, installed: false, pullCommand: 'ollama pull qwen2.5-coder:7b' });
  });

  it('choosing a model sets therapist.model where it will take effect and says where', async () => {
    const s = setup();
    await ready(s);
    await s.controller.handle({ type: 'request', id: 1, method: 'chooseModel', params: { model: 'deepseek-coder:6.7b' } });
    assert.deepEqual(s.host.models, ['deepseek-coder:6.7b']);
    const reply = s.port.of('reply')[0];
    assert.ok(reply.ok && reply.method === 'chooseModel' && reply.result.scope === 'global');
    assert.match(s.port.of('notice')[0].text, /deepseek-coder:6\.7b \(in your user settings, for every workspace\)/);
    s.host.modelScope = 'workspace';
    await s.controller.handle({ type: 'request', id: 2, method: 'chooseModel', params: { model: 'llama3.2' } });
    assert.match(s.port.of('notice')[1].text, /in this workspace, which already set one/);
  });

  it('tells the panel when the server is the demo server, after the state', async () => {
    const s = setup();
    s.backend.server = { version: '0.33.0', demo: 'canned answers, not a model' };
    await s.controller.handle({ type: 'ready' });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(s.port.types().slice(0, 2), ['state', 'server']);
    assert.deepEqual(s.port.of('server')[0], { type: 'server', version: '0.33.0', demo: 'canned answers, not a model' });
  });

  it("streams a thinking model's reasoning apart from the answer, batched, and keeps it with the answer", async () => {
    const s = setup();
    await ready(s);
    s.backend.answer = async (call) => {
      call.options.onThinking?.('Look at ');
      call.options.onThinking?.('clamp first.');
      call.options.onToken('It clamps.');
      return result({ text: 'It clamps.', thinking: 'Look at clamp first.' });
    };
    await s.controller.ask({ prompt: 'What does clamp do?' });
    assert.deepEqual(
      s.port.of('streamThinking').map((m) => m.text),
      ['Look at clamp first.'],
      'one batch per tick',
    );
    const end = s.port.of('streamEnd')[0];
    assert.deepEqual([end.text, end.thinking], ['It clamps.', 'Look at clamp first.']);
    const stored = s.store.active().messages[1];
    assert.deepEqual([stored.text, stored.thinking], ['It clamps.', 'Look at clamp first.']);
    assert.deepEqual(
      s.backend.calls.length === 1 &&
        (await (async () => {
          await s.controller.ask({ prompt: 'next' });
          return s.backend.calls[1].options.history;
        })()),
      [
        { role: 'user', content: 'What does clamp do?' },
        { role: 'assistant', content: 'It clamps.' },
      ],
      'the reasoning is not sent back as history',
    );
  });
});
