import assert from 'node:assert/strict';
import type { Gpt2Encoding } from '../../src/core/tokens/tiktokenTokenizer';
import { loadGpt2Encoding } from '../../src/core/tokens/tiktokenTokenizer';
import type { Logger } from '../../src/core/runtime';
import { PromptTooLargeError } from '../../src/core/tokens/tokenErrors';
import { TokenCounter } from '../../src/tokenCounter';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => void lines.push(`info: ${m}`), warn: (m) => void lines.push(`warn: ${m}`), error: (m) => void lines.push(`error: ${m}`) };
}

describe('TokenCounter', function () {
  const real = loadGpt2Encoding();
  after(() => real.free());
  /** The shared encoding, wrapped so a counter's dispose() does not free it under the other tests. */
  const borrowed = (): Gpt2Encoding => ({ encode_ordinary: (t) => real.encode_ordinary(t), decode: (t) => real.decode(t), free: () => undefined });

  it('loads the tokenizer lazily, once, and frees it on dispose', function () {
    let loads = 0;
    let frees = 0;
    const encoding: Gpt2Encoding = { encode_ordinary: (t) => real.encode_ordinary(t), decode: (t) => real.decode(t), free: () => void frees++ };
    const tc = new TokenCounter(8192, 0.2, 0.3, 0.5, { loadEncoding: () => (loads++, encoding), env: {} });
    assert.equal(loads, 0, 'nothing is loaded by the constructor');
    assert.equal(tc.countTokens('hello world'), 2);
    assert.equal(tc.countTokens('Hello world!'), 3);
    assert.equal(tc.isEstimate, false);
    assert.equal(tc.fallbackReason, undefined);
    assert.equal(loads, 1);
    tc.dispose();
    tc.dispose();
    assert.equal(frees, 1);
    assert.throws(() => tc.countTokens('again'), /disposed/);
  });

  it('falls back to the labelled estimate and logs why when tiktoken cannot load', function () {
    const logger = recordingLogger();
    const tc = new TokenCounter(8192, 0.2, 0.3, 0.5, {
      logger,
      env: {},
      loadEncoding: () => {
        throw new Error('WebAssembly.Module(): out of memory');
      },
    });
    assert.equal(tc.countTokens('hello world'), 4, 'estimate: two words of 5 letters, 2 tokens each');
    assert.equal(tc.isEstimate, true);
    assert.equal(tc.fallbackReason, 'tiktoken could not load: WebAssembly.Module(): out of memory');
    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0], /^warn: tiktoken could not load: WebAssembly\.Module\(\): out of memory\. Falling back to a conservative estimate/);
    assert.equal(tc.optimizePrompt('sys', 'hi').tokenUsage.estimated, true);
    assert.equal(tc.getTokenUsageInfo('sys', 'hi').estimated, true);
  });

  it('switches to the estimate, says why, and re-plans when tiktoken fails after loading', function () {
    const logger = recordingLogger();
    let frees = 0;
    const trap: Gpt2Encoding = {
      encode_ordinary: (t) => {
        if (t.includes('TRAP')) throw Object.assign(new Error('unreachable'), { name: 'RuntimeError' }); // what a WASM trap looks like
        return real.encode_ordinary(t);
      },
      decode: (t) => real.decode(t),
      free: () => void frees++,
    };
    const tc = new TokenCounter(8192, 0.2, 0.3, 0.5, { logger, env: {}, loadEncoding: () => trap });
    assert.equal(tc.countTokens('hello world'), 2);
    assert.equal(tc.isEstimate, false);
    const plan = tc.optimizePrompt('System prompt.', 'Question about TRAP?', ['chunk one', 'chunk two']);
    assert.equal(plan.tokenUsage.estimated, true, 'the whole plan is counted with the estimate');
    assert.equal(plan.tokenUsage.system, tc.countTokens('System prompt.'));
    assert.equal(tc.isEstimate, true);
    assert.equal(tc.fallbackReason, 'tiktoken failed while counting: unreachable');
    assert.equal(frees, 1);
    assert.match(logger.lines.at(-1) ?? '', /^warn: tiktoken failed while counting: unreachable\. Switching to the conservative estimate/);
    assert.equal(tc.countTokens('hello world'), 4, 'cached exact counts were dropped with the switch');
  });

  it('does not mistake a prompt that cannot fit for a tokenizer failure', function () {
    const tc = new TokenCounter(8, 0.2, 0.3, 0.5, { loadEncoding: borrowed, env: {} });
    assert.throws(() => tc.optimizePrompt('', 'a long question that cannot fit in eight tokens at all'), PromptTooLargeError);
    assert.equal(tc.isEstimate, false);
  });

  it('uses the estimate when forced by option or by THERAPIST_TOKENIZER=estimate, without loading tiktoken', function () {
    const fail = () => assert.fail('tiktoken must not load when the estimate is forced');
    const byOption = new TokenCounter(8192, 0.2, 0.3, 0.5, { forceEstimate: true, loadEncoding: fail });
    assert.equal(byOption.isEstimate, true);
    assert.equal(byOption.fallbackReason, 'forced by the forceEstimate option');
    const byEnv = new TokenCounter(8192, 0.2, 0.3, 0.5, { env: { THERAPIST_TOKENIZER: 'estimate' }, loadEncoding: fail });
    assert.equal(byEnv.countTokens('abc'), 1);
    assert.equal(byEnv.fallbackReason, 'forced by THERAPIST_TOKENIZER=estimate');
  });

  it('warns about an unknown THERAPIST_TOKENIZER value and keeps GPT-2', function () {
    const logger = recordingLogger();
    const tc = new TokenCounter(8192, 0.2, 0.3, 0.5, { logger, env: { THERAPIST_TOKENIZER: 'llama' }, loadEncoding: borrowed });
    assert.match(logger.lines[0], /^warn: Ignoring THERAPIST_TOKENIZER=llama/);
    assert.equal(tc.isEstimate, false);
  });

  it('answers repeated text from the cache (the meter counts on every keystroke)', function () {
    let encodes = 0;
    const encoding: Gpt2Encoding = { encode_ordinary: (t) => (encodes++, real.encode_ordinary(t)), decode: (t) => real.decode(t), free: () => undefined };
    const tc = new TokenCounter(8192, 0.2, 0.3, 0.5, { loadEncoding: () => encoding, env: {} });
    const history = Array.from({ length: 50 }, (_, i) => ({ role: 'user' as const, content: `message number ${i}` }));
    const first = tc.countMessages(history, 4);
    assert.equal(encodes, 50);
    history.push({ role: 'user', content: 'one more' });
    assert.equal(tc.countMessages(history, 4), first + tc.countTokens('one more') + 4);
    assert.equal(encodes, 51, 'only the appended message was tokenized');
    assert.equal(tc.cacheStats.entries, 51);
  });

  it('reports calibrated counts the same way the optimizer does', function () {
    const tc = new TokenCounter(8192, 0.2, 0.3, 0.5, { loadEncoding: borrowed, env: {} });
    const text = 'function add(a, b) { return a + b; }';
    const raw = tc.countTokens(text);
    assert.equal(tc.countCalibrated(text, 1.25), Math.ceil(raw * 1.25));
    assert.equal(tc.optimizePrompt(text, '', [], { calibration: 1.25 }).tokenUsage.system, Math.ceil(raw * 1.25));
    assert.equal(tc.countMessages([{ role: 'assistant', content: text }], 3, 1.25), Math.ceil(raw * 1.25) + 3);
  });
});
