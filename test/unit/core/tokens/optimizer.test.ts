import assert from 'node:assert/strict';
import { calibrate } from '../../../../src/core/tokens/meter';
import { PromptTooLargeError } from '../../../../src/core/tokens/tokenErrors';
import type { HistoryMessage, OptimizedPrompt } from '../../../../src/core/tokens/types';
import { TokenCounter } from '../../../../src/tokenCounter';
import { CodePointTokenizer, fakeText as x } from './fakeTokenizer';

// With the code-point tokenizer and a 1000-token window: reserve 100, available 900, shares system 200,
// user 300, context 400; the chunk separator '\n\n' costs 2.
function counter(max = 1000): TokenCounter {
  return new TokenCounter(max, 0.2, 0.3, 0.5, { tokenizer: new CodePointTokenizer() });
}

function messages(n: number, size: number): HistoryMessage[] {
  return Array.from({ length: n }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: String(i % 10).repeat(size) }));
}

/** The invariant, checked on every plan in this file: totals add up, fit, and equal fresh counts. */
function checkInvariant(tc: TokenCounter, plan: OptimizedPrompt, overhead = 0, calibration = 1): void {
  const u = plan.tokenUsage;
  const c = (t: string) => calibrate(tc.countTokens(t), calibration);
  assert.equal(u.system, plan.systemPrompt ? c(plan.systemPrompt) + overhead : 0);
  assert.equal(u.user, c(plan.userInput) + overhead);
  const block = plan.contextChunks.map((t) => t + '\n\n').join('');
  assert.equal(u.context, block ? c(block + plan.userInput) - c(plan.userInput) : 0, 'context = what the block adds to the user message');
  assert.equal(
    u.history,
    plan.history.reduce((a, m) => a + c(m.content) + overhead, 0),
  );
  assert.equal(u.total, u.system + u.user + u.context + u.history);
  assert.ok(u.total + u.completionReserve <= u.limit, `${u.total} + ${u.completionReserve} > ${u.limit}`);
}

describe('optimizePrompt', function () {
  it('keeps everything that fits and reports no warning', function () {
    const tc = counter();
    const plan = tc.optimizePrompt(x(50), x(50), [x(100), x(100)], { history: messages(2, 20) });
    checkInvariant(tc, plan);
    assert.deepEqual(plan.tokenUsage, {
      system: 50,
      user: 50,
      context: 204,
      history: 40,
      total: 344,
      completionReserve: 100,
      limit: 1000,
      requested: 344,
      estimated: false,
      calibration: 1,
      perMessageOverhead: 0,
      promptOverhead: 0,
    });
    assert.equal(plan.truncated, false);
    assert.deepEqual(plan.truncatedSections, []);
    assert.equal(plan.warning, undefined);
  });

  it('lets a short question hand its unused share to the context', function () {
    const tc = counter();
    const plan = tc.optimizePrompt(
      x(10),
      x(10),
      Array.from({ length: 8 }, () => x(100)),
    );
    checkInvariant(tc, plan);
    assert.equal(plan.contextChunks.length, 8);
    assert.equal(plan.tokenUsage.context, 816, 'twice the 400-token context share');
  });

  it('drops the least relevant chunks first and cuts the last kept one, with a counted marker', function () {
    const tc = counter();
    const chunks = Array.from({ length: 10 }, (_, i) => ({ text: String(i).repeat(100), relevance: i, source: `f${i}.ts`, id: `c${i}` }));
    const plan = tc.optimizePrompt(x(100), x(100), chunks);
    checkInvariant(tc, plan);
    assert.deepEqual(plan.contextChunkIndexes, [3, 4, 5, 6, 7, 8, 9]);
    // 82 tokens left after six whole chunks (103 planned each: text, separator, one token of seam slack);
    // minus the 3-token seam, 79 for the cut chunk: 48 characters and a 30-character marker.
    assert.equal(plan.contextChunks[0], '3'.repeat(48) + '\n[... 52 tokens truncated ...]');
    assert.deepEqual(plan.droppedChunks, [
      { index: 3, id: 'c3', source: 'f3.ts', relevance: 3, tokens: 100, keptTokens: 78, status: 'cut' },
      { index: 2, id: 'c2', source: 'f2.ts', relevance: 2, tokens: 100, keptTokens: 0, status: 'dropped' },
      { index: 1, id: 'c1', source: 'f1.ts', relevance: 1, tokens: 100, keptTokens: 0, status: 'dropped' },
      { index: 0, id: 'c0', source: 'f0.ts', relevance: 0, tokens: 100, keptTokens: 0, status: 'dropped' },
    ]);
    assert.equal(plan.tokenUsage.context, 6 * 102 + 78 + 2);
    assert.deepEqual(plan.truncatedSections, ['context']);
    assert.equal(
      plan.warning,
      'WARNING: Input was truncated due to token limits. Truncated sections: code context. Consider reducing context or breaking down your request.',
    );
  });

  it('ranks chunks with a relevance first, then the rest by position, and returns them in caller order', function () {
    const tc = counter(300); // available 270, context share 120
    const plan = tc.optimizePrompt(
      '',
      '',
      ['a'.repeat(60), { text: 'b'.repeat(60), relevance: 0.1 }, { text: 'c'.repeat(60), relevance: 0.9 }, 'd'.repeat(60)],
      { maxContextChunks: 3 },
    );
    checkInvariant(tc, plan);
    assert.deepEqual(plan.contextChunkIndexes, [0, 1, 2]);
    assert.deepEqual(
      plan.droppedChunks.map((d) => [d.index, d.status]),
      [[3, 'dropped']],
      'maxContextChunks keeps the 3 best ranked',
    );
  });

  it('drops the oldest history first and gives history the leftover before context', function () {
    const tc = counter();
    const plan = tc.optimizePrompt(
      x(100),
      x(100),
      Array.from({ length: 5 }, () => x(100)),
      { history: messages(10, 50) },
    );
    checkInvariant(tc, plan);
    assert.equal(plan.droppedMessages, 4);
    assert.deepEqual(plan.history, messages(10, 50).slice(4));
    assert.equal(plan.tokenUsage.history, 300);
    assert.equal(plan.contextChunks.length, 4, 'three whole chunks and a cut one in the 400-token context share');
    assert.deepEqual(plan.truncatedSections, ['context', 'history']);
    assert.match(plan.warning ?? '', /Truncated sections: code context, conversation history\. Consider/);
  });

  it('cuts the user input only as a last resort, keeping both ends, after dropping context and history', function () {
    const tc = counter();
    const user = 'Q'.repeat(1000) + 'm'.repeat(1000);
    const plan = tc.optimizePrompt(x(100), user, [x(50)], { history: messages(2, 10) });
    checkInvariant(tc, plan);
    assert.equal(plan.systemPrompt, x(100), 'the system prompt within its share is kept whole');
    assert.ok(plan.tokenUsage.user <= 800);
    assert.match(plan.userInput, /^Q+\n\[\.\.\. \d+ tokens truncated \.\.\.\]\nm+$/);
    assert.deepEqual(plan.contextChunks, []);
    assert.deepEqual(plan.history, []);
    assert.deepEqual(plan.truncatedSections, ['context', 'history', 'user']);
    assert.match(plan.warning ?? '', /code context, conversation history, your message\./);
  });

  it('cuts a system prompt only when it is above its share', function () {
    const tc = counter();
    const plan = tc.optimizePrompt(x(1000, 's'), x(500));
    checkInvariant(tc, plan);
    assert.equal(plan.userInput, x(500));
    // 400 of room; the marker was sized for "1000" and shows "601", one digit shorter.
    assert.equal(plan.tokenUsage.system, 399);
    assert.match(plan.systemPrompt, /^s+\n\[\.\.\. \d+ tokens truncated \.\.\.\]$/);
    assert.deepEqual(plan.truncatedSections, ['system']);
    assert.match(plan.warning ?? '', /Truncated sections: system prompt\./);
  });

  it('throws PromptTooLargeError with the numbers when not even a cut message fits', function () {
    const tc = counter(20);
    assert.throws(
      () => tc.optimizePrompt('', x(100)),
      (err: unknown) => {
        assert.ok(err instanceof PromptTooLargeError);
        assert.deepEqual([err.limit, err.completionReserve, err.minimumNeeded, err.requested], [20, 2, 33, 100]);
        assert.match(
          err.message,
          /cannot fit the 20-token window: after the answer reserve \(2\) 18 tokens are left, but even fully truncated the prompt needs 33 \(untruncated: 100\)\./,
        );
        assert.match(err.advice, /Increase therapist\.maxTokens/);
        return true;
      },
    );
    assert.throws(() => counter(10).optimizePrompt('', '', [], { perMessageOverhead: 20 }), PromptTooLargeError);
  });

  it('counts a per-message overhead for every message sent', function () {
    const tc = counter();
    const plan = tc.optimizePrompt(x(10), x(10), [x(10)], { history: messages(2, 5), perMessageOverhead: 4 });
    checkInvariant(tc, plan, 4);
    assert.deepEqual([plan.tokenUsage.system, plan.tokenUsage.user, plan.tokenUsage.history, plan.tokenUsage.context], [14, 14, 18, 12]);
    assert.equal(tc.optimizePrompt('', x(10), [], { perMessageOverhead: 4 }).tokenUsage.system, 0, 'no system message, no overhead');
  });

  it('budgets in calibrated model tokens and reports them so a fresh count reproduces them', function () {
    const tc = counter();
    const plan = tc.optimizePrompt(
      x(10),
      x(10),
      Array.from({ length: 10 }, () => x(100)),
      { calibration: 1.5 },
    );
    checkInvariant(tc, plan, 0, 1.5);
    assert.equal(plan.tokenUsage.system, 15);
    assert.equal(plan.tokenUsage.calibration, 1.5);
    assert.ok(plan.tokenUsage.total > 800 && plan.tokenUsage.total <= 900, `fills the window in model tokens: ${plan.tokenUsage.total}`);
  });

  it('plans for a smaller window or reserve when asked', function () {
    const tc = counter();
    const small = tc.optimizePrompt('', x(10), [x(300)], { maxTokens: 200 });
    checkInvariant(tc, small);
    assert.equal(small.tokenUsage.limit, 200);
    assert.equal(small.tokenUsage.completionReserve, 20);
    const reserve = tc.optimizePrompt('', x(10), [x(2000)], { completionReserve: 10 });
    checkInvariant(tc, reserve);
    assert.equal(reserve.tokenUsage.total, 989, '990 available, less the one token of seam slack the cut chunk left unused');
  });

  it('getTokenUsageInfo reports the same plan without sending anything', function () {
    const tc = counter();
    const info = tc.getTokenUsageInfo(
      x(100),
      x(100),
      Array.from({ length: 10 }, () => x(100)),
    );
    assert.deepEqual(info, {
      totalTokens: 892,
      truncated: true,
      truncatedSections: ['context'],
      perSection: { system: 100, user: 100, context: 692, history: 0 },
      limit: 1000,
      completionReserve: 100,
      requested: 1220,
      estimated: false,
      droppedChunks: [
        // Without relevance, position ranks: the first six fit whole, the seventh is cut.
        { index: 6, id: undefined, source: undefined, relevance: undefined, tokens: 100, keptTokens: 78, status: 'cut' },
        ...[7, 8, 9].map((index) => ({ index, id: undefined, source: undefined, relevance: undefined, tokens: 100, keptTokens: 0, status: 'dropped' })),
      ],
      droppedMessages: 0,
      warning: 'WARNING: Input was truncated due to token limits. Truncated sections: code context. Consider reducing context or breaking down your request.',
    });
  });
});
