import assert from 'node:assert/strict';
import { contextBlock, contextTokens } from '../../../../src/core/tokens/contextFit';
import { EstimateTokenizer } from '../../../../src/core/tokens/estimateTokenizer';
import { Meter } from '../../../../src/core/tokens/meter';
import { TiktokenTokenizer, loadGpt2Encoding } from '../../../../src/core/tokens/tiktokenTokenizer';

describe('counting the context block inside the user message', function () {
  const gpt2 = new TiktokenTokenizer(loadGpt2Encoding());
  after(() => gpt2.dispose());

  const chunkSets = [
    ['function a() {}'],
    ['ends with spaces   ', 'ends with a newline\n'],
    ['x'.repeat(200), ' '.repeat(150), '\n'.repeat(70)],
    ['👨‍👩‍👧‍👦', 'e\u0301', "it's"],
  ];
  const users = ['What does this do?', "'s it", '😀 why', '\u0301 mark', 'a'.repeat(300), ' leading space', '\n\nleading newlines', '', '1234'];

  for (const tokenizer of [gpt2, new EstimateTokenizer()]) {
    for (const calibration of [1, 1.37]) {
      it(`equals count(block + user) - count(user) with ${tokenizer.name}, calibration ${calibration}`, function () {
        const meter = new Meter(tokenizer, (t) => tokenizer.count(t), calibration);
        for (const chunks of chunkSets) {
          for (const user of users) {
            const full = meter.measure(contextBlock(chunks) + user) - meter.measure(user);
            assert.equal(contextTokens(meter, chunks, user), full, `${JSON.stringify(chunks).slice(0, 40)} + ${JSON.stringify(user.slice(0, 10))}`);
          }
        }
      });
    }
  }

  it('joins chunks with the separator after each, so "\\n\\n" before a word costs 2 GPT-2 tokens', function () {
    assert.equal(contextBlock(['a', 'b']), 'a\n\nb\n\n');
    const meter = new Meter(gpt2, (t) => gpt2.count(t));
    assert.equal(gpt2.count('\n\n'), 1);
    assert.equal(contextTokens(meter, ['hello'], 'world'), 3, '"hello", "\\n", "\\n"');
  });
});
