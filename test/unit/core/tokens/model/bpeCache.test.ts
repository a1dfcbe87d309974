import assert from 'node:assert/strict';
import { loadBpe, serializeBpe } from '../../../../../src/core/tokens/model';
import { parseBpeCache } from '../../../../../src/core/tokens/model/bpeCache';
import { BpeCacheError } from '../../../../../src/core/tokens/model/modelTokenizerErrors';
import { allCorpora, textWithSpecials } from '../../../../support/vocab/corpus';
import { VOCABS, exactTokenizer, specialTexts } from './bpeFixtures';

describe('serializeBpe / loadBpe (the disk cache form)', function () {
  this.timeout(30_000);

  for (const name of VOCABS) {
    it(`${name}: a loaded cache counts exactly like the tokenizer it was saved from`, () => {
      const tok = exactTokenizer(name);
      const serialized = serializeBpe(tok.modelData);
      const t = performance.now();
      const loaded = loadBpe(serialized);
      const ms = performance.now() - t;
      try {
        assert.ok(ms < 10_000, `${ms.toFixed(0)} ms`); // a regression guard; the 200 ms target is scripts/bench/15's
        assert.deepEqual(parseBpeCache(serialized), tok.modelData);
        const texts = [...Object.values(allCorpora(20_000)), textWithSpecials(specialTexts(name))];
        for (const text of texts) {
          assert.deepEqual(loaded.encode(text), tok.encode(text));
          assert.equal(loaded.countPrompt(text), tok.countPrompt(text));
        }
        assert.equal(loaded.pre, tok.pre);
        assert.equal(loaded.addedTokens, tok.addedTokens);
      } finally {
        loaded.dispose();
      }
    });
  }

  it('rejects damaged or foreign input with a typed error', () => {
    const good = serializeBpe(exactTokenizer('qwen3').modelData);
    const cases = [
      '',
      'not a cache',
      // A whole cache from format 1 (before llama.cpp's load-time attributes applied to BPE vocabularies).
      good.replace(/^therapist-bpe 2\n/, 'therapist-bpe 1\n'),
      'therapist-bpe 2\n{}\nAA== 0',
      'therapist-bpe 2\n{"pre":"qwen2"',
      'therapist-bpe 2\n{not json}\nAA== 0',
      'therapist-bpe 2\n{"pre":"qwen2"}\nAA== 0',
      good.slice(0, good.indexOf('\n', good.indexOf('\n') + 1) + 1),
    ];
    for (const bad of cases) {
      assert.throws(
        () => parseBpeCache(bad),
        (e: unknown) => e instanceof BpeCacheError && e.code === 'bpe-cache-invalid' && e.advice.length > 0,
        JSON.stringify(bad.slice(0, 40)),
      );
    }
  });
});
