import { strict as assert } from 'node:assert';
import { systemClock, type Clock } from '../../../src/core/runtime';
import { OllamaModelNotFoundError } from '../../../src/core/ollama/errors';
import { FACTS_FAILURE_REUSE_MS, ModelIntegration } from '../../../src/modelIntegration';
import { TokenCounter } from '../../../src/tokenCounter';
import { OllamaSimulator } from '../../support/ollamaSimulator';

// The token meter counts on every change of the composer. With the model missing (or Ollama down) it must not
// ask Ollama each time; a real request, and so Retry, always asks again.
describe('model facts after a failed look-up', () => {
  let sim: OllamaSimulator;
  let counter: TokenCounter;
  let now = 1_000_000;
  const clock: Clock = { ...systemClock, now: () => now, sleep: async () => {} };
  before(() => {
    counter = new TokenCounter();
    counter.countTokens('warm up');
  });
  after(() => counter.dispose());
  beforeEach(async () => {
    sim = new OllamaSimulator({ models: [{ name: 'other:1b' }] });
    await sim.start();
  });
  afterEach(() => sim.stop());
  const shows = () => sim.requests.filter((r) => r.path === '/api/show').length;

  it('the meter reuses a recent failure; a request asks again; after the reuse period the meter asks again', async () => {
    const mi = new ModelIntegration({ ollamaUrl: sim.url, model: 'missing:7b', maxTokens: 4096, tokenCounter: counter, clock });
    const first = await mi.getTokenUsageInfo('hello', []);
    assert.match(first.windowSource, /model facts unavailable: .*missing:7b/);
    assert.equal(first.limit, 4096, 'planned with therapist.maxTokens');
    for (let i = 0; i < 5; i++) await mi.getTokenUsageInfo(`hello ${i}`, []);
    assert.equal(shows(), 1, 'one look-up for six counts');
    await assert.rejects(mi.generateResponse('hello', []), OllamaModelNotFoundError);
    assert.equal(shows(), 2, 'a request asks Ollama again');
    now += FACTS_FAILURE_REUSE_MS + 1;
    await mi.getTokenUsageInfo('hello again', []);
    assert.equal(shows(), 3, 'the meter asks again once the failure is old');
  });

  it('once the model is installed, a request finds it at once and the meter uses its window from then on', async () => {
    const mi = new ModelIntegration({ ollamaUrl: sim.url, model: 'late:7b', maxTokens: 8192, tokenCounter: counter, clock });
    await mi.getTokenUsageInfo('hello', []);
    sim.configureModel({ name: 'late:7b', contextLength: 2048 });
    const result = await mi.generateResponse('hello', []);
    assert.equal(result.usage.limit, 2048, 'the request looked again and found the trained context');
    assert.equal((await mi.getTokenUsageInfo('next', [])).limit, 2048);
  });
});
