import { strict as assert } from 'node:assert';
import { answerReserve } from '../../../../src/core/request/answerReserve';
import { FALLBACK_ENCODING, ModelIntegration } from '../../../../src/modelIntegration';
import { TokenCounter } from '../../../../src/tokenCounter';
import { OllamaSimulator } from '../../../support/ollamaSimulator';
import { recordingLogger } from '../../../support/ollamaTestKit';

describe('the answer reserve follows what answers needed', () => {
  it('is 10% of the window until 5 answers of the command are known', () => {
    assert.deepEqual(answerReserve(8192, [300, 280, 310, 290], 'chat'), {
      tokens: 820,
      source: '10% of the window (fewer than 5 chat answers to size it from)',
    });
    assert.deepEqual(answerReserve(8192, undefined, 'explainSelection').tokens, 820);
  });

  it('then the p90 of those answers plus a quarter, at least 4% of the window (128 tokens) and at most 25%', () => {
    const short = [120, 180, 200, 150, 240, 210, 190, 170, 160, 230];
    assert.deepEqual(answerReserve(8192, short, 'explainSelection'), {
      tokens: 328,
      source: 'p90 of 10 explainSelection answers x1.25, raised to the 4% floor',
    });
    const medium = [300, 420, 380, 510, 460, 390];
    assert.deepEqual(answerReserve(8192, medium, 'chat'), { tokens: 638, source: 'p90 of 6 chat answers x1.25' });
    const long = [3000, 3500, 2800, 4000, 3900];
    assert.deepEqual(answerReserve(8192, long, 'chat'), { tokens: 2048, source: 'p90 of 5 chat answers x1.25, capped at 25% of the window' });
    assert.equal(answerReserve(2048, [10, 10, 10, 10, 10], 'chat').tokens, 128, '128 tokens at least, in a small window');
  });

  it("never exceeds a request's own cap (a summary's)", () => {
    assert.deepEqual(answerReserve(8192, undefined, 'summarize', 300), { tokens: 300, source: "the request's cap (300)" });
  });

  it('is what ModelIntegration sends as num_predict and reports in the usage line', async () => {
    const sim = new OllamaSimulator({ models: [{ name: 'coder:7b', contextLength: 16384 }] });
    await sim.start();
    const counter = new TokenCounter(undefined, undefined, undefined, undefined, { encoding: FALLBACK_ENCODING });
    try {
      const logger = recordingLogger();
      const ledger = {
        answerLengths: ({ command }: { command: string }) => (command === 'explainSelection' ? [200, 260, 240, 300, 280] : []),
        reserve: () => ({ commit: () => undefined, cancel: () => undefined, rollback: () => undefined }),
      };
      const mi = new ModelIntegration({ ollamaUrl: sim.url, model: 'coder:7b', maxTokens: 8192, tokenCounter: counter, ledger, logger });
      const explained = await mi.generateResponse('Explain this', [], { command: 'explainSelection' });
      const chatted = await mi.generateResponse('And this?', [], { command: 'chat' });
      const sent = sim.requests.filter((r) => r.path === '/api/chat').map((r) => r.numPredict);
      assert.deepEqual(sent, [375, 820]);
      assert.deepEqual([explained.usage.completionReserve, chatted.usage.completionReserve], [375, 820]);
      assert.match(logger.usages[0], /"reserveFrom":"p90 of 5 explainSelection answers x1.25"/);
      const meter = await mi.getTokenUsageInfo('Explain this', [], { command: 'explainSelection' });
      assert.equal(meter.completionReserve, 375, 'the meter shows the reserve the send will hold');
    } finally {
      await sim.stop();
      counter.dispose();
    }
  });
});
