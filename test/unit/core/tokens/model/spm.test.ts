import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { GgufVocab } from '../../../../../src/core/tokens/model/ggufVocab';
import { SpmUnencodableError, SpmVocabError, createSpmTokenizer, loadSpm, serializeSpm } from '../../../../../src/core/tokens/model/spm';
import { readLoadExtras } from '../../../../../src/core/tokens/model/tokenAttributes';
import { naiveTokenize, type NaiveVocab } from '../../../../support/vocab/spmNaiveReference';

const BYTES = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);

/** A small vocabulary: <unk>, <s>, </s>, the 256 byte tokens, then `pieces` as [text, score, type?]. */
function vocabOf(pieces: [string, number, number?][], extra: Partial<GgufVocab> = {}): GgufVocab {
  const tokens = ['<unk>', '<s>', '</s>', ...BYTES, ...pieces.map((p) => p[0])];
  return {
    model: 'llama',
    tokens,
    scores: [0, 0, 0, ...BYTES.map(() => 0), ...pieces.map((p) => p[1])],
    tokenType: [2, 3, 3, ...BYTES.map(() => 6), ...pieces.map((p) => p[2] ?? 1)],
    bosTokenId: 1,
    eosTokenId: 2,
    ...extra,
  };
}

const texts = (tok: ReturnType<typeof createSpmTokenizer>, ids: number[]): string[] => ids.map((i) => tok.tokenText(i));

describe('SentencePiece tokenizer (llama.cpp SPM)', () => {
  const basic = vocabOf([
    ['▁', -1],
    ['a', -2],
    ['b', -3],
    ['c', -4],
    ['ab', -10],
    ['bc', -5],
    ['abc', -6],
    ['▁a', -7],
    ['<x>', 0, 4],
    ['<ctl>', 0, 3],
  ]);

  it('merges the highest-scoring pair first, not the leftmost', () => {
    const v = vocabOf(
      [
        ['a', -1],
        ['b', -2],
        ['c', -3],
        ['ab', -10],
        ['bc', -5],
      ],
      { addSpacePrefix: false },
    );
    const tok = createSpmTokenizer(v);
    // "bc" (-5) beats "ab" (-10); "a" + "bc" is not a token, so the symbols stay "a", "bc".
    assert.deepEqual(texts(tok, tok.tokenize('abc')), ['a', 'bc']);
    assert.equal(tok.count('abc'), 2);
    const withAbc = createSpmTokenizer({ ...basic, addSpacePrefix: false });
    assert.deepEqual(texts(withAbc, withAbc.tokenize('abc')), ['abc'], 'then "a" + "bc" merges into "abc"');
  });

  it('breaks score ties by the leftmost pair', () => {
    const v = vocabOf(
      [
        ['a', -1],
        ['aa', -2],
      ],
      { addSpacePrefix: false },
    );
    const tok = createSpmTokenizer(v);
    assert.deepEqual(texts(tok, tok.tokenize('aaa')), ['aa', 'a']);
  });

  it('falls back to UTF-8 byte tokens for characters outside the vocabulary', () => {
    const tok = createSpmTokenizer({ ...basic, addSpacePrefix: false });
    assert.deepEqual(texts(tok, tok.tokenize('aé')), ['a', '<0xC3>', '<0xA9>']);
    assert.deepEqual(texts(tok, tok.tokenize('😀')), ['<0xF0>', '<0x9F>', '<0x98>', '<0x80>']);
  });

  it('reads spaces as U+2581 and adds the space prefix where llama.cpp does', () => {
    const tok = createSpmTokenizer(basic);
    assert.equal(tok.settings.addSpacePrefix, true, 'an absent add_space_prefix means true for SPM');
    assert.deepEqual(texts(tok, tok.tokenize('a b')), ['▁a', '▁', 'b']);
    // count() measures text inside a prompt: no prefix at its start.
    assert.equal(tok.count('a b'), 3);
    assert.deepEqual(texts(tok, tok.tokenize('a b')).slice(1), ['▁', 'b']);
    // After a special token the next fragment gets the prefix again; a leading special token gets none.
    assert.deepEqual(texts(tok, tok.tokenize('<x>a', {})), ['<x>', '▁a']);
    assert.deepEqual(texts(tok, tok.tokenize('b<x>a', {})), ['▁', 'b', '<x>', '▁a']);
  });

  it('always matches user-defined tokens, control tokens only with parseSpecial', () => {
    const tok = createSpmTokenizer({ ...basic, addSpacePrefix: false });
    assert.deepEqual(texts(tok, tok.tokenize('a<x>b')), ['a', '<x>', 'b']);
    assert.ok(!tok.tokenize('a<ctl>b').includes(tok.tokenize('<ctl>', { parseSpecial: true })[0]));
    assert.deepEqual(texts(tok, tok.tokenize('a<ctl>b', { parseSpecial: true })), ['a', '<ctl>', 'b']);
  });

  it('adds BOS for add_special when add_bos_token is true or absent, and countPrompt parses control tokens', () => {
    const tok = createSpmTokenizer({ ...basic, addSpacePrefix: false });
    assert.deepEqual(texts(tok, tok.tokenize('ab', { addSpecial: true })), ['<s>', 'ab']);
    const noBos = createSpmTokenizer({ ...basic, addSpacePrefix: false, addBosToken: false });
    assert.deepEqual(texts(noBos, noBos.tokenize('ab', { addSpecial: true })), ['ab']);
    assert.equal(tok.countPrompt('<ctl>ab<ctl>'), 4);
    assert.equal(tok.tokenize('', { addSpecial: true }).length, 1);
    assert.equal(tok.count(''), 0);
  });

  it('strips a rendered leading <bos> only when the GGUF says add_bos_token: true (as Ollama does)', () => {
    const pieces: [string, number, number?][] = [
      ['<bos>', 0, 3],
      ['a', -1],
    ];
    const explicit = createSpmTokenizer(vocabOf(pieces, { addSpacePrefix: false, addBosToken: true, bosTokenId: 259 }));
    assert.equal(explicit.countPrompt('<bos>a'), 2, 'BOS added once');
    const implicit = createSpmTokenizer(vocabOf(pieces, { addSpacePrefix: false, bosTokenId: 259 }));
    assert.equal(implicit.countPrompt('<bos>a'), 3, 'llama.cpp adds BOS, Ollama keeps the rendered one: two BOS');
  });

  it('cuts special tokens longest first, as llama.cpp does (not leftmost-longest)', () => {
    const v = vocabOf(
      [
        ['a', -1],
        ['b', -2],
        ['c', -3],
        ['ab', 0, 4],
        ['bcd', 0, 4],
        ['d', -4],
      ],
      { addSpacePrefix: false },
    );
    const tok = createSpmTokenizer(v);
    // Leftmost-longest would take "ab" then "c", "d"; llama.cpp takes the longer "bcd" first, then "a".
    assert.deepEqual(texts(tok, tok.tokenize('abcd')), ['a', 'bcd']);
  });

  it('gives Phi-3 special tokens RSTRIP by model name, as llama.cpp does', () => {
    const v = vocabOf(
      [
        ['<|end|>', 0, 3],
        ['a', -1],
        ['▁', -2],
      ],
      { addSpacePrefix: false },
    );
    const phi = createSpmTokenizer(v, readLoadExtras({ 'general.name': 'Phi-3 mini' }));
    assert.deepEqual(texts(phi, phi.tokenize('a<|end|>  \n a', { parseSpecial: true })), ['a', '<|end|>', 'a']);
    const other = createSpmTokenizer(v);
    assert.deepEqual(texts(other, other.tokenize('a<|end|> a', { parseSpecial: true })), ['a', '<|end|>', '▁', 'a']);
  });

  it('makes end-of-generation texts CONTROL at load, as llama.cpp does (here </s> typed as normal)', () => {
    const v = vocabOf(
      [
        ['<end_of_turn>', -1, 1],
        ['a', -2],
      ],
      { addSpacePrefix: false },
    );
    const tok = createSpmTokenizer(v);
    assert.equal(tok.countPrompt('a<end_of_turn>a'), 4, 'BOS, a, <end_of_turn>, a');
    assert.equal(tok.count('<end_of_turn>'), '<end_of_turn>'.length, 'plain text for count()');
  });

  it('matches a literal transcription of llama.cpp on random vocabularies and texts', function () {
    this.timeout(20_000);
    const alphabet = ['a', 'b', 'c', '▁', 'é', '\n', ' ', '中'];
    const arb = fc
      .record({
        pieces: fc.uniqueArray(
          fc.array(fc.constantFrom(...alphabet.filter((c) => c !== ' ')), { minLength: 2, maxLength: 4 }).map((cs) => cs.join('')),
          { maxLength: 24 },
        ),
        singles: fc.subarray(['a', 'b', 'c', '▁', '\n', '中']),
        scores: fc.array(fc.oneof(fc.integer({ min: -20, max: 0 }), fc.double({ min: -20, max: 0, noNaN: true })), { minLength: 40, maxLength: 40 }),
        specials: fc.subarray(['<u>', 'ab', '<c>', 'bc▁']),
        prefix: fc.boolean(),
        text: fc.array(fc.constantFrom(...alphabet, '<u>', '<c>', 'ab'), { maxLength: 40 }).map((xs) => xs.join('')),
        parse: fc.boolean(),
        add: fc.boolean(),
      })
      .filter((r) => r.specials.every((s) => !r.pieces.includes(s) && !r.singles.includes(s)));
    fc.assert(
      fc.property(arb, (r) => {
        const pieces: [string, number, number?][] = [
          ...r.singles.map((s, i): [string, number] => [s, r.scores[i]]),
          ...r.pieces.map((s, i): [string, number] => [s, r.scores[(i + 7) % r.scores.length]]),
          ...r.specials.map((s, i): [string, number, number] => [s, 0, i % 2 === 0 ? 4 : 3]),
        ];
        const gguf = vocabOf(pieces, { addSpacePrefix: r.prefix });
        const tok = createSpmTokenizer(gguf);
        const naive: NaiveVocab = { tokens: gguf.tokens, scores: gguf.scores!, types: gguf.tokenType!, addSpacePrefix: r.prefix, addBos: true, bosId: 1 };
        assert.deepEqual(tok.tokenize(r.text, { addSpecial: r.add, parseSpecial: r.parse }), naiveTokenize(naive, r.text, r.add, r.parse));
        assert.equal(tok.count(r.text), naiveTokenize(naive, r.text, false, false, false).length);
      }),
      { numRuns: 400 },
    );
  });

  it('cuts prefixes and suffixes on code point boundaries within their token bound', () => {
    const tok = createSpmTokenizer({ ...basic, addSpacePrefix: false });
    const arb = fc.tuple(
      fc.array(fc.constantFrom('a', 'b', 'c', ' ', 'é', '😀', '中', '<x>'), { maxLength: 30 }).map((x) => x.join('')),
      fc.integer({ min: 0, max: 40 }),
    );
    fc.assert(
      fc.property(arb, ([text, max]) => {
        const end = tok.prefixEnd(text, max);
        const start = tok.suffixStart(text, max);
        for (const cut of [end, start]) {
          assert.ok(cut >= 0 && cut <= text.length);
          const unit = text.charCodeAt(cut);
          assert.ok(!(unit >= 0xdc00 && unit <= 0xdfff), `cut ${cut} splits a surrogate pair in ${JSON.stringify(text)}`);
        }
        assert.ok(tok.count(text.slice(0, end)) <= max);
        assert.ok(tok.count(text.slice(start)) <= max);
        if (tok.count(text) <= max) assert.deepEqual([end, start], [text.length, 0]);
      }),
      { numRuns: 300 },
    );
  });

  it('reads lone surrogates as U+FFFD, as the server receives them', () => {
    const tok = createSpmTokenizer({ ...basic, addSpacePrefix: false });
    assert.deepEqual(texts(tok, tok.tokenize('a\ud800')), ['a', '<0xEF>', '<0xBF>', '<0xBD>']);
  });

  it('round-trips through the cache form', () => {
    const tok = createSpmTokenizer(basic);
    const loaded = loadSpm(serializeSpm(tok));
    for (const text of ['abc ab', 'a<x>b <ctl>', 'é😀 aab']) {
      assert.deepEqual(loaded.tokenize(text, { addSpecial: true, parseSpecial: true }), tok.tokenize(text, { addSpecial: true, parseSpecial: true }));
      assert.equal(loaded.count(text), tok.count(text));
    }
    assert.deepEqual(loaded.settings, tok.settings);
    // A blob at an unaligned offset (a slice of a larger file buffer) still loads.
    const blob = serializeSpm(tok);
    const padded = new Uint8Array(blob.length + 1);
    padded.set(blob, 1);
    assert.equal(loadSpm(padded.subarray(1)).count('abc'), tok.count('abc'));
  });

  describe('bad input gives a typed error', () => {
    const expectVocabError = (fn: () => unknown, pattern: RegExp): void => {
      assert.throws(fn, (e: unknown) => e instanceof SpmVocabError && e.code === 'spm-vocab' && pattern.test(e.message) && e.advice.length > 0);
    };

    it('rejects a non-SentencePiece model type', () => {
      expectVocabError(() => createSpmTokenizer({ ...basic, model: 'gpt2' }), /"gpt2".*only "llama"/);
    });

    it('rejects missing or short scores and token types', () => {
      expectVocabError(() => createSpmTokenizer({ ...basic, scores: undefined }), /scores is missing for a 269-token/);
      expectVocabError(() => createSpmTokenizer({ ...basic, scores: basic.scores!.slice(0, 10) }), /10 entries for 269 tokens/);
      expectVocabError(() => createSpmTokenizer({ ...basic, tokenType: basic.tokenType!.slice(0, 5) }), /token_type has 5 entries/);
    });

    it('rejects malformed byte tokens and duplicate tokens', () => {
      const bad = { ...basic, tokens: basic.tokens.map((t) => (t === '<0x41>' ? '<0xZZ>' : t)) };
      expectVocabError(() => createSpmTokenizer(bad), /byte token.*"<0xZZ>"/);
      const dup = { ...basic, tokens: basic.tokens.map((t) => (t === 'abc' ? 'ab' : t)) };
      expectVocabError(() => createSpmTokenizer(dup), /Duplicate token.*"ab"/);
    });

    it('rejects add_bos_token without a usable BOS id', () => {
      // An out-of-range id falls back to llama.cpp's default (1), which is out of range here too.
      expectVocabError(() => createSpmTokenizer({ model: 'llama', bosTokenId: 9999, tokens: ['<unk>'], scores: [0], tokenType: [2] }), /BOS id \(9999\)/);
    });

    it('rejects a corrupt cache blob', () => {
      const blob = serializeSpm(createSpmTokenizer(basic));
      expectVocabError(() => loadSpm(blob.subarray(0, blob.length - 2)), /promises/);
      expectVocabError(() => loadSpm(new Uint8Array(16)), /not a Therapist/);
    });

    it('throws SpmUnencodableError where llama.cpp has no byte token either', () => {
      const tok = createSpmTokenizer({ model: 'llama', tokens: ['<unk>', 'a'], scores: [0, 0], tokenType: [2, 1], addBosToken: false, addSpacePrefix: false });
      assert.equal(tok.count('aa'), 2);
      assert.throws(
        () => tok.count('aé'),
        (e: unknown) => e instanceof SpmUnencodableError && e.codePoint === 0xe9 && e.offset === 1,
      );
    });
  });
});
