import assert from 'node:assert/strict';
import { OllamaUnreachableError } from '../../../../src/core/ollama/errors';
import { listModels, sameModel, serverInfo } from '../../../../src/core/ollama/modelCatalog';
import { OllamaSimulator } from '../../../support/ollamaSimulator';

describe("model catalog (the picker's list) against the simulator", () => {
  const sim = new OllamaSimulator({
    models: [
      { name: 'qwen2.5-coder:7b', contextLength: 32768, parameterSize: '7.6B', quantization: 'Q4_K_M' },
      { name: 'deepseek-coder:6.7b', contextLength: 16384 },
    ],
  });
  before(() => sim.start());
  after(() => sim.stop());

  it('lists the installed models by name, each with its trained window from /api/show', async () => {
    const models = await listModels({ baseUrl: sim.url });
    assert.deepEqual(
      models.map((m) => [m.name, m.trainedContext, m.parameterSize]),
      [
        ['deepseek-coder:6.7b', 16384, '8.0B'],
        ['qwen2.5-coder:7b', 32768, '7.6B'],
      ],
    );
    assert.equal(sim.requests.filter((r) => r.path === '/api/show').length, 2);
  });

  it('says when the server is the demo server, and only then', async () => {
    assert.deepEqual(await serverInfo({ baseUrl: sim.url }), { version: '0.33.0', demo: undefined });
    const demo = new OllamaSimulator({ demo: 'canned answers, not a model' });
    await demo.start();
    try {
      assert.deepEqual(await serverInfo({ baseUrl: demo.url }), { version: '0.33.0', demo: 'canned answers, not a model' });
    } finally {
      await demo.stop();
    }
  });

  it('an unreachable server is an error for the list, and nothing for the version', async () => {
    await assert.rejects(listModels({ baseUrl: 'http://127.0.0.1:9' }), OllamaUnreachableError);
    assert.deepEqual(await serverInfo({ baseUrl: 'http://127.0.0.1:9' }), {});
  });

  it('treats x and x:latest as one model, as Ollama does', () => {
    assert.equal(sameModel('llama3.2', 'llama3.2:latest'), true);
    assert.equal(sameModel('llama3.2:1b', 'llama3.2:latest'), false);
  });
});
