import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classCounts, classRuns, rawTokens } from '../../../../src/core/tokens/contentClasses';
import { TokenCounter } from '../../../../src/tokenCounter';
import { TiktokenTokenizer, loadTiktokenEncoding } from '../../../../src/core/tokens/tiktokenTokenizer';
import type { Tokenizer } from '../../../../src/core/tokens/tokenizer';

describe('content classes (the GPT-2 fallback counts each kind of content apart)', () => {
  const counter = new TokenCounter(8192, 0.2, 0.3, 0.5, { env: {} });
  after(() => counter.dispose());
  const runs = (text: string) => classRuns(text).map((r) => `${r.cls}:${JSON.stringify(text.slice(r.start, r.end))}`);

  it('splits indentation, numbers, CJK and emoji from the rest, a lone space going with what follows', () => {
    assert.deepEqual(runs('if (x) {\n    return 42;\n}'), [
      'other:"if (x) {"',
      'space:"\\n    "',
      'other:"return"',
      'digit:" 42"',
      'other:";"',
      'space:"\\n"',
      'other:"}"',
    ]);
    assert.deepEqual(runs('2026-12-01,1,234.5,user'), ['digit:"2026-12-01,1,234.5"', 'other:",user"']);
    assert.deepEqual(runs('東京は 晴れ 🎉👍🏽 ok'), ['japanese:"東京は 晴れ"', 'emoji:" 🎉👍🏽"', 'other:" ok"']);
    assert.deepEqual(runs('北京 ok 서울'), ['chinese:"北京"', 'other:" ok"', 'korean:" 서울"'], 'each CJK run by its language');
  });

  it('covers the whole text, in order, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const r = classRuns(text);
        let at = 0;
        for (const run of r) {
          assert.equal(run.start, at);
          assert.ok(run.end > run.start);
          at = run.end;
        }
        assert.equal(at, text.length);
      }),
      { numRuns: 300 },
    );
  });

  it('per-class GPT-2 counts add up to about the whole count (runs split where GPT-2 splits anyway)', () => {
    const text = 'export function add(a: number, b: number) {\n  return a + b + 1024;\n}\n// 東京 🎉\n'.repeat(20);
    const counts = counter.countClasses(text);
    const sum = rawTokens(counts);
    const whole = counter.countTokens(text);
    assert.ok(Math.abs(sum - whole) / whole < 0.03, `${sum} vs ${whole}`);
    assert.ok(counts.space > 0 && counts.digit > 0 && counts.chinese > 0 && counts.emoji > 0 && counts.other > 0, JSON.stringify(counts));
    assert.equal(counter.countClasses(text), counts, 'the counter caches the counts');
    assert.deepEqual(
      classCounts(text, (t) => counter.countTokens(t)),
      { ...counts, punctuation: 0 },
      'no glued tokens without a tokenizer that tells',
    );
  });

  it('counts the tokens that glue ASCII punctuation to letters, apart from the tokens themselves', () => {
    const cl100k = new TokenCounter(8192, 0.2, 0.3, 0.5, { env: {}, encoding: 'cl100k_base' });
    try {
      // Plain words glue nothing; a link, a call and a file name do ("](", "(foo", ".js"), a lone "(" does not.
      assert.equal(cl100k.countClasses('plain words and more plain words').punctuation, 0);
      assert.equal(cl100k.countClasses(' ( ) { } ; , .').punctuation, 0, 'punctuation alone, with its spaces, glues nothing');
      const linky = cl100k.countClasses('See [the docs](https://example.com/docs/index.html) and call foo(bar.baz) in main.js');
      assert.ok(linky.punctuation >= 4 && linky.punctuation < linky.other, JSON.stringify(linky));
      // The correction is part of no run: the token classes still add up to the count.
      const text = 'See [the docs](https://example.com/docs) 北京 42 🎉 ok.';
      assert.equal(
        rawTokens(cl100k.countClasses(text)),
        classRuns(text).reduce((n, r) => n + cl100k.countTokens(text.slice(r.start, r.end)), 0),
      );
      // Text with <|endoftext|> and split surrogates counts like any other text (ordinary encoding, no throw).
      assert.ok(cl100k.countClasses('a<|endoftext|>b \uD83D x').other > 0);
    } finally {
      cl100k.dispose();
    }
  });

  it('encodes a run once for its class counts and its plain count', () => {
    const real = new TiktokenTokenizer(loadTiktokenEncoding('cl100k_base'), undefined, 'cl100k_base');
    let encodes = 0;
    const spy: Tokenizer = {
      name: real.name,
      estimated: false,
      splitsAfterNewline: true,
      count: (t) => (encodes++, real.count(t)),
      countGlued: (t) => (encodes++, real.countGlued(t)),
      prefixEnd: (t, n) => real.prefixEnd(t, n),
      suffixStart: (t, n) => real.suffixStart(t, n),
      dispose: () => undefined,
    };
    const counter = new TokenCounter(8192, 0.2, 0.3, 0.5, { env: {}, tokenizer: spy });
    try {
      const text = 'See [the docs](https://example.com/docs) and call foo(bar.baz).';
      const counts = counter.countClasses(text);
      assert.equal(encodes, 1, 'one run, one encode');
      assert.equal(counter.countTokens(text), counts.other);
      assert.equal(encodes, 1, 'the plain count came with the glued count');
    } finally {
      counter.dispose();
      real.dispose();
    }
  });
});
