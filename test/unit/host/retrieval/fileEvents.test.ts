import assert from 'node:assert/strict';
import { FileEventBatcher, type FileBatch } from '../../../../src/host/retrieval/fileEvents';

function setup() {
  const batches: FileBatch[] = [];
  let now = 0;
  const timers: { at: number; run: () => void; cancelled: boolean }[] = [];
  const batcher = new FileEventBatcher((b) => batches.push(b), {
    delayMs: 300,
    maxWaitMs: 2000,
    now: () => now,
    setTimer: (run, ms) => {
      const t = { at: now + ms, run, cancelled: false };
      timers.push(t);
      return () => (t.cancelled = true);
    },
  });
  const advance = (ms: number) => {
    now += ms;
    for (const t of [...timers])
      if (!t.cancelled && t.at <= now) {
        t.cancelled = true;
        t.run();
      }
  };
  return { batches, batcher, advance };
}

describe('file events: batched into index updates', () => {
  it('applies once things are quiet; the last event for a path wins', () => {
    const { batches, batcher, advance } = setup();
    batcher.changed('a.ts');
    batcher.changed('b.ts');
    batcher.deleted('b.ts');
    batcher.deleted('c.ts');
    batcher.changed('c.ts');
    advance(299);
    assert.equal(batches.length, 0);
    advance(1);
    assert.deepEqual(batches, [{ changed: ['a.ts', 'c.ts'], deleted: ['b.ts'], renamed: [] }]);
  });

  it('a steady stream of events (a checkout) is applied at most maxWait after the first', () => {
    const { batches, batcher, advance } = setup();
    for (let i = 0; i < 30; i++) {
      batcher.changed(`f${i}.ts`);
      advance(100);
    }
    assert.ok(batches.length >= 1);
    assert.equal(batches[0].changed.length, 20, 'the first batch went after 2 s, not at the end of the stream');
  });

  it("a deleted folder covers what was changed inside it; a rename drops the watcher's delete/create of the same paths", () => {
    const { batches, batcher, advance } = setup();
    batcher.changed('lib/a.ts');
    batcher.deleted('lib');
    batcher.renamed('src/old', 'src/new');
    batcher.deleted('src/old');
    batcher.changed('src/new/x.ts');
    batcher.changed('other.ts');
    advance(300);
    assert.deepEqual(batches, [{ changed: ['other.ts'], deleted: ['lib'], renamed: [{ from: 'src/old', to: 'src/new' }] }]);
  });

  it('flush applies now, clear forgets', () => {
    const { batches, batcher, advance } = setup();
    batcher.changed('a.ts');
    batcher.flush();
    assert.equal(batches.length, 1);
    batcher.changed('b.ts');
    batcher.clear();
    advance(5000);
    batcher.flush();
    assert.equal(batches.length, 1);
  });
});
