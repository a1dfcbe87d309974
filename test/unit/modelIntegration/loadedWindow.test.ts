import { strict as assert } from 'node:assert';
import { noticeOf } from '../../../src/shared/notices';
import { FALLBACK_ENCODING } from '../../../src/modelIntegration';
import { TokenCounter } from '../../../src/tokenCounter';
import { post } from '../../support/ollamaTestKit';
import { integrationFor, sample, seeded, vocabServer } from '../../support/whatTheModelSees';
import type { OllamaSimulator } from '../../support/ollamaSimulator';

// A memory-limited server loads a smaller window than num_ctx asks for. Therapist learns it from the refusal
// (n_ctx) and /api/ps, plans for it, keeps asking for its window (no reload), and plans for the full window again
// as soon as the server has it.
describe('the window the server really has', function () {
  this.timeout(60_000);
  let sim: OllamaSimulator;
  let counter: TokenCounter;
  before(async () => {
    counter = new TokenCounter(undefined, undefined, undefined, undefined, { encoding: FALLBACK_ENCODING });
    sim = await vocabServer([{ name: 'qwen3:8b', vocab: 'qwen3', loadedWindowCap: 2048 }]);
  });
  after(async () => {
    await sim.stop();
    counter.dispose();
  });

  it('is learned from a refusal and /api/ps, planned for, shown, and given up as soon as the server has the full window again', async () => {
    const mi = await integrationFor(sim, 'qwen3:8b', counter);
    const r = seeded(5);
    const ask = () => mi.generateResponse('Review this code.', [{ text: sample('code', 14_000, r), source: 'a.ts' }]);
    const chats = () => sim.requests.filter((q) => q.path === '/api/chat');

    const first = await ask();
    assert.deepEqual(
      chats().map((q) => [q.status, q.numCtx]),
      [
        [400, 4096],
        [200, 4096],
      ],
      'refused once (the server has 2048), resent fitted to 2048, num_ctx unchanged (no reload)',
    );
    assert.equal(sim.reloads, 1);
    assert.ok(noticeOf(first.notices, 'retried'));
    assert.equal(first.usage.limit, 2048);
    assert.equal(first.usage.total, first.usage.promptEvalCount, 'still exact');
    assert.ok(first.usage.total + first.usage.completionReserve <= 2048);
    const capped = await mi.getModelFacts();
    assert.deepEqual([capped.effectiveWindow, capped.numCtx, capped.sources.effectiveWindow], [2048, 4096, 'the window the server loaded (api/ps)']);

    await ask();
    assert.equal(chats().at(-1)!.status, 200, 'planned for 2048 from then on: no more refusals');
    assert.equal(chats().length, 3);

    // The server gets its memory back: unload, and the next load has the whole window.
    sim.configureModel({ name: 'qwen3:8b', loadedWindowCap: 1_000_000 });
    await post(`${sim.url}/api/generate`, { model: 'qwen3:8b', keep_alive: 0 });
    await ask();
    const lifted = await (async () => {
      for (let i = 0; i < 50; i++) {
        const f = await mi.getModelFacts();
        if (f.effectiveWindow === 4096) return f;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return mi.getModelFacts();
    })();
    assert.equal(lifted.effectiveWindow, 4096, '/api/ps shows the full window again: the cap is lifted');
    const full = await ask();
    assert.equal(full.usage.limit, 4096);
    assert.ok(full.usage.total > 2048, `and the prompt uses it: ${full.usage.total}`);
  });
});
