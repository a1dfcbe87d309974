import assert from 'node:assert/strict';
import { dedupeRepeats } from '../../../../../src/core/context/compression/repeats';
import { calibrate } from '../../../../../src/core/tokens/meter';
import type { ContextChunk, HistoryMessage, OptimizedPrompt } from '../../../../../src/core/tokens/types';
import { noticeText } from '../../../../../src/shared/notices';
import { TokenCounter } from '../../../../../src/tokenCounter';
import { CodePointTokenizer } from '../../tokens/fakeTokenizer';

// With the code-point tokenizer and a 1000-token window: reserve 100, available 900, context share 400; a chunk
// costs its length + 2 (separator) + 1 (seam slack). A 10-token question leaves 890 for history and context.
const counter = (max = 1000) => new TokenCounter(max, 0.2, 0.3, 0.5, { tokenizer: new CodePointTokenizer() });
const Q = 'Q'.repeat(10);
const lines = (from: number, to: number, f = (n: number) => `f(${n});`) => Array.from({ length: to - from + 1 }, (_, k) => f(from + k));
const explain = (from: number, to: number, body = lines(from, to)) => `src/a.ts (lines ${from}-${to}):\n\`\`\`typescript\n${body.join('\n')}\n\`\`\``;

/** The optimizer's invariant: every number is a fresh count of the returned texts, and the total fits. */
function checkInvariant(tc: TokenCounter, plan: OptimizedPrompt, calibration = 1): void {
  const u = plan.tokenUsage;
  const c = (t: string) => calibrate(tc.countTokens(t), calibration);
  assert.equal(u.user, c(plan.userInput));
  const block = plan.contextChunks.map((t) => t + '\n\n').join('');
  assert.equal(u.context, block ? c(block + plan.userInput) - c(plan.userInput) : 0);
  assert.equal(
    u.history,
    plan.history.reduce((a, m) => a + c(m.content), 0),
  );
  assert.equal(u.total, u.system + u.user + u.context + u.history);
  assert.ok(u.total + u.completionReserve <= u.limit);
}

describe('compression in the optimizer', function () {
  it('changes nothing when everything fits, trailing whitespace and all', function () {
    const tc = counter(4000);
    const chunks: ContextChunk[] = [
      { text: explain(1, 60).replace(/;/g, ';   '), source: 'src/a.ts:1-60', relevance: 0.9 },
      { text: explain(41, 100), source: 'src/a.ts:41-100', relevance: 0.8 },
    ];
    const history: HistoryMessage[] = [{ role: 'user', content: 'old  \n\n\n\nquestion' }];
    const plain = tc.optimizePrompt('sys', Q, chunks, { history });
    const compressed = tc.optimizePrompt('sys', Q, chunks, { history, compress: true });
    assert.deepEqual(compressed, plain);
    assert.equal(compressed.compression, undefined);
  });

  it('is off unless asked for', function () {
    const chunks = [
      { text: explain(1, 60), source: 'src/a.ts:1-60', relevance: 0.9 },
      { text: explain(41, 100), source: 'src/a.ts:41-100', relevance: 0.8 },
    ];
    const plan = counter().optimizePrompt('', Q, chunks);
    assert.equal(plan.compression, undefined);
    assert.deepEqual(plan.droppedChunks[0].status, 'cut');
  });

  it('sends lines shared by overlapping chunks once, so the less relevant chunk fits whole instead of being cut', function () {
    const tc = counter();
    const chunks = [
      { text: explain(1, 60), source: 'src/a.ts:1-60', relevance: 0.9 },
      { text: explain(41, 100), source: 'src/a.ts:41-100', relevance: 0.8 },
    ];
    const plan = tc.optimizePrompt('', Q, chunks, { compress: true });
    checkInvariant(tc, plan);
    assert.deepEqual(plan.contextChunks, [explain(1, 60), explain(61, 100)]);
    assert.deepEqual(plan.contextChunkIndexes, [0, 1]);
    assert.deepEqual(plan.droppedChunks, []);
    assert.equal(plan.truncated, false);
    // Lines 41-60 ("f(41);\n" is 7 tokens) are sent once: 20 x 7 = 140 tokens.
    assert.deepEqual(plan.compression, {
      steps: [{ step: 'mergeOverlapping', savedTokens: 140, items: [{ section: 'context', index: 1, source: 'src/a.ts:41-100', savedTokens: 140 }] }],
      savedTokens: 140,
    });
    assert.equal(plan.tokenUsage.context, explain(1, 60).length + 2 + explain(61, 100).length + 2);
    assert.equal(noticeText({ kind: 'compressed', ...plan.compression! }), 'Compressed to fit: merged 1 overlapping chunk (-140 tokens).');
  });

  it('elides the middle of the chunk that does not fit, only as far as needed, with a counted marker', function () {
    const tc = counter();
    const big = explain(1, 200);
    const plan = tc.optimizePrompt('', Q, [{ text: big, source: 'src/a.ts:1-200' }], { compress: true });
    checkInvariant(tc, plan);
    const [text] = plan.contextChunks;
    const m = /\n… (\d+) lines elided \(lines (\d+)-(\d+)\) …\n/.exec(text);
    assert.ok(m, text);
    const [elided, from, to] = [Number(m[1]), Number(m[2]), Number(m[3])];
    assert.equal(to - from + 1, elided);
    // Every line is either sent or counted in the marker, in order: head, marker, tail.
    assert.equal(
      text,
      explain(1, 200, [...lines(1, from - 1), `… ${elided} lines elided (lines ${from}-${to}) …`, ...lines(to + 1, 200)]).replace(
        /^.*\n.*\n/,
        'src/a.ts (lines 1-200):\n```typescript\n',
      ),
    );
    // As far as needed: one more line (8 tokens at most) would not have fit in the 890 tokens of room.
    assert.ok(plan.tokenUsage.context <= 890 && plan.tokenUsage.context > 890 - 9, String(plan.tokenUsage.context));
    assert.deepEqual(plan.droppedChunks, []);
    assert.equal(plan.compression!.steps[0].step, 'elideMiddle');
    assert.equal(plan.compression!.savedTokens, big.length - text.length);
  });

  it('drops comments from a short chunk that does not fit, and never touches a more relevant chunk', function () {
    const tc = counter();
    const first = { text: explain(1, 80), source: 'src/a.ts:1-80', relevance: 1 };
    const commented = lines(1, 20, (n) => `g(${n}); // why ${n}`).join('\n');
    const plan = tc.optimizePrompt('', Q, [first, { text: commented, source: 'src/b.ts:1-20', relevance: 0.5 }], { compress: true });
    checkInvariant(tc, plan);
    assert.equal(plan.contextChunks[0], first.text);
    assert.equal(plan.contextChunks[1], lines(1, 20, (n) => `g(${n});`).join('\n'));
    assert.deepEqual(
      plan.compression!.steps.map((s) => [s.step, s.savedTokens]),
      [['dropComments', commented.length - plan.contextChunks[1].length]],
    );
  });

  it('keeps an old message that repeats a newer one by referring to it, instead of dropping it', function () {
    const tc = counter();
    const pasted = lines(1, 40, (n) => `x${n} = compute(${n})`).join('\n');
    const history: HistoryMessage[] = [
      { role: 'user', content: `Why is this slow?\n${pasted}` },
      { role: 'assistant', content: 'Cache compute.' },
      { role: 'user', content: `Like this?\n${pasted}` },
    ];
    const plain = tc.optimizePrompt('', Q, [], { history });
    assert.equal(plain.droppedMessages, 1);
    const plan = tc.optimizePrompt('', Q, [], { history, compress: true });
    checkInvariant(tc, plan);
    assert.equal(plan.droppedMessages, 0);
    assert.equal(plan.history[0].content, 'Why is this slow?\n[same 40 lines as in a later user message]');
    assert.deepEqual(plan.history.slice(1), history.slice(1));
    assert.deepEqual(
      plan.compression!.steps.map((s) => s.step),
      ['dedupeRepeats'],
    );
    assert.deepEqual(plan.truncatedSections, []);
  });

  it('never sends a reference to a message that was dropped: the chunk keeps its lines', function () {
    const tc = counter();
    const block = lines(1, 30, (n) => `y${n} = load(${n})`);
    const history: HistoryMessage[] = [{ role: 'user', content: `${'words '.repeat(100)}\n${block.join('\n')}` }];
    const chunk = { text: block.join('\n'), source: 'src/y.py:1-30' };
    // The driver alone would refer to the message...
    const direct = dedupeRepeats(
      [
        { id: 'h0', section: 'history', index: 0, rank: 0, text: history[0].content, role: 'user' },
        { id: 'c0', section: 'context', index: 0, rank: 0, text: chunk.text, source: chunk.source },
      ],
      (t) => t.length,
    );
    assert.match(direct.pieces[1].text, /\[same 30 lines as in an earlier user message\]/);
    // ...but the message does not fit, so the plan is made again without that reference.
    const plan = tc.optimizePrompt('', Q, [chunk], { history, compress: true });
    checkInvariant(tc, plan);
    assert.equal(plan.droppedMessages, 1);
    assert.deepEqual(plan.contextChunks, [chunk.text]);
    assert.equal(plan.compression, undefined);
  });

  it('reports a chunk merged into one that was then cut as dropped when its lines were cut away', function () {
    const tc = counter(300); // available 270
    const row = (n: number) => `h(${n}); `.repeat(12);
    const big = { text: lines(1, 10, row).join('\n'), source: 'src/c.ts:1-10', relevance: 0.9 };
    const inside = { text: lines(3, 4, row).join('\n'), source: 'src/c.ts:3-4', relevance: 0.1 };
    const plan = tc.optimizePrompt('', 'q'.repeat(150), [big, inside], { compress: true });
    checkInvariant(tc, plan);
    assert.deepEqual(
      plan.droppedChunks.map((d) => [d.index, d.status, d.keptTokens]),
      [
        [0, 'cut', 117],
        [1, 'dropped', 0],
      ],
    );
    // Only the trimmed trailing spaces of the kept head count; the merge saved nothing that was sent.
    assert.deepEqual(
      plan.compression!.steps.map((s) => [s.step, s.items.map((it) => it.index)]),
      [['trimTrailingWhitespace', [0]]],
    );
  });
});
