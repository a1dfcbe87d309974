import assert from 'node:assert/strict';
import { ChatController, type ContextProvider } from '../../../../src/host/chat/chatController';
import { ConversationStore } from '../../../../src/host/chat/conversationStore';
import type { ContextCommand } from '../../../../src/protocol/context';
import type { LocatedChunk } from '../../../../src/host/retrieval/contextChunks';
import { FakeBackend, ManualTimers, MapMemento, RecordingHost, RecordingPort, result, usageInfo } from './fakes';

const chunk = (file: string, score: number): LocatedChunk => ({
  id: `retrieved:${file}#1-9`,
  source: `${file}:1-9`,
  text: `${file} (lines 1-9):\n\`\`\`ts\ncode\n\`\`\``,
  relevance: score,
  location: { file, startLine: 1, endLine: 9 },
  origin: 'retrieved',
  score,
});

function setup(contextFor: ContextProvider) {
  const backend = new FakeBackend();
  let id = 0;
  const store = new ConversationStore(new MapMemento(), { newId: () => `c${++id}`, now: () => 1000 });
  const commands: [ContextCommand, string][] = [];
  const controller = new ChatController({
    backend,
    store,
    host: new RecordingHost(),
    getModel: () => ({ model: 'coder:7b', limit: 4096 }),
    setTimer: new ManualTimers().set,
    newId: () => `m${++id}`,
    contextFor,
    onContextCommand: async (command, conversationId) => {
      commands.push([command, conversationId]);
      return 'done';
    },
  });
  const port = new RecordingPort();
  controller.attach(port);
  return { backend, store, controller, port, commands };
}

describe("ChatController: retrieved context and the answer's context list", () => {
  it('adds the provided chunks to the request, lists them on the answer, then replaces the list with what the sent request kept', async () => {
    const provided = [chunk('src/a.ts', 0.03), chunk('src/b.ts', 0.02)];
    const s = setup(async () => ({
      chunks: provided,
      retrieval: { retrieval: 'lexical', note: '`ollama pull nomic-embed-text` for semantic search', pinned: [], excluded: [] },
    }));
    // The preflight count keeps both; the request as sent had to drop the second.
    s.backend.info = () => usageInfo();
    s.backend.answer = async () => result({ droppedChunks: [{ index: 1, source: 'src/b.ts:1-9', tokens: 40, keptTokens: 0, status: 'dropped' }] });
    await s.controller.handle({ type: 'ready' });
    await s.controller.handle({ type: 'send', text: 'where is a parsed?' });
    assert.deepEqual(s.backend.calls[0].context, provided, 'the chunks went to the backend as they came');
    const placeholder = s.port.of('messageAdded').find((m) => m.message.role === 'assistant')!.message;
    assert.deepEqual(
      placeholder.context?.entries.map((e) => [e.label, e.status]),
      [
        ['src/a.ts:1-9', 'sent'],
        ['src/b.ts:1-9', 'sent'],
      ],
    );
    const [final] = s.port.of('context');
    assert.equal(final.messageId, placeholder.id);
    assert.deepEqual(
      final.context.entries.map((e) => [e.label, e.status, e.score, e.tokens]),
      [
        ['src/a.ts:1-9', 'sent', 0.03, undefined],
        ['src/b.ts:1-9', 'dropped', 0.02, 40],
      ],
    );
    assert.equal(final.context.note, '`ollama pull nomic-embed-text` for semantic search');
    const stored = s.store.active().messages.find((m) => m.id === placeholder.id)!;
    assert.deepEqual(stored.context, final.context, 'kept with the conversation');
  });

  it('a provider that fails gives no chunks and the question is still answered', async () => {
    const s = setup(() => Promise.reject(new Error('index gone')));
    await s.controller.handle({ type: 'ready' });
    await s.controller.handle({ type: 'send', text: 'hello' });
    assert.equal(s.backend.calls.length, 1);
    assert.deepEqual(s.backend.calls[0].context, []);
    assert.equal(s.port.of('context').length, 0, 'nothing to list');
  });

  it("the list's buttons go to the host with the active conversation, and the confirmation is shown", async () => {
    const s = setup(async () => undefined);
    await s.controller.handle({ type: 'ready' });
    const conversation = s.store.active().id;
    await s.controller.handle({ type: 'excludeContextFile', file: 'src/a.ts', excluded: true });
    await s.controller.handle({ type: 'openContext', location: { file: 'src/a.ts', startLine: 2, endLine: 4 } });
    assert.deepEqual(s.commands, [
      [{ type: 'excludeContextFile', file: 'src/a.ts', excluded: true }, conversation],
      [{ type: 'openContext', location: { file: 'src/a.ts', startLine: 2, endLine: 4 } }, conversation],
    ]);
    assert.deepEqual(
      s.port.of('notice').map((n) => n.text),
      ['done', 'done'],
    );
  });
});
