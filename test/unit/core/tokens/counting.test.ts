import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { TiktokenTokenizer, loadGpt2Encoding } from '../../../../src/core/tokens/tiktokenTokenizer';
import { MAX_RUN_UNITS, sliceCuts } from '../../../../src/core/tokens/slicing';

const require = createRequire(__filename);

describe('GPT-2 counting through tiktoken', function () {
  const encoding = loadGpt2Encoding();
  const tk = new TiktokenTokenizer(encoding);
  after(() => tk.dispose());

  it('matches known GPT-2 counts', function () {
    assert.equal(tk.count('hello world'), 2);
    assert.equal(tk.count('Hello world!'), 3);
    assert.equal(tk.count(''), 0);
    assert.equal(tk.count(' '), 1);
    // GPT-2 has no tokens for runs of spaces: indentation costs one token a space.
    assert.equal(tk.count('        '), 8);
  });

  it('counts special-token strings in user text as ordinary text instead of throwing', function () {
    const text = 'before <|endoftext|> after <|fim_prefix|>';
    assert.equal(tk.count(text), encoding.encode_ordinary(text).length);
    assert.ok(tk.count('<|endoftext|>') > 1, 'the literal is several ordinary tokens, not the single special token');
  });

  it('equals raw tiktoken exactly on real code (no slicing happens on ordinary text)', function () {
    const path = require.resolve('typescript/lib/lib.es5.d.ts');
    const text = readFileSync(path, 'utf8').slice(0, 200_000);
    assert.equal(tk.count(text), encoding.encode_ordinary(text).length);
  });

  it('stays within one token per slice of raw tiktoken on long runs', function () {
    for (const text of ['a'.repeat(5000), '😀'.repeat(1000), '中'.repeat(2000), '='.repeat(3000), ' '.repeat(3000)]) {
      const exact = encoding.encode_ordinary(text).length;
      const sliced = tk.count(text);
      const slices = sliceCuts(text).length + 1;
      assert.ok(Math.abs(sliced - exact) <= slices, `${JSON.stringify(text.slice(0, 2))}: ${sliced} vs exact ${exact}`);
    }
  });

  it('counts a 1 MB single line without crashing (tiktoken alone panics near this size)', function () {
    const line = 'x'.repeat(1_000_000);
    // 1,000,000 = 15,625 slices of exactly MAX_RUN_UNITS, each counted like a standalone 64-x run.
    const perSlice = encoding.encode_ordinary('x'.repeat(MAX_RUN_UNITS)).length;
    assert.equal(tk.count(line), (line.length / MAX_RUN_UNITS) * perSlice);
  });

  it('finds prefix and suffix cut points on token boundaries without splitting surrogate pairs', function () {
    const text = 'The quick brown fox 🦊 jumps over the lazy dog. '.repeat(20);
    for (const k of [0, 1, 5, 17, 100, 10_000]) {
      const end = tk.prefixEnd(text, k);
      assert.ok(tk.count(text.slice(0, end)) <= k, `prefix for ${k}`);
      assert.ok(!/[\ud800-\udbff]$/.test(text.slice(0, end)), 'no dangling high surrogate');
      const start = tk.suffixStart(text, k);
      assert.ok(tk.count(text.slice(start)) <= k + 1, `suffix for ${k}`);
      assert.ok(!/^[\udc00-\udfff]/.test(text.slice(start)), 'no dangling low surrogate');
    }
    assert.equal(tk.prefixEnd(text, 10_000), text.length);
    assert.equal(tk.suffixStart(text, 10_000), 0);
  });

  it('releases the encoding once on dispose', function () {
    let frees = 0;
    const fake = { encode_ordinary: (t: string) => encoding.encode_ordinary(t), decode: (t: Uint32Array) => encoding.decode(t), free: () => void frees++ };
    const own = new TiktokenTokenizer(fake);
    assert.equal(own.count('hello world'), 2);
    own.dispose();
    own.dispose();
    assert.equal(frees, 1);
  });
});
