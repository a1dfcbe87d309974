import assert from 'node:assert/strict';
import { CountCache } from '../../../../src/core/tokens/countCache';

describe('CountCache', function () {
  it('answers repeated texts and counts hits and misses', function () {
    const cache = new CountCache(1000);
    assert.equal(cache.get('hello'), undefined);
    cache.set('hello', 1);
    assert.equal(cache.get('hello'), 1);
    assert.deepEqual([cache.hits, cache.misses], [1, 1]);
  });

  it('stays under its character bound by evicting the least recently used texts', function () {
    const cache = new CountCache(100);
    cache.set('a'.repeat(20), 1);
    cache.set('b'.repeat(20), 2);
    cache.set('c'.repeat(20), 3);
    cache.get('a'.repeat(20)); // now 'b' is the oldest
    cache.set('d'.repeat(20), 4);
    cache.set('e'.repeat(20), 5);
    assert.equal(cache.totalChars, 100);
    cache.set('f'.repeat(20), 6);
    assert.equal(cache.totalChars, 100);
    assert.equal(cache.get('b'.repeat(20)), undefined, 'least recently used evicted');
    assert.equal(cache.get('a'.repeat(20)), 1, 'recently used kept');
  });

  it('does not cache a text bigger than a quarter of the bound', function () {
    const cache = new CountCache(100);
    cache.set('x'.repeat(26), 9);
    assert.equal(cache.size, 0);
    assert.equal(cache.get('x'.repeat(26)), undefined);
  });
});
