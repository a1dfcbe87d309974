import * as assert from 'node:assert/strict';
import { Calibrator } from '../../../../src/core/calibration/calibrator';
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
  it('a ratio learned in one session is used by the next', async () => {
    const memento = new FakeMemento();
    const first = new Calibrator(new MementoCalibrationStore(memento));
    for (let i = 0; i < 5; i++) first.observe('coder:7b', 1000, 1300);
    await new Promise((r) => setImmediate(r));
    assert.ok([...memento.data.keys()].includes('therapist.calibration.coder:7b'));
    const next = new Calibrator(new MementoCalibrationStore(memento)); // a new window, same user
    const factor = next.factorFor('coder:7b').factor;
    assert.ok(factor !== undefined && Math.abs(factor - 1.3) < 0.1, `learned ratio carried over: ${factor}`);
    assert.equal(next.factorFor('other:1b').factor, undefined, 'other models start uncalibrated');
  });
});
