import assert from 'node:assert/strict';
import fc from 'fast-check';
import { STRESS_ALPHABET, codeText, csvText, emojiText, localizedText, logText, proseText } from '../../../../support/vocab/corpus';
import { VOCABS, exactTokenizer, ordinaryReference, referenceIds, specialTexts } from './bpeFixtures';

// For any mix of code, prose, CJK, emoji, CSV, logs, odd characters and long runs: our count is the reference's.

const SOURCES = [codeText(60_000), proseText(60_000), localizedText('zh-cn'), localizedText('ja'), emojiText(800), csvText(400), logText(300)];

/** A slice of a real corpus, cut on code point boundaries. */
const corpusSlice = fc.tuple(fc.nat(SOURCES.length - 1), fc.nat(), fc.integer({ min: 1, max: 400 })).map(([k, at, len]) => {
  const src = SOURCES[k];
  const cps = Array.from(src.slice(at % (src.length - 500), (at % (src.length - 500)) + len + 2));
  return cps.slice(1, -1).join('');
});

/** Odd characters, and runs long enough to take the slow path (>= 256 weight) now and then. */
const oddRun = fc.oneof(
  fc.array(fc.constantFrom(...STRESS_ALPHABET), { maxLength: 20 }).map((a) => a.join('')),
  fc.tuple(fc.constantFrom(...STRESS_ALPHABET, 'ab', '中文', ' ', '=', '\n'), fc.integer({ min: 2, max: 400 })).map(([c, k]) => c.repeat(k)),
);

const mixedText = fc
  .array(fc.oneof({ arbitrary: corpusSlice, weight: 3 }, { arbitrary: oddRun, weight: 1 }), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''));

describe('ModelBpeTokenizer counts (property tests against the reference)', function () {
  this.timeout(60_000);

  for (const name of VOCABS) {
    describe(name, () => {
      before(() => {
        exactTokenizer(name);
        ordinaryReference(name);
      });

      it('count(text) equals the reference count for random mixes of every kind of text', () => {
        const tok = exactTokenizer(name);
        const ref = ordinaryReference(name);
        fc.assert(
          fc.property(mixedText, (text) => {
            assert.equal(tok.count(text), ref.encode(text, { add_special_tokens: false }).length, JSON.stringify(text.slice(0, 200)));
          }),
          { numRuns: 200, seed: 11 },
        );
      });

      it('countPrompt(rendered) equals the reference for prompts with special tokens, plus the BOS', () => {
        const tok = exactTokenizer(name);
        const specials = specialTexts(name);
        const rendered = fc.array(fc.oneof(mixedText, fc.constantFrom(...specials)), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
        fc.assert(
          fc.property(rendered, (text) => {
            assert.equal(tok.countPrompt(text), referenceIds(name, text).length + tok.addedTokens, JSON.stringify(text.slice(0, 200)));
          }),
          { numRuns: 150, seed: 12 },
        );
      });

      it('splitsAfterNewline holds: count(a + b) = count(a + "x") - count("x") + count(b)', () => {
        const tok = exactTokenizer(name);
        assert.equal(tok.splitsAfterNewline, true);
        const left = mixedText.map((t) => `${t}\n`);
        const right = fc.tuple(fc.constantFrom('x', 'Z', '9', '中', ';', '/', '😀', '\u0301', '~'), mixedText).map(([c, t]) => c + t);
        fc.assert(
          fc.property(left, right, (a, b) => {
            assert.equal(tok.count(a + b), tok.count(`${a}x`) - tok.count('x') + tok.count(b));
          }),
          { numRuns: 200, seed: 13 },
        );
      });
    });
  }
});
