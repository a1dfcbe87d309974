import * as assert from 'node:assert/strict';
import { ClassCalibrator } from '../../../../src/core/calibration/classCalibrator';
import { MementoCalibrationStore } from '../../../../src/host/storage/mementoCalibrationStore';

// A Memento as VS Code's globalState behaves: sync get, async update, values kept as JSON.
class FakeMemento {
  readonly data = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const v = this.data.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.stringify(value));
  }
}

describe('calibration persisted in globalState', () => {
  it('what a model taught in one session is used by the next; an older record is ignored', async () => {
    const memento = new FakeMemento();
    const first = new ClassCalibrator(new MementoCalibrationStore(memento));
    const counts = { space: 200, digit: 10, chinese: 0, japanese: 0, korean: 0, emoji: 0, other: 1500, punctuation: 120 };
    for (let i = 0; i < 5; i++) first.observe('coder:7b', { counts, messages: 3, modelTokens: 1200 });
    await new Promise((r) => setImmediate(r));
    assert.ok([...memento.data.keys()].includes('therapist.calibration.coder:7b'));
    const next = new ClassCalibrator(new MementoCalibrationStore(memento)); // a new window, same user
    assert.equal(next.estimate('coder:7b').samples, 5, 'the fit carried over');
    assert.equal(next.estimate('other:1b').samples, 0, 'other models start from the priors');
    await memento.update('therapist.calibration.old:1b', { ratio: 1.3, recent: [1.3], samples: 4, updatedAt: '2026-01-01' });
    assert.equal(next.estimate('old:1b').samples, 0, 'a one-ratio record from an older version starts over');
    // A record from before the punctuation correction (version 4, seven classes) starts over too.
    const v4 = { ...(JSON.parse(memento.data.get('therapist.calibration.coder:7b')!) as object), version: 4 };
    await memento.update('therapist.calibration.v4:1b', v4);
    assert.equal(next.estimate('v4:1b').samples, 0, 'a version-4 record starts over');
    assert.ok(next.estimate('v4:1b').ratios.ratios.punctuation > 0, 'from the priors, which know the punctuation class');
  });
});
