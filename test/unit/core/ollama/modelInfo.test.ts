import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import { OllamaHttpError, OllamaModelNotFoundError, OllamaUnreachableError } from '../../../../src/core/ollama/errors';
import { requestJson } from '../../../../src/core/ollama/http';
import { ModelInfoService, effectiveWindow, loadedContextFromPs, parseParameters, parseShow } from '../../../../src/core/ollama/modelInfo';
import { OllamaSimulator } from '../../../support/ollamaSimulator';
import { recordingLogger } from '../../../support/ollamaTestKit';

describe('model facts', () => {
  it('parses the parameters text of /api/show, keeping repeated keys', () => {
    const p = parseParameters('num_ctx                        8192\nstop                           "<|eot_id|>"\nstop                           "<|end|>"\n');
    assert.deepEqual(p.get('num_ctx'), ['8192']);
    assert.deepEqual(p.get('stop'), ['"<|eot_id|>"', '"<|end|>"']);
  });

  it('reads the trained context under <architecture>.context_length and the Modelfile num_ctx', () => {
    const facts = parseShow({
      parameters: 'num_ctx 4096',
      details: { family: 'qwen2' },
      model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': 32768, 'llama.context_length': 1 },
    });
    assert.deepEqual([facts.trainedContext, facts.modelfileNumCtx, facts.family], [32768, 4096, 'qwen2']);
    assert.deepEqual(parseShow({ capabilities: ['completion', 'thinking'] }).capabilities, ['completion', 'thinking']);
    assert.deepEqual(parseShow({}), {
      capabilities: undefined,
      architecture: undefined,
      trainedContext: undefined,
      modelfileNumCtx: undefined,
      family: undefined,
      parameterSize: undefined,
      quantization: undefined,
      tokenizerModel: undefined,
      template: undefined,
      system: undefined,
      modelMessages: undefined,
    });
  });

  it('finds the loaded window in /api/ps, matching x and x:latest, and tells old servers apart', () => {
    assert.equal(loadedContextFromPs({ models: [{ name: 'llama3.2:latest', context_length: 4096 }] }, 'llama3.2'), 4096);
    assert.equal(loadedContextFromPs({ models: [{ name: 'llama3.2:latest' }] }, 'llama3.2'), 'unknown');
    assert.equal(loadedContextFromPs({ models: [] }, 'llama3.2'), 'not-loaded');
  });

  it('takes the smaller of maxTokens and the trained context as the one effective window', () => {
    assert.deepEqual(effectiveWindow(8192, 131072), { window: 8192, source: 'therapist.maxTokens' });
    assert.deepEqual(effectiveWindow(8192, 2048), { window: 2048, source: "the model's trained context" });
    assert.deepEqual(effectiveWindow(8192, undefined), { window: 8192, source: 'therapist.maxTokens' });
  });

  describe('ModelInfoService against the simulator', () => {
    let sim: OllamaSimulator;
    beforeEach(async () => {
      sim = new OllamaSimulator({
        models: [
          { name: 'small:1b', contextLength: 2048, modelfileNumCtx: 1024, loadedContext: 1024 },
          { name: 'big:8b', contextLength: 131072 },
        ],
      });
      await sim.start();
    });
    afterEach(() => sim.stop());

    it('asks /api/show and /api/ps once per model, logs where each number came from', async () => {
      const logger = recordingLogger();
      const info = new ModelInfoService(() => ({ baseUrl: sim.url }), logger);
      const facts = await info.getFacts('small:1b', 8192);
      assert.deepEqual([facts.trainedContext, facts.modelfileNumCtx, facts.loadedContext, facts.effectiveWindow], [2048, 1024, 1024, 2048]);
      assert.deepEqual(facts.sources, {
        trainedContext: 'api/show model_info',
        modelfileNumCtx: 'api/show parameters',
        loadedContext: 'api/ps',
        effectiveWindow: "the model's trained context",
      });
      assert.equal(facts.notes.length, 2);
      assert.match(facts.notes[1], /loaded with a 1024-token window; the first request with num_ctx 2048 makes Ollama reload it once/);
      const again = await info.getFacts('small:1b', 1500);
      assert.equal(again.effectiveWindow, 1500, 'a new maxTokens applies without asking again');
      assert.deepEqual(
        sim.requests.map((r) => r.path),
        ['/api/show', '/api/ps'],
      );
      assert.ok(
        logger.lines.some((l) =>
          /model small:1b: effective window 2048 \(from the model's trained context\); trained context 2048 \(api\/show model_info\)/.test(l.message),
        ),
      );
      const big = await info.getFacts('big:8b', 8192);
      assert.deepEqual([big.effectiveWindow, big.loadedContext, big.sources.loadedContext], [8192, undefined, 'not loaded']);
    });

    it('throws the typed error for a model that is not installed, and asks again next time', async () => {
      const info = new ModelInfoService(() => ({ baseUrl: sim.url }));
      await assert.rejects(info.getFacts('ghost', 8192), OllamaModelNotFoundError);
      sim.configureModel({ name: 'ghost:latest', contextLength: 4096 });
      assert.equal((await info.getFacts('ghost', 8192)).effectiveWindow, 4096);
    });

    it('plans with maxTokens when /api/show fails for another reason', async () => {
      const logger = recordingLogger();
      const info = new ModelInfoService(() => ({ baseUrl: `${sim.url}/broken-prefix` }), logger);
      const facts = await info.getFacts('big:8b', 8192);
      assert.deepEqual([facts.effectiveWindow, facts.sources.trainedContext], [8192, 'unknown (api/show failed)']);
      assert.ok(logger.lines.some((l) => l.level === 'warn' && /404 page not found/.test(l.message)));
    });
  });

  describe('requestJson against servers that are not quite Ollama', () => {
    let server: Server;
    let url: string;
    let hang = true;
    before(async () => {
      server = createServer((_req, res) => {
        if (hang) return; // never answers
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><head><title>Captive portal</title></head></html>');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('gives up on a server that never answers, as unreachable with the timeout named', async () => {
      hang = true;
      const error = await requestJson({ baseUrl: url }, 'GET', '/api/ps', undefined, { timeoutMs: 100 }).catch((e: unknown) => e);
      assert.ok(error instanceof OllamaUnreachableError);
      assert.equal(error.causeCode, 'UND_ERR_HEADERS_TIMEOUT');
    });

    it('turns a 200 that is not JSON into a readable HTTP error', async () => {
      hang = false;
      const error = await requestJson({ baseUrl: url }, 'POST', '/api/show', { model: 'x' }).catch((e: unknown) => e);
      assert.ok(error instanceof OllamaHttpError);
      assert.equal(error.serverText, 'not JSON: Captive portal');
    });
  });
});
