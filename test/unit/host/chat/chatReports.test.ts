import assert from 'node:assert/strict';
import { historyOf, isCancellation, serverTruncationFromResult, toChatError, truncationFromResult, truncationWarningText } from '../../../../src/host/chat/chatReports';
import { ConfigurationError } from '../../../../src/core/errors';
import type { ChatMessage } from '../../../../src/protocol/chat';
import { result } from './fakes';

const m = (role: 'user' | 'assistant', text: string, status: ChatMessage['status'] = 'done'): ChatMessage => ({ id: `${role}-${text}`, role, text, status, createdAt: 0 });

describe('chat reports', () => {
  it('uses the token engine\'s warning wording for preflight reports', () => {
    assert.equal(truncationWarningText(['history', 'context']), 'WARNING: Input was truncated due to token limits. Truncated sections: context chunks, conversation history. Consider reducing context or breaking down your request.');
  });

  it('reports nothing when nothing was cut', () => {
    assert.equal(truncationFromResult(result()), undefined);
  });

  it('counts tokens cut from the dropped chunks when the usage does not say', () => {
    const report = truncationFromResult(result({
      truncated: true, truncatedSections: [], usage: { ...result().usage, requested: undefined },
      droppedChunks: [{ index: 3, tokens: 40, keptTokens: 0, status: 'dropped' }, { index: 4, tokens: 60, keptTokens: 0, status: 'dropped' }],
    }));
    assert.deepEqual(report, {
      warning: truncationWarningText(['context']), sections: ['context'], tokensCut: 100,
      droppedChunks: [{ source: 'context chunk 4', tokens: 40 }, { source: 'context chunk 5', tokens: 60 }],
    });
  });

  it('takes the server-truncation message from the warnings verbatim when there is one', () => {
    const warning = 'Ollama evaluated 2000 prompt tokens but Therapist sent 5000: the server may have truncated the prompt.';
    const report = serverTruncationFromResult(result({ serverTruncationSuspected: true, warnings: [truncationWarningText(['context']), warning] }));
    assert.equal(report?.message, warning);
    assert.equal(serverTruncationFromResult(result()), undefined);
  });

  it('keeps a real TherapistError\'s code, words and panel actions', () => {
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
      m('user', 'q1'), m('assistant', 'a1'),
      m('user', 'q2'), m('assistant', '', 'error'),
      m('user', 'q3'), m('assistant', 'partial', 'stopped'),
      m('user', 'q4'), m('assistant', '  ', 'stopped'),
      m('user', 'q5'),
    ]);
    assert.deepEqual(history.map((t) => `${t.role}:${t.content}`), ['user:q1', 'assistant:a1', 'user:q3', 'assistant:partial']);
  });
});
