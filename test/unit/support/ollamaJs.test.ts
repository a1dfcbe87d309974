import { strict as assert } from 'node:assert';
import { Ollama } from 'ollama';
import { OllamaSimulator } from '../../support/ollamaSimulator';

// The official client (ollama-js) as an outside check that the simulator speaks Ollama's protocol.
describe('the official ollama npm client against the simulator', () => {
  let sim: OllamaSimulator;
  let client: Ollama;
  before(async () => {
    sim = new OllamaSimulator({ models: [{ name: 'llama3.2:latest', contextLength: 131072, modelfileNumCtx: 8192 }] });
    await sim.start();
    client = new Ollama({ host: sim.url });
  });
  after(() => sim.stop());

  it('streams a chat and reads the final metrics', async () => {
    const parts: string[] = [];
    let last: { done: boolean; done_reason: string; eval_count: number; prompt_eval_count: number } | undefined;
    for await (const part of await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: true, options: { num_ctx: 4096 } })) {
      parts.push(part.message.content);
      last = part;
    }
    assert.equal(parts.join(''), 'Sure. Use `a < b && b > c` here: naïve café, 東京, 🎉 done.');
    assert.deepEqual([last?.done, last?.done_reason, last?.eval_count, last?.prompt_eval_count], [true, 'stop', 15, 5]);
    assert.equal(sim.requests.at(-1)?.numCtx, 4096);
  });

  it('reads a non-streaming chat', async () => {
    const res = await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.message.content, 'Sure. Use `a < b && b > c` here: naïve café, 東京, 🎉 done.');
    assert.equal(sim.requests.at(-1)?.stream, false, 'ollama-js sends stream:false by default');
  });

  it('reads show, ps, list and version', async () => {
    const show = await client.show({ model: 'llama3.2' });
    assert.equal((show.model_info as unknown as Record<string, unknown>)['llama.context_length'], 131072);
    assert.match(show.parameters, /num_ctx\s+8192/);
    const ps = await client.ps();
    assert.equal(ps.models[0].name, 'llama3.2:latest');
    assert.deepEqual(
      (await client.list()).models.map((m) => m.name),
      ['llama3.2:latest'],
    );
    assert.equal((await client.version()).version, '0.33.0');
  });

  it("surfaces the simulator's errors the way it surfaces Ollama's", async () => {
    await assert.rejects(
      client.chat({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
      (e: Error & { status_code?: number }) => e.message === "model 'nope' not found" && e.status_code === 404,
    );
    sim.configureModel({ name: 'llama3.2:latest', failure: { kind: 'error-line', afterChunks: 2, message: 'llama runner process has terminated', times: 1 } });
    await assert.rejects(async () => {
      for await (const _part of await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'x' }], stream: true })) {
        /* drain */
      }
    }, /llama runner process has terminated/);
  });

  it('generates with /api/generate', async () => {
    const res = await client.generate({ model: 'llama3.2', prompt: 'write', options: { num_predict: 2 } });
    // context = kept prompt tokens (ceil(5 x 0.3) + 4 = 6) + 2 answer tokens
    assert.deepEqual([res.response, res.done_reason, res.context.length], ['Sure. Use', 'length', 8]);
  });
});
