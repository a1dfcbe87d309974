import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RankBuckets } from '../../../../../src/core/tokens/model/rankBuckets';

// The long-piece merge's queue (longPieces.ts): the lowest queued rank first, its positions in ascending order.

describe('RankBuckets (the long-piece merge queue)', () => {
  /** Drains the queue: [rank, positions][] in the order take() gives them. */
  const drain = (q: RankBuckets): [number, number[]][] => {
    const out: [number, number[]][] = [];
    for (let r = q.lowest(); r >= 0; r = q.lowest()) out.push([r, [...q.take(r)]]);
    return out;
  };

  it('hands out the lowest rank first, each bucket sorted, for any pushes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5000), fc.nat(100_000)), { maxLength: 300 }), (pushes) => {
        const q = new RankBuckets(5001);
        for (const [rank, pos] of pushes) q.push(rank, pos);
        const expected = new Map<number, number[]>();
        for (const [rank, pos] of pushes) expected.set(rank, [...(expected.get(rank) ?? []), pos]);
        assert.deepEqual(
          drain(q),
          [...expected].sort((a, b) => a[0] - b[0]).map(([r, ps]) => [r, ps.sort((a, b) => a - b)]),
        );
        assert.equal(q.lowest(), -1);
      }),
      { numRuns: 200 },
    );
  });

  it('takes a lower rank pushed after a higher one was found (a merge made a lower pair)', () => {
    const q = new RankBuckets(100);
    q.push(50, 3);
    assert.equal(q.lowest(), 50);
    q.push(7, 9);
    assert.equal(q.lowest(), 7);
    assert.deepEqual([...q.take(7)], [9]);
    assert.deepEqual(drain(q), [[50, [3]]]);
  });

  it('works the same after giving back the storage a huge piece grew, and after a clear', () => {
    const q = new RankBuckets(1000);
    for (let i = 0; i < 200_000; i++) q.push(i % 1000, i);
    assert.equal(drain(q).length, 1000);
    q.release();
    q.push(3, 2);
    q.push(3, 1);
    q.push(1, 5);
    q.clear();
    q.push(4, 8);
    q.push(2, 6);
    q.release();
    assert.deepEqual(drain(q), [
      [2, [6]],
      [4, [8]],
    ]);
  });
});
