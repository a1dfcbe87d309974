import { strict as assert } from 'node:assert';
import { InMemoryCalibrationStore } from '../../../../src/core/calibration/calibrationStore';
import { Calibrator } from '../../../../src/core/calibration/calibrator';
import { serverCutNotice } from '../../../../src/core/request/notices';
import { checkServerTruncation } from '../../../../src/core/request/truncationCheck';
import { noticeText } from '../../../../src/shared/notices';

describe('Calibrator', () => {
  it('knows nothing before the first sample', () => {
    assert.deepEqual(new Calibrator(new InMemoryCalibrationStore()).factorFor('m'), { factor: undefined, ratio: undefined, lowRatio: undefined, samples: 0 });
  });

  it('converges on a stable ratio from above, staying conservative', () => {
    const store = new InMemoryCalibrationStore();
    const cal = new Calibrator(store);
    const factors: number[] = [];
    for (let i = 0; i < 10; i++) {
      cal.observe('m', 1000, 1300);
      factors.push(cal.factorFor('m').factor as number);
    }
    assert.ok(
      factors.every((f) => f >= 1.3),
      'never below the true ratio',
    );
    assert.ok(
      factors.every((f, i) => i === 0 || f <= factors[i - 1]),
      'the margin only shrinks',
    );
    assert.ok(factors[9] < 1.3 * 1.05, `within 5% after 10 samples (${factors[9]})`);
    assert.equal(store.get('m')?.samples, 10);
  });

  it('plans with the largest recent ratio when the ratio varies, and forgets old outliers', () => {
    const cal = new Calibrator(new InMemoryCalibrationStore(), { window: 3 });
    for (const modelTokens of [1500, 1200, 1200, 1200]) cal.observe('m', 1000, modelTokens);
    const f = cal.factorFor('m');
    assert.ok((f.factor as number) >= 1.2 && (f.factor as number) < 1.5, `the 1.5 sample left the window (${f.factor})`);
    assert.equal(f.lowRatio, 1.2);
  });

  it('ignores missing counts, tiny prompts and unbelievable ratios', () => {
    const cal = new Calibrator(new InMemoryCalibrationStore());
    assert.equal(cal.observe('m', 1000, undefined), undefined);
    assert.equal(cal.observe('m', 5, 9), undefined);
    assert.equal(cal.observe('m', 1000, 20000), undefined);
    assert.equal(cal.factorFor('m').samples, 0);
  });

  it('keeps separate ratios per model and persists through the store', () => {
    const store = new InMemoryCalibrationStore();
    new Calibrator(store).observe('a', 1000, 900);
    new Calibrator(store).observe('b', 1000, 1400);
    const fresh = new Calibrator(store);
    assert.equal(fresh.factorFor('a').ratio, 0.9);
    assert.equal(fresh.factorFor('b').ratio, 1.4);
  });
});

describe('checkServerTruncation', () => {
  it('suspects a prompt_eval_count clearly below what was sent (Ollama 0.30+ keeps about num_ctx/2)', () => {
    const check = checkServerTruncation({ expectedPromptTokens: 3900, promptEvalCount: 2050, numCtx: 4096, calibrated: true });
    assert.equal(check.suspected, true);
    assert.equal(
      noticeText(serverCutNotice(check, 3900, 4096)),
      'Ollama evaluated only 2050 prompt tokens where about 3900 were sent (num_ctx 4096): the server may have truncated the prompt silently, so the answer may have missed part of it. Remove some context or start a new conversation.',
    );
  });

  it('suspects a count that fills num_ctx exactly (servers before 0.30)', () => {
    const check = checkServerTruncation({ expectedPromptTokens: 5000, promptEvalCount: 4096, numCtx: 4096, calibrated: false });
    assert.equal(check.suspected, true);
    assert.match(noticeText(serverCutNotice(check, 3900, 4096)), /evaluated 4096 prompt tokens, its whole window/);
  });

  it('recognises Ollama 0.30+ keeping num_ctx/2 of a big planned prompt, even before calibration', () => {
    assert.equal(
      checkServerTruncation({ expectedPromptTokens: 2838, plannedPromptTokens: 3686, promptEvalCount: 2048, numCtx: 4096, calibrated: false }).suspected,
      true,
    );
    assert.equal(
      checkServerTruncation({ expectedPromptTokens: 2838, plannedPromptTokens: 2000, promptEvalCount: 2048, numCtx: 4096, calibrated: false }).suspected,
      false,
      'a prompt planned at half the window may legitimately count half',
    );
  });

  it('tolerates tokenizer differences before calibration, and small absolute differences always', () => {
    assert.equal(checkServerTruncation({ expectedPromptTokens: 3000, promptEvalCount: 2100, numCtx: 8192, calibrated: false }).suspected, false);
    assert.equal(checkServerTruncation({ expectedPromptTokens: 3000, promptEvalCount: 2100, numCtx: 8192, calibrated: true }).suspected, true);
    assert.equal(checkServerTruncation({ expectedPromptTokens: 60, promptEvalCount: 30, numCtx: 8192, calibrated: true }).suspected, false);
    assert.equal(checkServerTruncation({ expectedPromptTokens: 3000, promptEvalCount: undefined, numCtx: 8192, calibrated: true }).suspected, false);
  });
});
