import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { loadGpt2Encoding, type Gpt2Encoding } from '../../../../src/core/tokens/tiktokenTokenizer';
import { PromptTooLargeError } from '../../../../src/core/tokens/tokenErrors';
import type { ContextChunk, HistoryMessage, OptimizeOptions } from '../../../../src/core/tokens/types';
import { TokenCounter } from '../../../../src/tokenCounter';
import { assertCleanCut } from './graphemeCheck';

const require = createRequire(__filename);
const CODE = readFileSync(require.resolve('typescript/lib/lib.es2015.core.d.ts'), 'utf8');

const codeSlice = (max: number) => fc.tuple(fc.nat(CODE.length), fc.nat(max)).map(([start, len]) => CODE.slice(start, start + len));
const text = (max: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: max / 10 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: max / 20 }) },
    { weight: 3, arbitrary: codeSlice(max) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '<|endoftext|>', '\n\n', '👨‍👩‍👧‍👦🇫🇷e\u0301') },
  );
const chunk = (max: number): fc.Arbitrary<ContextChunk> =>
  fc.oneof(
    text(max),
    fc.record({
      text: text(max),
      relevance: fc.option(fc.oneof(fc.double(), fc.integer({ min: -5, max: 5 })), { nil: undefined }),
      source: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    }),
  );
const message: fc.Arbitrary<HistoryMessage> = fc.record({ role: fc.constantFrom('user', 'assistant', 'system'), content: text(2000) });
const budgets = fc.tuple(fc.nat(100), fc.nat(100), fc.nat(100)).map(([a, b, c]) => {
  const scale = Math.max(100, a + b + c);
  return [a / scale, b / scale, c / scale] as const;
});
const options: fc.Arbitrary<OptimizeOptions> = fc.record(
  {
    history: fc.array(message, { maxLength: 8 }),
    calibration: fc.oneof(
      fc.constant(1),
      fc.double({ min: 0.5, max: 3, noNaN: true }),
      // The GPT-2 fallback's learned ratio per content class (whitespace runs can be far cheaper for a model, digits dearer).
      fc.record({
        space: fc.double({ min: 0.05, max: 1.5, noNaN: true }),
        digit: fc.double({ min: 0.3, max: 4, noNaN: true }),
        chinese: fc.double({ min: 0.2, max: 1.5, noNaN: true }),
        japanese: fc.double({ min: 0.2, max: 1.5, noNaN: true }),
        korean: fc.double({ min: 0.2, max: 1.5, noNaN: true }),
        emoji: fc.double({ min: 0.3, max: 2, noNaN: true }),
        other: fc.double({ min: 0.4, max: 2, noNaN: true }),
        // The punctuation correction (per glued token) may cost nothing at all.
        punctuation: fc.double({ min: 0, max: 1.5, noNaN: true }),
      }),
    ),
    perMessageOverhead: fc.nat(8),
    promptOverhead: fc.nat(12),
    maxContextChunks: fc.nat(20),
  },
  { requiredKeys: [] },
);

/** Checks one plan: it fits, its counts are fresh counts of its texts, and every cut is clean. */
function checkPlan(counter: TokenCounter, fresh: TokenCounter, input: { system: string; user: string; chunks: ContextChunk[]; opts: OptimizeOptions }): void {
  let plan;
  try {
    plan = counter.optimizePrompt(input.system, input.user, input.chunks, input.opts);
  } catch (err) {
    assert.ok(err instanceof PromptTooLargeError, `unexpected ${String(err)}`);
    assert.ok(err.minimumNeeded > err.limit - err.completionReserve, 'thrown only when the unavoidable parts do not fit');
    return;
  }
  const u = plan.tokenUsage;
  const cal = input.opts.calibration ?? 1;
  const o = input.opts.perMessageOverhead ?? 0;
  const fixed = input.opts.promptOverhead ?? 0;
  const c = (t: string) => (t.length === 0 ? 0 : fresh.countCalibrated(t, cal));
  assert.ok(u.total + u.completionReserve <= u.limit, `${u.total} + ${u.completionReserve} > ${u.limit}`);
  assert.equal(u.system, fixed + (plan.systemPrompt ? c(plan.systemPrompt) + o : 0));
  assert.equal(u.user, c(plan.userInput) + o);
  const block = plan.contextChunks.map((t) => t + '\n\n').join('');
  assert.equal(u.context, block ? c(block + plan.userInput) - c(plan.userInput) : 0);
  assert.equal(
    u.history,
    plan.history.reduce((a, m) => a + c(m.content) + o, 0),
  );
  assert.equal(u.total, u.system + u.user + u.context + u.history);
  assertCleanCut(input.system, plan.systemPrompt);
  assertCleanCut(input.user, plan.userInput);
  const texts = input.chunks.map((ch) => (typeof ch === 'string' ? ch : ch.text));
  plan.contextChunks.forEach((t, k) => assertCleanCut(texts[plan.contextChunkIndexes[k]], t));
  const history = input.opts.history ?? [];
  const pairs = (ms: readonly HistoryMessage[]) => ms.map((m) => [m.role, m.content]);
  assert.deepEqual(pairs(plan.history), pairs(history.slice(plan.droppedMessages)));
  assert.equal(plan.truncated, plan.warning !== undefined);
  if (!plan.truncated) {
    assert.equal(plan.systemPrompt, input.system);
    assert.equal(plan.userInput, input.user);
    assert.equal(plan.contextChunks.length, texts.filter((t) => t.length > 0).length);
  }
}

describe('optimizePrompt invariant (property-based)', function () {
  const real = loadGpt2Encoding();
  after(() => real.free());
  const borrowed = (): Gpt2Encoding => ({ encode_ordinary: (t) => real.encode_ordinary(t), decode: (t) => real.decode(t), free: () => undefined });
  const fresh = new TokenCounter(8192, 0.2, 0.3, 0.5, { loadEncoding: borrowed, env: {} });
  const freshEstimate = new TokenCounter(8192, 0.2, 0.3, 0.5, { forceEstimate: true });

  const input = (maxText: number, maxChunks: number) =>
    fc.record({ system: text(maxText), user: text(maxText), chunks: fc.array(chunk(maxText), { maxLength: maxChunks }), opts: options });

  it('fits and reports fresh counts for any input, with GPT-2', function () {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 6000 }),
        budgets,
        input(4000, 30),
        fc.option(fc.double({ min: 0, max: 0.9, noNaN: true })),
        (max, [s, u, cx], inp, reserve) => {
          // Sometimes the ledger's smaller (or larger) answer reserve instead of 0.1 of the window.
          const opts = reserve === null ? inp.opts : { ...inp.opts, completionReserve: Math.floor(reserve * max) };
          checkPlan(new TokenCounter(max, s, u, cx, { loadEncoding: borrowed, env: {} }), fresh, { ...inp, opts });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fits for huge inputs, many chunks and pathological runs', function () {
    const huge = fc.oneof(
      fc.nat(60_000).map((n) => 'a'.repeat(n)),
      codeSlice(80_000),
      fc.nat(20_000).map((n) => '😀'.repeat(n)),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 256, max: 32_768 }),
        huge,
        huge,
        fc.array(fc.oneof(huge, codeSlice(3000)), { maxLength: 120 }),
        (max, system, user, chunks) => {
          checkPlan(new TokenCounter(max, 0.2, 0.3, 0.5, { loadEncoding: borrowed, env: {} }), fresh, { system, user, chunks, opts: {} });
        },
      ),
      { numRuns: 12 },
    );
  });

  it('fits and reports fresh counts with the estimate', function () {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 6000 }), budgets, input(3000, 20), (max, [s, u, cx], inp) => {
        checkPlan(new TokenCounter(max, s, u, cx, { forceEstimate: true }), freshEstimate, inp);
      }),
      { numRuns: 60 },
    );
  });
});
