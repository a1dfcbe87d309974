import assert from 'node:assert/strict';
import { breakdownFromInfo, breakdownFromUsage, historyOf, isCancellation, toChatError } from '../../../../src/host/chat/chatReports';
import { ConfigurationError } from '../../../../src/core/errors';
import type { ChatMessage } from '../../../../src/protocol/chat';
import { result, usageInfo } from './fakes';

const m = (role: 'user' | 'assistant', text: string, status: ChatMessage['status'] = 'done'): ChatMessage => ({
  id: `${role}-${text}`,
  role,
  text,
  status,
  createdAt: 0,
});

describe('chat reports', () => {
  it("turns a plan and a sent request into the meter's numbers, the reserve as its own section", () => {
    assert.deepEqual(breakdownFromInfo(usageInfo({ estimated: true })), {
      system: 40,
      user: 10,
      context: 60,
      history: 40,
      reserved: 819,
      used: 150,
      limit: 8192,
      estimated: true,
      tokenizer: 'cl100k estimate x1.02',
    });
    assert.deepEqual(breakdownFromUsage(result().usage), {
      system: 40,
      user: 10,
      context: 60,
      history: 40,
      reserved: 819,
      used: 150,
      limit: 8192,
      estimated: false,
      tokenizer: 'cl100k estimate x1.02',
    });
  });

  it("keeps a real TherapistError's code, words and panel actions", () => {
    const error = toChatError(new ConfigurationError('therapist.maxTokens', -1, 'a positive integer'), 'm');
    assert.equal(error.code, 'config');
    assert.match(error.message, /therapist\.maxTokens = -1/);
    assert.match(error.advice, /Fix therapist\.maxTokens/);
    assert.deepEqual(error.actions, ['openSettings', 'openLog']);
    assert.equal(error.pullCommand, undefined);
  });

  it('treats cancelled-coded errors and AbortError as cancellation, nothing else', () => {
    assert.equal(isCancellation(Object.assign(new Error('x'), { code: 'cancelled' })), true);
    assert.equal(isCancellation(Object.assign(new Error('x'), { name: 'AbortError' })), true);
    assert.equal(isCancellation(new Error('timeout')), false);
    assert.equal(isCancellation('cancelled'), false);
  });

  it('builds history from answered turns only, oldest first', () => {
    const history = historyOf([
      m('user', 'q1'),
      m('assistant', 'a1'),
      m('user', 'q2'),
      m('assistant', '', 'error'),
      m('user', 'q3'),
      m('assistant', 'partial', 'stopped'),
      m('user', 'q4'),
      m('assistant', '  ', 'stopped'),
      m('user', 'q5'),
    ]);
    assert.deepEqual(
      history.map((t) => `${t.role}:${t.content}`),
      ['user:q1', 'assistant:a1', 'user:q3', 'assistant:partial'],
    );
  });
});
