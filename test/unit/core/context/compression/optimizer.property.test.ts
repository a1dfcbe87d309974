import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fc from 'fast-check';
import { CONTENT_CLASSES, type ContentClass } from '../../../../../src/core/tokens/contentClasses';
import { loadGpt2Encoding, type Gpt2Encoding } from '../../../../../src/core/tokens/tiktokenTokenizer';
import { PromptTooLargeError } from '../../../../../src/core/tokens/tokenErrors';
import type { ContextChunk, HistoryMessage, OptimizeOptions, OptimizedPrompt } from '../../../../../src/core/tokens/types';
import { TokenCounter } from '../../../../../src/tokenCounter';
import { graphemeBoundaries } from '../../tokens/graphemeCheck';

// The optimizer's guarantee with compression on: the prompt fits, every number is a fresh count of the returned
// texts (elision and reference markers included), nothing changes when nothing had to be cut, and every text
// that differs from the caller's (beyond a marked cut) is listed in the compression report.

const require = createRequire(__filename);
const FIXTURES = path.join(__dirname, 'fixtures');
const FILES = [
  { name: 'lib.es2015.core.d.ts', text: readFileSync(require.resolve('typescript/lib/lib.es2015.core.d.ts'), 'utf8') },
  ...readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => ({ name: f.replace(/\.txt$/, ''), text: readFileSync(path.join(FIXTURES, f), 'utf8') })),
];

/** Lines [a, b] (1-based) of a file, as retrieval or Explain would send them. */
const windowOf = fc
  .record({
    file: fc.nat(FILES.length - 1),
    start: fc.nat(),
    length: fc.integer({ min: 1, max: 160 }),
    explain: fc.boolean(),
    relevance: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  })
  .map(({ file, start, length, explain, relevance }): ContextChunk => {
    const f = FILES[file];
    const lines = f.text.split('\n');
    const a = 1 + (start % lines.length);
    const b = Math.min(lines.length, a + length - 1);
    const body = lines.slice(a - 1, b).join('\n');
    const text = explain ? `${f.name} (lines ${a}-${b}):\n\`\`\`\n${body}\n\`\`\`` : body;
    return { text, source: `${f.name}:${a}-${b}`, relevance };
  });
/** A message that pastes a window (or says something short). */
const messageOf = fc
  .record({ role: fc.constantFrom<'user' | 'assistant'>('user', 'assistant'), paste: fc.option(windowOf, { nil: undefined }), words: fc.nat(60) })
  .map(({ role, paste, words }): HistoryMessage => {
    const prose = 'about this '.repeat(words).trim();
    const code = paste && typeof paste !== 'string' ? paste.text : '';
    return { role, content: code ? `${prose}\n\`\`\`\n${code}\n\`\`\`\n` : prose || 'ok' };
  });
/** Chunks that overlap and repeat: some drawn twice, some of the same file next to each other. */
const chunksOf = fc
  .array(windowOf, { maxLength: 14 })
  .chain((cs) => fc.subarray(cs).map((dupes) => [...cs, ...dupes.map((d) => (typeof d === 'string' ? d : { ...d, relevance: 0.01 }))]));

const wasCut = (original: string, sent: string) => {
  if (sent === original) return true;
  const m = /\n?\[\.\.\. \d+ tokens truncated \.\.\.\]\n?/.exec(sent);
  return m !== null && original.startsWith(sent.slice(0, m.index)) && graphemeBoundaries(original).has(m.index);
};

function check(tc: TokenCounter, fresh: TokenCounter, system: string, user: string, chunks: ContextChunk[], opts: OptimizeOptions): void {
  let plan: OptimizedPrompt;
  let plain: OptimizedPrompt;
  try {
    plain = tc.optimizePrompt(system, user, chunks, opts);
    plan = tc.optimizePrompt(system, user, chunks, { ...opts, compress: true });
  } catch (err) {
    assert.ok(err instanceof PromptTooLargeError, `unexpected ${String(err)}`);
    return;
  }
  const u = plan.tokenUsage;
  const cal = opts.calibration ?? 1;
  const o = opts.perMessageOverhead ?? 0;
  const c = (t: string) => (t.length === 0 ? 0 : fresh.countCalibrated(t, cal));
  assert.ok(u.total + u.completionReserve <= u.limit, `${u.total} + ${u.completionReserve} > ${u.limit}`);
  assert.equal(u.user, c(plan.userInput) + o);
  assert.equal(u.system, (opts.promptOverhead ?? 0) + (plan.systemPrompt ? c(plan.systemPrompt) + o : 0));
  const block = plan.contextChunks.map((t) => t + '\n\n').join('');
  assert.equal(u.context, block ? c(block + plan.userInput) - c(plan.userInput) : 0, 'markers are counted: context is a fresh count');
  assert.equal(
    u.history,
    plan.history.reduce((a, m) => a + c(m.content) + o, 0),
  );
  assert.equal(u.total, u.system + u.user + u.context + u.history);
  assert.equal(u.requested, plain.tokenUsage.requested);
  // The system prompt and the user's message are never compressed.
  assert.equal(plan.systemPrompt, plain.systemPrompt);
  assert.equal(plan.userInput, plain.userInput);
  // Nothing lost without compression: nothing compressed.
  if (plain.droppedMessages === 0 && plain.droppedChunks.length === 0) {
    assert.deepEqual(plan, plain);
    return;
  }
  // Every changed text is reported.
  const reported = new Set((plan.compression?.steps ?? []).flatMap((s) => s.items.map((it) => `${it.section}${it.index}`)));
  const texts = chunks.map((ch) => (typeof ch === 'string' ? ch : ch.text));
  plan.contextChunks.forEach((t, k) => {
    const index = plan.contextChunkIndexes[k];
    if (!wasCut(texts[index], t)) assert.ok(reported.has(`context${index}`), `chunk ${index} changed without a report`);
  });
  const history = opts.history ?? [];
  assert.equal(plan.history.length, history.length - plan.droppedMessages);
  plan.history.forEach((m, k) => {
    const i = plan.droppedMessages + k;
    assert.equal(m.role, history[i].role);
    if (m.content !== history[i].content) assert.ok(reported.has(`history${i}`), `message ${i} changed without a report`);
  });
  if (plan.compression) {
    const total = plan.compression.steps.reduce((a, s) => a + s.savedTokens, 0);
    assert.equal(plan.compression.savedTokens, total);
    for (const s of plan.compression.steps)
      assert.equal(
        s.savedTokens,
        s.items.reduce((a, it) => a + it.savedTokens, 0),
      );
  }
}

describe('optimizePrompt with compression (property-based)', function () {
  this.timeout(120_000);
  const real = loadGpt2Encoding();
  after(() => real.free());
  const borrowed = (): Gpt2Encoding => ({ encode_ordinary: (t) => real.encode_ordinary(t), decode: (t) => real.decode(t), free: () => undefined });
  const fresh = new TokenCounter(8192, 0.2, 0.3, 0.5, { loadEncoding: borrowed, env: {} });

  it('fits, counts every marker and reports every change, for overlapping and repeated real code', function () {
    fc.assert(
      fc.property(
        fc.integer({ min: 256, max: 8192 }),
        chunksOf,
        fc.array(messageOf, { maxLength: 6 }),
        fc.record(
          {
            calibration: fc.oneof(
              fc.constant(1),
              fc.double({ min: 0.5, max: 3, noNaN: true }),
              // The GPT-2 fallback's per-class ratios (the request planner's estimate path).
              fc.record(
                Object.fromEntries(CONTENT_CLASSES.map((c) => [c, fc.double({ min: 0.05, max: 3, noNaN: true })])) as Record<
                  ContentClass,
                  fc.Arbitrary<number>
                >,
              ),
            ),
            perMessageOverhead: fc.nat(6),
            promptOverhead: fc.nat(10),
            maxContextChunks: fc.nat(20),
          },
          { requiredKeys: [] },
        ),
        fc.string({ maxLength: 200 }),
        (max, chunks, history, opts, question) => {
          const tc = new TokenCounter(max, 0.2, 0.3, 0.5, { loadEncoding: borrowed, env: {} });
          check(tc, fresh, 'You are a careful engineer.', question || 'Why?', chunks, { ...opts, history });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fits with the estimate too', function () {
    fc.assert(
      fc.property(fc.integer({ min: 256, max: 4096 }), chunksOf, fc.array(messageOf, { maxLength: 4 }), (max, chunks, history) => {
        const tc = new TokenCounter(max, 0.2, 0.3, 0.5, { forceEstimate: true });
        check(tc, new TokenCounter(8192, 0.2, 0.3, 0.5, { forceEstimate: true }), '', 'Explain.', chunks, { history });
      }),
      { numRuns: 25 },
    );
  });
});
