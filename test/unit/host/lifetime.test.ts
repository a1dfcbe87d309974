import assert from 'node:assert/strict';
import { Lifetime } from '../../../src/host/lifetime';

describe('named lifetimes', () => {
  const item = (log: string[], name: string, fail = false) => ({
    dispose: () => {
      log.push(name);
      if (fail) throw new Error(name);
    },
  });

  it('ends everything it holds, newest first, even when one item fails to dispose', () => {
    const log: string[] = [];
    const lifetime = new Lifetime('panel');
    lifetime.add(item(log, 'a'), item(log, 'b', true));
    lifetime.bucket.push(item(log, 'c'));
    assert.equal(lifetime.size, 3);
    lifetime.dispose();
    assert.deepEqual(log, ['c', 'b', 'a']);
    assert.equal(lifetime.size, 0);
  });

  it('disposes at once what is added after it ended (a listener registered during teardown)', () => {
    const log: string[] = [];
    const lifetime = new Lifetime('panel');
    lifetime.dispose();
    lifetime.add(item(log, 'late'));
    assert.deepEqual(log, ['late']);
  });
});
