import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CharClass, classAt, unitsAt } from '../../../../src/core/tokens/charClasses';
import { sliceCuts } from '../../../../src/core/tokens/slicing';

/** Longest run of one class inside text[start, end), in UTF-16 units. */
function longestRun(text: string, start: number, end: number): number {
  let best = 0;
  let run = 0;
  let prev = -1;
  for (let i = start; i < end;) {
    const cls = classAt(text, i);
    const w = unitsAt(text, i);
    run = cls === prev ? run + w : w;
    prev = cls;
    best = Math.max(best, run);
    i += w;
  }
  return best;
}

describe('slicing of pathological runs', function () {
  it('leaves ordinary code and prose in one slice', function () {
    assert.deepEqual(sliceCuts('function add(a: number, b: number) { return a + b; }\n'.repeat(200)), []);
    assert.deepEqual(sliceCuts('The quick brown fox jumps over the lazy dog. '.repeat(200)), []);
  });

  it('cuts a long run every 64 ASCII characters or 32 other code points', function () {
    assert.deepEqual(sliceCuts('a'.repeat(200)), [64, 128, 192]);
    assert.deepEqual(sliceCuts('ab cd ' + '9'.repeat(130)), [6 + 64, 6 + 128]);
    assert.deepEqual(sliceCuts('中'.repeat(70)), [32, 64]);
    assert.deepEqual(sliceCuts('😀'.repeat(40)), [64], 'emoji are two UTF-16 units each');
  });

  it('classifies like the GPT-2 pre-tokenizer', function () {
    assert.equal(classAt('a', 0), CharClass.Letter);
    assert.equal(classAt('é', 0), CharClass.Letter);
    assert.equal(classAt('中', 0), CharClass.Letter);
    assert.equal(classAt('7', 0), CharClass.Number);
    assert.equal(classAt('\t', 0), CharClass.Space);
    assert.equal(classAt('😀', 0), CharClass.Other);
    assert.equal(classAt('\u0301', 0), CharClass.Other, 'combining marks are neither letters nor numbers');
  });

  it('never splits a surrogate pair, and bounds every run in every slice', function () {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '1', ' ', '.', '😀', '中', '\u0301', 'b'), maxLength: 600 }),
        fc.integer({ min: 2, max: 80 }),
        (text, maxRun) => {
          const cuts = sliceCuts(text, maxRun);
          let start = 0;
          for (const cut of [...cuts, text.length]) {
            assert.ok(cut > start || cut === text.length);
            const prev = text.charCodeAt(cut - 1);
            assert.ok(!(prev >= 0xd800 && prev <= 0xdbff && cut < text.length), `cut ${cut} splits a pair`);
            assert.ok(longestRun(text, start, cut) <= maxRun + 1, 'a run longer than the bound survived');
            start = cut;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cuts any prefix where it cuts the whole text (prefix counts stay consistent)', function () {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '😀', '-'), maxLength: 400 }), fc.nat(), (text, k) => {
        const end = text.length === 0 ? 0 : k % (text.length + 1);
        assert.deepEqual(
          sliceCuts(text.slice(0, end), 16),
          sliceCuts(text, 16).filter((c) => c < end),
        );
      }),
      { numRuns: 300 },
    );
  });
});
