import assert from 'node:assert/strict';
import fc from 'fast-check';
import { STRESS_ALPHABET, codeText, emojiText, localizedText } from '../../../../support/vocab/corpus';
import { VOCABS, exactTokenizer, specialTexts } from './bpeFixtures';

// prefixEnd / suffixStart: the cut is on a code point boundary, the kept part holds at most the asked tokens, and
// it is not much shorter than it could be (a code point is at most 4 bytes, so at most 4 byte-level tokens).

const SOURCES = [codeText(30_000), emojiText(400), localizedText('zh-cn').slice(0, 8000), '中文'.repeat(300), `${'a'.repeat(700)} b`, '😀'.repeat(300)];

function splitsSurrogatePair(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return false;
  const hi = text.charCodeAt(at - 1);
  const lo = text.charCodeAt(at);
  return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff;
}

describe('ModelBpeTokenizer prefixEnd / suffixStart', function () {
  this.timeout(60_000);

  for (const name of VOCABS) {
    describe(name, () => {
      const specials = () => specialTexts(name).slice(0, 20);
      const text = fc
        .array(
          fc.oneof(
            fc.tuple(fc.nat(SOURCES.length - 1), fc.nat(), fc.integer({ min: 1, max: 600 })).map(([k, at, len]) => {
              const src = SOURCES[k];
              const from = at % src.length;
              return Array.from(src.slice(from, from + len))
                .filter((c) => c.length === 2 || c.charCodeAt(0) < 0xd800 || c.charCodeAt(0) > 0xdfff)
                .join('');
            }),
            fc.array(fc.constantFrom(...STRESS_ALPHABET), { maxLength: 12 }).map((a) => a.join('')),
            fc.constant(null).map(() => specials()[0]),
          ),
          { minLength: 1, maxLength: 5 },
        )
        .map((parts) => parts.join(''));

      it('cuts a prefix on a code point boundary that holds the token bound', () => {
        const tok = exactTokenizer(name);
        fc.assert(
          fc.property(text, fc.integer({ min: 1, max: 400 }), (t, max) => {
            const end = tok.prefixEnd(t, max);
            assert.ok(end >= 0 && end <= t.length);
            assert.ok(!splitsSurrogatePair(t, end), `splits a surrogate pair at ${end}`);
            const kept = tok.count(t.slice(0, end));
            assert.ok(kept <= max, `${kept} tokens kept for a bound of ${max}`);
            if (tok.count(t) > max) assert.ok(kept >= max - 4, `only ${kept} of ${max} tokens kept`);
            else assert.equal(end, t.length);
          }),
          { numRuns: 150, seed: 21 },
        );
      });

      it('cuts a suffix on a code point boundary that holds the token bound', () => {
        const tok = exactTokenizer(name);
        fc.assert(
          fc.property(text, fc.integer({ min: 1, max: 400 }), (t, max) => {
            const start = tok.suffixStart(t, max);
            assert.ok(start >= 0 && start <= t.length);
            assert.ok(!splitsSurrogatePair(t, start), `splits a surrogate pair at ${start}`);
            const kept = tok.count(t.slice(start));
            assert.ok(kept <= max, `${kept} tokens kept for a bound of ${max}`);
            if (tok.count(t) > max) assert.ok(kept >= max - 4, `only ${kept} of ${max} tokens kept`);
            else assert.equal(start, 0);
          }),
          { numRuns: 150, seed: 22 },
        );
      });

      it('treats zero or negative budgets and empty text as nothing to keep', () => {
        const tok = exactTokenizer(name);
        assert.equal(tok.prefixEnd('hello world', 0), 0);
        assert.equal(tok.suffixStart('hello world', -3), 'hello world'.length);
        assert.equal(tok.prefixEnd('', 5), 0);
        assert.equal(tok.suffixStart('', 5), 0);
      });
    });
  }
});
