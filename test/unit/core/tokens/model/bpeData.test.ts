import assert from 'node:assert/strict';
import { buildModelTokenizer, modelTokenizerFromShow } from '../../../../../src/core/tokens/model';
import { buildBpeData } from '../../../../../src/core/tokens/model/bpeData';
import { byteLevelEncode } from '../../../../../src/core/tokens/model/byteLevel';
import { GGUF_TOKEN_TYPE, type GgufVocab } from '../../../../../src/core/tokens/model/ggufVocab';
import {
  InvalidVocabError,
  UnknownPreTokenizerError,
  UnsupportedTokenizerModelError,
  type VocabProblem,
} from '../../../../../src/core/tokens/model/modelTokenizerErrors';
import { TherapistError } from '../../../../../src/core/errors';
import { loadTestVocab } from '../../../../support/vocab/testVocabs';
import { VOCABS } from './bpeFixtures';

/** A small valid byte-level vocabulary: the 256 bytes, "ab", "abc", and a control token. */
function tinyVocab(overrides: Partial<GgufVocab> = {}): GgufVocab {
  const tokens = Array.from({ length: 256 }, (_, b) => byteLevelEncode(Uint8Array.of(b)));
  tokens.push('ab', 'abc', '<|end|>');
  const tokenType = tokens.map((_, i) => (i === 258 ? GGUF_TOKEN_TYPE.control : GGUF_TOKEN_TYPE.normal));
  return { model: 'gpt2', pre: 'qwen2', tokens, tokenType, merges: ['a b', 'ab c'], eosTokenId: 258, ...overrides };
}

function rejects(vocab: GgufVocab, problem: VocabProblem): void {
  assert.throws(
    () => buildBpeData(vocab),
    (e: unknown) => e instanceof InvalidVocabError && e instanceof TherapistError && e.problem === problem && e.code === 'vocab-invalid' && e.advice.length > 0,
  );
}

describe('buildBpeData (GGUF vocabulary -> exact tokenizer data)', () => {
  it('builds a working tokenizer from a tiny vocabulary', () => {
    const tok = buildModelTokenizer(tinyVocab());
    try {
      assert.deepEqual(tok.encode('abc ab'), [257, 32, 256]);
      assert.equal(tok.count('<|end|>'), 7);
      assert.equal(tok.countPrompt('<|end|>'), 1);
    } finally {
      tok.dispose();
    }
  });

  it("applies llama.cpp's load-time attributes, shared with SentencePiece (tokenAttributes.ts)", () => {
    // Normal-typed in the GGUF, yet special by their text: "</s>" (an end-of-generation text, reached by a merge),
    // "[PAD]" (a FIM pad llama.cpp detects), and gpt-oss's channel tokens with <|end|> made USER_DEFINED.
    const tokens = Array.from({ length: 256 }, (_, b) => byteLevelEncode(Uint8Array.of(b)));
    tokens.push('</', '</s', '</s>', '[PAD]', '<|return|>', '<|call|>', '<|end|>', '<|channel|>');
    const control = new Set(['<|return|>', '<|call|>', '<|end|>', '<|channel|>']);
    const tokenType = tokens.map((t) => (control.has(t) ? GGUF_TOKEN_TYPE.control : GGUF_TOKEN_TYPE.normal));
    const tok = buildModelTokenizer({ model: 'gpt2', pre: 'qwen2', tokens, tokenType, merges: ['< /', '</ s', '</s >'] });
    try {
      const specials = new Map(tok.modelData.specials.map((s) => [s.text, s.control]));
      assert.equal(specials.get('</s>'), true, 'an end-of-generation text is CONTROL');
      assert.equal(specials.get('[PAD]'), true, 'a detected FIM token is CONTROL');
      assert.equal(specials.get('<|end|>'), false, 'with <|return|> and <|call|>, <|end|> is USER_DEFINED');
      assert.equal(specials.get('<|channel|>'), false, "gpt-oss's channel token is USER_DEFINED");
      // "</s>" stays ranked (its merges still produce it; a build that dropped it failed on DeepSeek V3 with
      // "merge </s > does not produce a token"), and a prompt matches it as one token.
      assert.equal(tok.modelData.stats.rankedTokens, 259);
      assert.equal(tok.countPrompt('x</s>'), 2);
      // USER_DEFINED tokens are matched in plain text too; CONTROL ones only in prompts.
      assert.equal(tok.count('<|end|>'), 1);
      assert.equal(tok.count('[PAD]'), 5);
      assert.equal(tok.countPrompt('[PAD]'), 1);
      // A GGUF that names its FIM pad token keeps llama.cpp from detecting another one by its text.
      const named = buildBpeData({ model: 'gpt2', pre: 'qwen2', tokens, tokenType, merges: ['< /', '</ s', '</s >'] }, { specialIds: { fim_pad: 10 } });
      assert.equal(
        named.specials.some((s) => s.text === '[PAD]'),
        false,
      );
    } finally {
      tok.dispose();
    }
  });

  it('rejects a tokenizer that is not byte-level BPE ("bert", "t5")', () => {
    for (const model of ['bert', 't5']) {
      assert.throws(
        () => buildBpeData(tinyVocab({ model })),
        (e: unknown) => e instanceof UnsupportedTokenizerModelError && e.tokenizerModel === model && e.message.includes(model),
      );
    }
  });

  it('rejects an unknown pre-tokenizer name (the caller falls back to GPT-2 estimates)', () => {
    assert.throws(
      () => buildBpeData(tinyVocab({ pre: 'made-up-pre' })),
      (e: unknown) => e instanceof UnknownPreTokenizerError && e.code === 'pre-tokenizer-unknown' && e.message.includes('made-up-pre'),
    );
  });

  it('rejects missing merges, merges that produce no token, and tokens that are not byte-level', () => {
    rejects(tinyVocab({ merges: undefined }), 'missingMerges');
    rejects(tinyVocab({ merges: ['a b', 'x y'] }), 'badMerge');
    rejects(tinyVocab({ merges: ['ab'] }), 'badMerge');
    // A SentencePiece vocabulary mislabelled "gpt2": its tokens are not GPT-2 byte-level strings.
    const spm = tinyVocab();
    spm.tokens = spm.tokens.map((t, i) => (i >= 64 && i < 256 ? `▁piece${i}` : t));
    rejects(spm, 'notByteLevel');
    rejects(tinyVocab({ tokenType: [GGUF_TOKEN_TYPE.normal] }), 'tokenTypeLength');
    rejects(tinyVocab({ bosTokenId: 9999 }), 'badTokenId');
    // Without a token for byte 0x41 tiktoken could not encode "A" at all.
    const holes = tinyVocab();
    holes.tokenType = holes.tokenType!.map((t, i) => (i === 0x41 ? GGUF_TOKEN_TYPE.unused : t));
    rejects(holes, 'missingByteTokens');
  });

  it('skips a few stray non-byte-level normal tokens, which no merge can produce', () => {
    const vocab = tinyVocab();
    vocab.tokens.push('▁stray');
    vocab.tokenType!.push(GGUF_TOKEN_TYPE.normal);
    const data = buildBpeData(vocab);
    assert.equal(data.stats.notByteLevel, 1);
    assert.equal(data.stats.rankedTokens, 258);
  });

  it('ranks by merge order when ids are not in merge order', () => {
    // "bc" (id 256) is merged after "ab" (id 257): ranks cannot be ids.
    const tokens = Array.from({ length: 256 }, (_, b) => byteLevelEncode(Uint8Array.of(b)));
    tokens.push('bc', 'ab');
    const tok = buildModelTokenizer({ model: 'gpt2', pre: 'qwen2', tokens, merges: ['a b', 'b c'] });
    try {
      assert.equal(tok.modelData.stats.rankSource, 'merges');
      // HF BPE merges "a b" first: "abc" -> ab + c.
      assert.deepEqual(tok.encode('abc'), [257, 99]);
    } finally {
      tok.dispose();
    }
  });

  it('reads the real vocabularies as llama.cpp does', () => {
    for (const name of VOCABS) {
      const data = buildBpeData(loadTestVocab(name).vocab);
      assert.equal(data.stats.rankSource, 'id', name);
      assert.equal(data.stats.unreachable, 0, name);
      assert.equal(data.stats.notByteLevel, 0, name);
      assert.equal(data.stats.rankedTokens, data.stats.normalTokens, name);
    }
    const qwen = buildBpeData(loadTestVocab('qwen3').vocab);
    const kind = (text: string) => qwen.specials.find((s) => s.text === text);
    // Qwen's <think> is a user-defined token: matched even in ordinary text (parse_special=false).
    assert.equal(kind('<think>')?.control, false);
    assert.equal(kind('<|im_end|>')?.control, true);
    assert.equal(kind('<|fim_prefix|>')?.control, true);
    assert.equal(qwen.addBos, false);
    assert.equal(buildBpeData(loadTestVocab('llama3').vocab).addBos, true);
  });

  it('builds from an /api/show verbose model_info, and returns undefined for a non-verbose one', () => {
    const tok = modelTokenizerFromShow(loadTestVocab('qwen3').modelInfo as Record<string, unknown>);
    assert.ok(tok);
    try {
      assert.equal(tok.pre, 'qwen2');
      assert.equal(tok.kind, 'bpe');
      assert.equal(tok.estimated, false);
    } finally {
      tok.dispose();
    }
    const nonVerbose = { ...loadTestVocab('qwen3').modelInfo, 'tokenizer.ggml.tokens': null, 'tokenizer.ggml.merges': null };
    assert.equal(modelTokenizerFromShow(nonVerbose), undefined);
    assert.equal(modelTokenizerFromShow(undefined), undefined);
  });
});
