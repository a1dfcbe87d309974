import assert from 'node:assert/strict';
import { buildModelTokenizer } from '../../../../../src/core/tokens/model';
import { allCorpora, chunksOf, textWithSpecials } from '../../../../support/vocab/corpus';
import { loadTestVocab } from '../../../../support/vocab/testVocabs';
import { VOCABS, exactTokenizer, ordinaryReference, referenceIds, specialTexts } from './bpeFixtures';

// Ours against the reference on every kind of text, for Llama 3, Qwen3 and DeepSeek V3: the same ids, token for
// token (so the counts are the same and cut points decode to the same bytes).

/** Rendered chat prompts as Ollama's templates produce them for each model (plus a user typing a control token). */
const RENDERED: Record<(typeof VOCABS)[number], string> = {
  llama3:
    '<|start_header_id|>system<|end_header_id|>\n\nYou are a careful coding assistant.<|eot_id|>' +
    '<|start_header_id|>user<|end_header_id|>\n\nWhy does `a<|eot_id|>b` break my parser?\n```ts\nconst x = 1;\n```<|eot_id|>' +
    '<|start_header_id|>assistant<|end_header_id|>\n\n',
  qwen3:
    '<|im_start|>system\nYou are a careful coding assistant.<|im_end|>\n<|im_start|>user\nExplain <|im_end|> and <think> in my ' +
    'logs:\n2024-05-01 ERROR 中文 😀<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
  deepseek_v3: 'You are a careful coding assistant.<｜User｜>What does ~/.bashrc do? <｜end▁of▁sentence｜> is literal here.' + '<｜Assistant｜></think>',
};

describe('ModelBpeTokenizer against the reference tokenizer (tokenizer.json via @lenml/tokenizers)', function () {
  this.timeout(60_000);
  // 120 K characters of each kind (1 M per vocabulary in all).
  const corpora = allCorpora(120_000);

  for (const name of VOCABS) {
    describe(name, () => {
      before(() => {
        exactTokenizer(name);
      });

      for (const [kind, text] of Object.entries(corpora)) {
        it(`encodes ${kind} to the same ids`, () => {
          const tok = exactTokenizer(name);
          let ours = 0;
          let theirs = 0;
          for (const chunk of chunksOf(text, 4000)) {
            const a = tok.encode(chunk);
            const b = referenceIds(name, chunk);
            ours += a.length;
            theirs += b.length;
            if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
              let k = 0;
              while (a[k] === b[k]) k++;
              assert.fail(`${kind}: first difference at token ${k}: ours ${JSON.stringify(a.slice(k, k + 5))} reference ${JSON.stringify(b.slice(k, k + 5))}`);
            }
            assert.equal(tok.count(chunk), a.length);
          }
          assert.equal(ours, theirs);
          assert.ok(ours > 100, `${kind}: ${ours} tokens`);
        });
      }

      it('counts typed special-token strings as plain characters in count(), as parse_special=false does', () => {
        const tok = exactTokenizer(name);
        const text = textWithSpecials(specialTexts(name));
        const expected = ordinaryReference(name).encode(text, { add_special_tokens: false });
        assert.deepEqual(tok.encode(text), expected);
        assert.equal(tok.count(text), expected.length);
        // ...which is more than the server's count, where each one is a single token.
        assert.ok(tok.count(text) > referenceIds(name, text).length);
      });

      it('matches every special-token string in countPrompt, as llama-server (parse_special=true) does', () => {
        const tok = exactTokenizer(name);
        const { vocab } = loadTestVocab(name);
        // llama.cpp adds the BOS for llama-bpe (its default; this GGUF has no add_bos_token) and DeepSeek V3 (add_bos_token).
        const bos = name !== 'qwen3';
        for (const text of [textWithSpecials(specialTexts(name)), RENDERED[name]]) {
          const expected = referenceIds(name, text);
          assert.deepEqual(tok.encode(text, { parseSpecial: true }), expected);
          assert.deepEqual(tok.encode(text, { parseSpecial: true, addSpecial: true }), bos ? [vocab.bosTokenId, ...expected] : expected);
          assert.equal(tok.countPrompt(text), expected.length + (bos ? 1 : 0));
        }
      });

      it('adds the BOS as llama.cpp does: Llama 3 and DeepSeek V3 yes, Qwen3 no', () => {
        assert.equal(exactTokenizer(name).addedTokens, name === 'qwen3' ? 0 : 1);
      });

      it('drops a leading textual BOS the server adds anyway (Ollama completionPrompt)', () => {
        const tok = exactTokenizer(name);
        const bosText = loadTestVocab(name).vocab.tokens[loadTestVocab(name).vocab.bosTokenId!];
        const withBos = bosText + RENDERED[name];
        const stripped = tok.countPrompt(withBos, { leadingBos: bosText });
        if (tok.addedTokens === 1) assert.equal(stripped, tok.countPrompt(RENDERED[name]));
        else assert.equal(stripped, tok.countPrompt(RENDERED[name]) + 1);
      });

      it('splits a rendered prompt into pieces whose counts add up to countPrompt', () => {
        const tok = exactTokenizer(name);
        const pieces = tok.splitPrompt(RENDERED[name]);
        assert.ok(pieces.some((p) => p.special !== undefined));
        assert.equal(pieces.map((p) => p.text).join(''), RENDERED[name]);
        const sum = pieces.reduce((n, p) => n + (p.special === undefined ? tok.countText(p.text) : 1), 0);
        assert.equal(sum + tok.addedTokens, tok.countPrompt(RENDERED[name]));
      });
    });
  }

  it('reads lone surrogates as U+FFFD, as the server gets them (Go decodes them so), on both paths', () => {
    const broken = `a\uD83D b \uDE00c ${'\uD800'.repeat(300)} x`;
    const fixed = broken.replace(/[\uD800-\uDFFF]/g, '\uFFFD');
    const tok = exactTokenizer('qwen3');
    assert.equal(tok.count(broken), tok.count(fixed));
    assert.equal(tok.count(broken), referenceIds('qwen3', fixed).length);
    const slow = buildModelTokenizer(loadTestVocab('qwen3').vocab, { longRunWeight: 1, longPieceWeight: 1 });
    try {
      assert.equal(slow.count(broken), tok.count(fixed));
    } finally {
      slow.dispose();
    }
  });

  it('differs from the untouched Hugging Face tokenizer only where llama.cpp does (NFC, `~`)', () => {
    // Qwen's tokenizer.json normalizes to NFC; llama.cpp does not, so a decomposed é stays two code points.
    const decomposed = 'Cafe\u0301 re\u0301sume\u0301';
    const qwen = exactTokenizer('qwen3');
    assert.notDeepEqual(qwen.encode(decomposed), loadTestVocab('qwen3').hfReference().encode(decomposed, { add_special_tokens: false }));
    assert.deepEqual(qwen.encode(decomposed), referenceIds('qwen3', decomposed));
    // DeepSeek V3: llama.cpp reads `~` as neither punctuation nor symbol.
    const tilde = 'cd ~~~ and ~é';
    const ds = exactTokenizer('deepseek_v3');
    assert.notDeepEqual(ds.encode(tilde), loadTestVocab('deepseek_v3').hfReference().encode(tilde, { add_special_tokens: false }));
    assert.deepEqual(ds.encode(tilde), referenceIds('deepseek_v3', tilde));
  });
});
