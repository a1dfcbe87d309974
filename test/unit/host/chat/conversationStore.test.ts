import assert from 'node:assert/strict';
import { ConversationStore, conversationTokens } from '../../../../src/host/chat/conversationStore';
import type { ChatMessage } from '../../../../src/protocol/chat';
import { MapMemento } from './fakes';

function store(memento = new MapMemento(), max?: number) {
  let t = 1000;
  let id = 0;
  return new ConversationStore(memento, { now: () => (t += 10), newId: () => `id${++id}`, maxConversations: max });
}

const msg = (id: string, role: 'user' | 'assistant', text: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  role,
  text,
  status: 'done',
  createdAt: 1,
  ...extra,
});

describe('ConversationStore', () => {
  it('creates an empty active conversation on first use', () => {
    const s = store();
    const c = s.active();
    assert.equal(c.messages.length, 0);
    assert.equal(c.title, 'New conversation');
    assert.equal(s.activeId, c.id);
    assert.equal(s.active(), c, 'the same conversation on the next call');
  });

  it('persists messages and restores them in a new store over the same storage (a reload)', async () => {
    const memento = new MapMemento();
    const s = store(memento);
    const c = s.active();
    s.addMessage(c.id, msg('u1', 'user', 'Why is the sky blue?'));
    s.addMessage(c.id, msg('a1', 'assistant', 'Rayleigh scattering.'));
    await s.flush();

    const reloaded = new ConversationStore(memento);
    const again = reloaded.active();
    assert.equal(again.id, c.id);
    assert.deepEqual(
      again.messages.map((m) => m.text),
      ['Why is the sky blue?', 'Rayleigh scattering.'],
    );
    assert.equal(again.title, 'Why is the sky blue?');
  });

  it('turns a message that was streaming when the window closed into a stopped one', async () => {
    const memento = new MapMemento();
    const s = store(memento);
    const c = s.active();
    s.addMessage(c.id, msg('u1', 'user', 'q'));
    s.addMessage(c.id, msg('a1', 'assistant', 'partial', { status: 'streaming' }));
    await s.flush();
    const restored = new ConversationStore(memento).active();
    assert.equal(restored.messages[1].status, 'stopped');
    assert.equal(restored.messages[1].text, 'partial');
  });

  it('updates a message in place and keeps its id', async () => {
    const memento = new MapMemento();
    const s = store(memento);
    const c = s.active();
    s.addMessage(c.id, msg('a1', 'assistant', '', { status: 'streaming' }));
    const updated = s.updateMessage(c.id, 'a1', { text: 'done text', status: 'done', id: 'evil' });
    assert.equal(updated?.id, 'a1');
    assert.equal(s.updateMessage(c.id, 'missing', { text: 'x' }), undefined);
    await s.flush();
    assert.equal(new ConversationStore(memento).active().messages[0].text, 'done text');
  });

  it('starts a new conversation, but reuses an empty active one', () => {
    const s = store();
    const first = s.active();
    assert.equal(s.create(), first, 'an empty conversation is reused');
    s.addMessage(first.id, msg('u1', 'user', 'hello'));
    const second = s.create();
    assert.notEqual(second.id, first.id);
    assert.equal(s.activeId, second.id);
    assert.deepEqual(
      s.list().map((c) => c.id),
      [second.id, first.id],
      'newest first',
    );
    assert.equal(s.setActive(first.id)?.messages.length, 1);
    assert.equal(s.setActive('nope'), undefined);
  });

  it('deletes the oldest conversations beyond the limit, from memory and storage', async () => {
    const memento = new MapMemento();
    const s = store(memento, 2);
    for (let i = 0; i < 4; i++) {
      const c = s.create();
      s.addMessage(c.id, msg(`u${i}`, 'user', `question ${i}`));
    }
    await s.flush();
    assert.deepEqual(
      s.list().map((c) => c.title),
      ['question 3', 'question 2'],
    );
    const keys = [...memento.data.keys()].filter((k) => k.startsWith('therapist.chat.conversation.'));
    assert.equal(keys.length, 2);
  });

  it('titles a conversation after its first message, shortened', () => {
    const s = store();
    const c = s.active();
    s.addMessage(c.id, msg('u1', 'user', `${'word '.repeat(30)}`, { title: undefined }));
    assert.ok(c.title.length <= 60 && c.title.endsWith('…'), c.title);
    const d = s.create();
    s.addMessage(d.id, msg('u2', 'user', 'code...', { title: 'Explain src/a.ts, lines 1-9' }));
    assert.equal(d.title, 'Explain src/a.ts, lines 1-9');
  });

  it('ignores storage in an unknown format instead of crashing', () => {
    const memento = new MapMemento();
    memento.data.set('therapist.chat.index', { version: 99, whatever: true });
    assert.equal(new ConversationStore(memento).active().messages.length, 0);
  });

  it("sums a conversation's tokens: the model's prompt count when known, plus the answer", () => {
    const prompt = { system: 1, user: 1, context: 1, history: 1, reserved: 10, used: 100, limit: 8192, estimated: false };
    const total = conversationTokens([
      msg('u1', 'user', 'a', { usage: { prompt, completionTokens: 20, modelPromptTokens: 130 } }),
      msg('a1', 'assistant', 'b'),
      msg('u2', 'user', 'c', { usage: { prompt } }),
    ]);
    assert.equal(total, 130 + 20 + 100);
  });
});
