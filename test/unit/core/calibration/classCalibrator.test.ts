import assert from 'node:assert/strict';
import { ClassCalibrator, InMemoryClassCalibrationStore, PRIOR, predict, type ClassRatios } from '../../../../src/core/calibration/classCalibrator';
import type { ClassCounts } from '../../../../src/core/tokens/contentClasses';

/**
 * Pretend models whose true costs (per cl100k token) the calibrator must find: Llama 3's, Qwen3's (digits one by
 * one), and Gemma 3's (digits one by one, and punctuation kept apart from letters: see contentClasses.ts).
 */
const TRUTH: ClassRatios = {
  ratios: { space: 0.41, digit: 1.02, chinese: 0.78, japanese: 0.64, korean: 0.71, emoji: 0.96, other: 1.01, punctuation: 0 },
  perMessage: 5,
  fixed: 1,
};
const CSV_TRUTH: ClassRatios = {
  ratios: { space: 0.37, digit: 1.7, chinese: 0.66, japanese: 0.61, korean: 0.72, emoji: 0.52, other: 1.01, punctuation: 0.04 },
  perMessage: 4,
  fixed: 1,
};
const GEMMA_TRUTH: ClassRatios = {
  ratios: { space: 0.92, digit: 1.69, chinese: 0.62, japanese: 0.45, korean: 0.7, emoji: 0.48, other: 0.99, punctuation: 0.69 },
  perMessage: 6,
  fixed: 2,
};

function lcg(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}
const KINDS: Record<string, (r: () => number) => ClassCounts> = {
  code: (r) =>
    glued({ space: 300 + r() * 300, digit: 10 + r() * 20, chinese: 0, japanese: 0, korean: 0, emoji: 0, other: 1400 + r() * 900 }, 0.04 + 0.06 * r()),
  prose: (r) =>
    glued({ space: 20 + r() * 20, digit: 5 + r() * 5, chinese: 0, japanese: 0, korean: 0, emoji: 2 * r(), other: 1500 + r() * 1000 }, 0.05 + 0.15 * r()),
  cjk: (r) => glued({ space: 15, digit: 5, chinese: 1300 + r() * 900, japanese: r() * 600, korean: 0, emoji: 0, other: 250 + r() * 100 }, 0.05 * r()),
  csv: (r) => glued({ space: 60 + r() * 20, digit: 900 + r() * 600, chinese: 0, japanese: 0, korean: 0, emoji: 0, other: 500 + r() * 200 }, 0.02 * r()),
};

/** Counts with `share` of the other tokens glued (README prose 5-20%, code 4-10%, measured with cl100k). */
function glued(counts: Omit<ClassCounts, 'punctuation'>, share: number): ClassCounts {
  return { ...counts, punctuation: Math.round(counts.other * share) };
}

describe('per-class calibration of the GPT-2 fallback', () => {
  it('starts from conservative priors that never under-count the measured vocabularies', () => {
    const cal = new ClassCalibrator(new InMemoryClassCalibrationStore());
    const start = cal.estimate('m');
    assert.equal(start.samples, 0);
    for (const kind of Object.keys(KINDS)) {
      const counts = KINDS[kind](lcg(3));
      for (const truth of [TRUTH, CSV_TRUTH, GEMMA_TRUTH]) {
        assert.ok(predict(start.ratios, counts, 4) >= predict(truth, counts, 4), `${kind}: the priors over-count`);
      }
    }
    assert.deepEqual(start.ratios.ratios, PRIOR.ratios);
  });

  for (const kind of Object.keys(KINDS)) {
    for (const [model, truth] of [
      ['Llama 3', kind === 'csv' ? CSV_TRUTH : TRUTH],
      // Gemma 3's made-up truth where its punctuation matters; its CJK and CSV are checked against the real
      // vocabulary in test/unit/modelIntegration/whatTheModelSees.test.ts.
      ...(kind === 'code' || kind === 'prose' ? [['Gemma 3', GEMMA_TRUTH] as const] : []),
    ] as const)
      it(`is within 3% of ${model}'s count after 5 requests of ${kind}`, () => {
        const cal = new ClassCalibrator(new InMemoryClassCalibrationStore());
        const r = lcg(kind.length * 7);
        for (let i = 0; i < 5; i++) {
          const counts = KINDS[kind](r);
          const messages = 2 + Math.floor(r() * 8);
          cal.observe('m', { counts, messages, modelTokens: Math.round(predict(truth, counts, messages)) });
        }
        for (let i = 0; i < 10; i++) {
          const counts = KINDS[kind](r);
          const y = predict(truth, counts, 6);
          const p = predict(cal.estimate('m').ratios, counts, 6);
          assert.ok(Math.abs(p - y) / y < 0.03, `${kind}: ${p.toFixed(0)} vs ${y.toFixed(0)}`);
        }
      });
  }

  it('pins a ratio the fit puts out of range and refits the rest (clamping afterwards left 2.6% off)', () => {
    // A vocabulary cheaper than the priors on text and without any punctuation cost: the unconstrained fit wants a
    // negative punctuation ratio; held at 0, `other` must absorb the rest.
    const truth: ClassRatios = { ...TRUTH, ratios: { ...TRUTH.ratios, other: 0.85, punctuation: 0 } };
    const cal = new ClassCalibrator(new InMemoryClassCalibrationStore());
    const r = lcg(99);
    for (let i = 0; i < 12; i++) {
      const c = KINDS.prose(r);
      cal.observe('m', { counts: c, messages: 4, modelTokens: predict(truth, c, 4) });
    }
    const fitted = cal.estimate('m').ratios;
    assert.equal(fitted.ratios.punctuation, 0);
    for (let i = 0; i < 20; i++) {
      const c = KINDS.prose(r);
      const y = predict(truth, c, 4);
      assert.ok(Math.abs(predict(fitted, c, 4) / y - 1) < 0.02, `${predict(fitted, c, 4).toFixed(0)} vs ${y.toFixed(0)}`);
    }
  });

  it('follows the conversation when its content changes, and plans with a margin only for under-counting', () => {
    const cal = new ClassCalibrator(new InMemoryClassCalibrationStore());
    const r = lcg(11);
    for (let i = 0; i < 5; i++) {
      const c = KINDS.code(r);
      cal.observe('m', { counts: c, messages: 4, modelTokens: predict(TRUTH, c, 4) });
    }
    assert.ok(cal.estimate('m').margin < 0.05, 'after the first over-counted requests the margin is small');
    for (let i = 0; i < 4; i++) {
      const c = KINDS.cjk(r);
      cal.observe('m', { counts: c, messages: 4, modelTokens: predict(TRUTH, c, 4) });
    }
    const c = KINDS.cjk(r);
    const p = predict(cal.estimate('m').ratios, c, 4);
    assert.ok(Math.abs(p - predict(TRUTH, c, 4)) / predict(TRUTH, c, 4) < 0.03);
  });

  it('keeps what it learned across sessions, per model, and ignores samples too small to teach', () => {
    const store = new InMemoryClassCalibrationStore();
    const a = new ClassCalibrator(store);
    const c = KINDS.prose(lcg(5));
    a.observe('m', { counts: c, messages: 3, modelTokens: predict(TRUTH, c, 3) });
    assert.equal(new ClassCalibrator(store).estimate('m').samples, 1);
    assert.equal(new ClassCalibrator(store).estimate('other').samples, 0);
    assert.equal(
      a.observe('m', { counts: { space: 1, digit: 0, chinese: 0, japanese: 0, korean: 0, emoji: 0, other: 2, punctuation: 0 }, messages: 1, modelTokens: 9 }),
      undefined,
    );
  });
});
