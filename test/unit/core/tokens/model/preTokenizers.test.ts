import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Tiktoken } from 'tiktoken';
import { UnknownPreTokenizerError } from '../../../../../src/core/tokens/model/modelTokenizerErrors';
import {
  PRE_TOKENIZER_SPECS,
  SUPPORTED_PRE_TOKENIZERS,
  jsPattern,
  resolvePreTokenizer,
  type PreTokenizerSpec,
} from '../../../../../src/core/tokens/model/preTokenizers';
import { STRESS_ALPHABET as ALPHABET } from '../../../../support/vocab/corpus';
import { llamaCppSplit } from '../../../../support/vocab/llamaCppSplit';

/** Random text from ALPHABET, with runs of repeated characters (where lookaheads and {1,3} matter). */
const text = fc
  .array(
    fc.oneof(
      fc.constantFrom(...ALPHABET),
      fc.tuple(fc.constantFrom(...ALPHABET), fc.integer({ min: 2, max: 7 })).map(([c, k]) => c.repeat(k)),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

function jsPieces(spec: PreTokenizerSpec, t: string): string[] {
  return Array.from(t.matchAll(new RegExp(jsPattern(spec.pattern), 'gv')), (m) => m[0]);
}

const BYTE_RANKS = Array.from({ length: 256 }, (_, b) => `${Buffer.from([b]).toString('base64')} ${b}`);

/**
 * tiktoken's pieces of `t` under `spec.pattern`, made visible: a vocabulary of the 256 bytes plus every expected
 * piece and every concatenation of two neighbours maps each piece tiktoken finds to one token exactly when it is
 * an expected piece; a wrong cut shows up as a different token sequence.
 */
function tiktokenPieces(spec: PreTokenizerSpec, t: string, expected: string[]): string[] {
  const extra = new Set<string>();
  expected.forEach((p, i) => {
    extra.add(p);
    if (i + 1 < expected.length) extra.add(p + expected[i + 1]);
  });
  const tokens = [...Array.from({ length: 256 }, (_, b) => Buffer.from([b])), ...[...extra].map((s) => Buffer.from(s, 'utf8')).filter((b) => b.length > 1)];
  const ranks = [...BYTE_RANKS, ...tokens.slice(256).map((b, i) => `${b.toString('base64')} ${256 + i}`)].join('\n');
  const enc = new Tiktoken(ranks, {}, spec.pattern);
  try {
    return Array.from(enc.encode_ordinary(t), (r) => tokens[r].toString('utf8'));
  } finally {
    enc.free();
  }
}

describe('pre-tokenizer patterns (llama.cpp llm_tokenizer_bpe, folded into one regex)', () => {
  for (const spec of PRE_TOKENIZER_SPECS) {
    describe(`${spec.family} (${spec.names.filter(Boolean).join(', ')})`, () => {
      it("splits random text exactly like llama.cpp's regex sequence (unicode_regex_split replayed)", () => {
        fc.assert(
          fc.property(text, (t) => {
            assert.deepEqual(jsPieces(spec, t), llamaCppSplit(t, spec.llamaCpp), JSON.stringify(t));
          }),
          { numRuns: 1500, seed: 42 },
        );
      });

      it('leaves no character unmatched (tiktoken drops what its regex skips)', () => {
        fc.assert(
          fc.property(text, (t) => {
            assert.equal(jsPieces(spec, t).join(''), t);
          }),
          { numRuns: 300, seed: 7 },
        );
      });

      it('gives the same pieces in tiktoken (Rust regex) as in JavaScript', () => {
        fc.assert(
          fc.property(text, (t) => {
            const expected = jsPieces(spec, t);
            assert.deepEqual(tiktokenPieces(spec, t, expected), expected, JSON.stringify(t));
          }),
          { numRuns: 150, seed: 3 },
        );
      });

      it(`${spec.splitsAfterNewline ? 'always' : 'does not always'} end a piece after "\\n" before a non-space`, () => {
        // The property Tokenizer.splitsAfterNewline promises, on the pieces themselves.
        const samples = ['a;\n/b', 'x\n\ny', 'k \n:z', 'q\n\u0301w', '1\n2', 'é\n.'];
        const holds = samples.every((s) => {
          const at = s.indexOf('\n') + 1 + (s[s.indexOf('\n') + 1] === '\n' ? 1 : 0);
          let end = 0;
          return jsPieces(spec, s).some((p) => (end += p.length) === at);
        });
        assert.equal(holds, spec.splitsAfterNewline);
      });
    });
  }

  it('reproduces llama.cpp, not Hugging Face, where they differ: deepseek-v3 keeps `~` out of \\p{S}', () => {
    // llama.cpp's collapsed-text table (unicode.cpp k_ucat_map) lists $+<=>^`| as symbols, not ~, so "~~~"
    // matches nothing and stays a gap, and "~" may lead a word like a space.
    const spec = resolvePreTokenizer('deepseek-v3');
    assert.deepEqual(jsPieces(spec, 'a ~~~ b ~é'), ['a', ' ', '~~~', ' b', ' ', '~é']);
    assert.deepEqual(llamaCppSplit('a ~~~ b ~é', spec.llamaCpp), ['a', ' ', '~~~', ' b', ' ', '~é']);
  });

  it('maps every name llama.cpp knows for a family to it, a missing name to "default", and rejects the rest', () => {
    assert.equal(resolvePreTokenizer('llama-bpe').family, 'llama3');
    assert.equal(resolvePreTokenizer('qwen2').family, 'qwen2');
    assert.equal(resolvePreTokenizer('deepseek-r1-qwen').family, 'qwen2');
    assert.equal(resolvePreTokenizer('deepseek-v3').family, 'deepseek3');
    assert.equal(resolvePreTokenizer('smollm').family, 'starcoder');
    assert.equal(resolvePreTokenizer('gpt-4o').family, 'gpt4o');
    assert.equal(resolvePreTokenizer(undefined).family, 'default');
    assert.ok(SUPPORTED_PRE_TOKENIZERS.length >= 55, `${SUPPORTED_PRE_TOKENIZERS.length} names`);
    assert.throws(
      () => resolvePreTokenizer('kimi-k2'),
      (e: unknown) => e instanceof UnknownPreTokenizerError && e.pre === 'kimi-k2' && /kimi-k2/.test(e.message) && e.advice.length > 0,
    );
  });
});
