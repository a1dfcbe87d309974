import assert from 'node:assert/strict';
import { GGUF_TOKEN_TYPE } from '../../../../../src/core/tokens/model/ggufVocab';
import { CHECKSUM_TEXT, detectPreTokenizer } from '../../../../support/vocab/ggufFromTokenizerJson';
import { loadTestVocab } from '../../../../support/vocab/testVocabs';

// The test-support converter writes what llama.cpp's convert_hf_to_gguf.py writes (get_vocab_base,
// get_vocab_base_pre, gguf.SpecialVocab).

describe('ggufFromTokenizerJson (convert_hf_to_gguf.py for byte-level BPE)', function () {
  this.timeout(30_000);

  it('writes tokens in id order, padded to config vocab_size with unused [PAD<i>] tokens', () => {
    const { vocab } = loadTestVocab('qwen3');
    assert.equal(vocab.model, 'gpt2');
    assert.equal(vocab.tokens.length, 151936);
    assert.equal(vocab.tokens[151669], '[PAD151669]');
    assert.equal(vocab.tokenType![151669], GGUF_TOKEN_TYPE.unused);
    assert.equal(vocab.tokens[0], '!');
    assert.equal(vocab.tokenType![0], GGUF_TOKEN_TYPE.normal);
    assert.equal(loadTestVocab('llama3').vocab.tokens.length, 128256);
    assert.equal(loadTestVocab('deepseek_v3').vocab.tokens.length, 129280);
  });

  it('types added tokens: special or special-looking -> control, the others -> user-defined', () => {
    const { vocab } = loadTestVocab('qwen3');
    const type = (text: string) => vocab.tokenType![vocab.tokens.indexOf(text)];
    assert.equal(type('<|im_start|>'), GGUF_TOKEN_TYPE.control);
    // Not "special" in tokenizer.json, but <|...|> looks special to the converter.
    assert.equal(type('<|fim_prefix|>'), GGUF_TOKEN_TYPE.control);
    assert.equal(type('<think>'), GGUF_TOKEN_TYPE.userDefined);
    assert.equal(type('<tool_call>'), GGUF_TOKEN_TYPE.userDefined);
    // DeepSeek's <｜User｜> is "special": false but looks special (<｜...｜>).
    const ds = loadTestVocab('deepseek_v3').vocab;
    assert.equal(ds.tokenType![ds.tokens.indexOf('<｜User｜>')], GGUF_TOKEN_TYPE.control);
    assert.equal(ds.tokenType![0], GGUF_TOKEN_TYPE.control);
  });

  it('writes merges as "a b" strings (pair-format merges joined) and the special ids and flags', () => {
    const qwen = loadTestVocab('qwen3').vocab;
    assert.equal(qwen.merges![0], 'Ġ Ġ');
    assert.equal(qwen.merges!.length, 151387);
    assert.equal(qwen.eosTokenId, 151645);
    assert.equal(qwen.bosTokenId, 151643);
    assert.equal(qwen.addBosToken, false);
    const ds = loadTestVocab('deepseek_v3').vocab;
    assert.deepEqual([ds.bosTokenId, ds.eosTokenId, ds.addBosToken, ds.addEosToken], [0, 1, true, false]);
    const llama = loadTestVocab('llama3').vocab;
    // No add_bos_token in tokenizer_config.json and no TemplateProcessing: the key is absent (llama.cpp then
    // defaults to adding the BOS for llama-bpe).
    assert.deepEqual([llama.bosTokenId, llama.eosTokenId, llama.addBosToken], [128000, 128001, undefined]);
  });

  it("detects the pre-tokenizer by the checksum of Hugging Face's ids for chktxt", () => {
    assert.ok(CHECKSUM_TEXT.includes('🦙🦙 3 33 333'));
    assert.equal(loadTestVocab('qwen3').detectPre(), 'qwen2');
    assert.equal(loadTestVocab('deepseek_v3').detectPre(), 'deepseek-v3');
    // This package's Llama 3 tokenizer.json lacks Meta's BOS post-processor, so the hash is Smaug's (same regex);
    // with the BOS Meta's tokenizer adds it is llama-bpe's.
    const llama = loadTestVocab('llama3');
    assert.equal(llama.detectPre(), 'smaug-bpe');
    assert.equal(detectPreTokenizer((t) => [128000, ...llama.hfReference().encode(t, { add_special_tokens: false })]).pre, 'llama-bpe');
  });
});
