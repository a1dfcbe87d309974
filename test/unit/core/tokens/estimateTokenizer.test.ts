import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EstimateTokenizer } from '../../../../src/core/tokens/estimateTokenizer';
import { loadGpt2Encoding } from '../../../../src/core/tokens/tiktokenTokenizer';

const require = createRequire(__filename);
const modules = path.resolve(__dirname, '../../../../node_modules');

describe('the conservative estimate', function () {
  const est = new EstimateTokenizer();
  const gpt2 = loadGpt2Encoding();
  after(() => gpt2.free());

  it('charges each class as documented', function () {
    assert.equal(est.count('abc'), 1);
    assert.equal(est.count('abcd'), 2);
    assert.equal(est.count('aGVsbG'), 4, 'three case changes in six letters: one token per change, plus one');
    assert.equal(est.count('12345'), 3);
    assert.equal(est.count('();'), 3);
    assert.equal(est.count('a b'), 2, 'a single space joins the next word');
    assert.equal(est.count('    x'), 4, 'indentation: three lone spaces and " x"');
    assert.equal(est.count('中文'), 4, '6 UTF-8 bytes / 1.5');
    assert.equal(est.count(''), 0);
  });

  it('over-counts 1 KB chunks of real code and prose (under-counts fewer than 1 in 200)', function () {
    const code = readFileSync(require.resolve('typescript/lib/lib.es5.d.ts'), 'utf8');
    const prose = ['undici', 'tiktoken', 'typescript', 'eslint', 'fast-check'].map((p) => readFileSync(path.join(modules, p, 'README.md'), 'utf8')).join('\n');
    for (const text of [code, prose]) {
      let under = 0;
      let chunks = 0;
      for (let i = 0; i + 1024 <= text.length; i += 1024) {
        const chunk = text.slice(i, i + 1024);
        chunks++;
        if (est.count(chunk) < gpt2.encode_ordinary(chunk).length) under++;
      }
      assert.ok(chunks > 10);
      assert.ok(under / chunks < 0.005, `${under} of ${chunks} chunks under-counted`);
    }
  });

  it('over-counts CJK, emoji and accented text, where chars/2.5 under-counts badly', function () {
    for (const text of ['中文测试文本这是一个很长的句子。'.repeat(20), '😀👍🏽🇫🇷'.repeat(30), 'Ça été très déjà naïve '.repeat(20)]) {
      const exact = gpt2.encode_ordinary(text).length;
      assert.ok(est.count(text) >= exact, `${text.slice(0, 5)}: ${est.count(text)} < ${exact}`);
      assert.ok(Math.ceil(text.length / 2.5) < exact);
    }
  });

  it('finds prefixes and suffixes within a budget', function () {
    const text = 'const value = compute(42); // the answer\n'.repeat(30);
    for (const k of [0, 1, 7, 50, 10_000]) {
      assert.ok(est.count(text.slice(0, est.prefixEnd(text, k))) <= k);
      assert.ok(est.count(text.slice(est.suffixStart(text, k))) <= k);
    }
    assert.equal(est.prefixEnd(text, 10_000), text.length);
    assert.ok(est.prefixEnd(text, 50) > 0);
  });
});
