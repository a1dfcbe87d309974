import assert from 'node:assert/strict';
import { currentMessage } from '../../../../src/host/chat/storedMessages';
import type { ChatMessage } from '../../../../src/protocol/chat';

describe('stored messages from older versions', () => {
  const base: ChatMessage = { id: 'u1', role: 'user', text: 'q', status: 'done', createdAt: 1 };
  const usage = { prompt: { system: 1, user: 1, context: 1, history: 1, reserved: 10, used: 4, limit: 4096, estimated: false } };

  it('reads the old free-text reports back as typed notices, so nothing the user was told is lost', () => {
    const legacy = {
      ...base,
      usage,
      truncation: { warning: 'WARNING: ...', sections: ['context chunks', 'history'], tokensCut: 900, droppedChunks: [{ source: 'a.ts', tokens: 900 }] },
      serverTruncation: { message: 'x', sentTokens: 5000, evaluatedTokens: 2048 },
      notes: ['Near your daily quota: ...'],
      fallbackUsed: true,
    } as unknown as ChatMessage;
    const message = currentMessage(legacy);
    assert.deepEqual(message.notices, [
      {
        kind: 'truncated',
        sections: ['context', 'history'],
        tokensCut: 900,
        droppedChunks: [{ source: 'a.ts', tokens: 900 }],
        droppedMessages: 0,
        window: 4096,
      },
      { kind: 'serverCut', sentTokens: 5000, evaluatedTokens: 2048, expectedTokens: 5000, numCtx: 4096 },
      { kind: 'fallback', reason: 'the stream broke' },
      { kind: 'stored', text: 'Near your daily quota: ...' },
    ]);
    for (const key of ['truncation', 'serverTruncation', 'notes', 'fallbackUsed']) assert.equal(key in message, false, key);
  });

  it('ends a stream that did not survive a reload, and leaves current messages as they are', () => {
    assert.equal(currentMessage({ ...base, role: 'assistant', status: 'streaming' }).status, 'stopped');
    const current = { ...base, notices: [{ kind: 'fallback' as const, reason: 'r' }] };
    assert.equal(currentMessage(current), current);
  });
});
