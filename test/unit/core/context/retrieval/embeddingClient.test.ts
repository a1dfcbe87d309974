import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { EmbeddingClient, MARGIN_TOKENS, cutToBytes } from '../../../../../src/core/context/retrieval/embeddingClient';
import { OllamaSimulator } from '../../../../support/ollamaSimulator';
import { EMBED_CONTEXT_ERROR, simulatedTokenCount } from '../../../../support/simulator/embeddings';
import { post } from '../../../../support/ollamaTestKit';

describe('embeddings: the simulator and the client over real HTTP', () => {
  let sim: OllamaSimulator;
  const client = (model = 'nomic-embed-text', batchSize = 32) => new EmbeddingClient({ endpoint: { baseUrl: sim.url }, model, batchSize, timeoutMs: 10_000 });
  const embedRequests = () => sim.requests.filter((r) => r.path === '/api/embed');

  before(async () => {
    sim = new OllamaSimulator();
    await sim.start();
  });
  after(() => sim.stop());
  beforeEach(() => sim.reset());

  describe('the simulated /api/embed (plumbing, not semantics)', () => {
    it('answers like Ollama: one unit vector per input and prompt_eval_count', async () => {
      const res = await post(`${sim.url}/api/embed`, { model: 'nomic-embed-text', input: ['function parse(url)', 'class Parser {}'] });
      assert.equal(res.status, 200);
      const body = JSON.parse(res.text) as { model: string; embeddings: number[][]; prompt_eval_count: number };
      assert.equal(body.model, 'nomic-embed-text');
      assert.equal(body.embeddings.length, 2);
      for (const v of body.embeddings) {
        assert.equal(v.length, 768);
        assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-9);
      }
      assert.equal(body.prompt_eval_count, simulatedTokenCount('function parse(url)') + simulatedTokenCount('class Parser {}'));
    });

    it("reports nomic-bert's 2048-token context in /api/show", async () => {
      const show = JSON.parse((await post(`${sim.url}/api/show`, { model: 'nomic-embed-text' })).text) as {
        model_info: Record<string, unknown>;
        capabilities: string[];
      };
      assert.equal(show.model_info['general.architecture'], 'nomic-bert');
      assert.equal(show.model_info['nomic-bert.context_length'], 2048);
      assert.equal(show.model_info['nomic-bert.embedding_length'], 768);
      assert.deepEqual(show.capabilities, ['embedding']);
    });

    it('has the real 404 text for a missing model and the 400 for an overlong input with truncate:false', async () => {
      const missing = await post(`${sim.url}/api/embed`, { model: 'mxbai-embed-large', input: 'x' });
      assert.equal(missing.status, 404);
      assert.equal(missing.text, '{"error":"model \\"mxbai-embed-large\\" not found, try pulling it first"}');
      const long = 'word '.repeat(3000);
      const refused = await post(`${sim.url}/api/embed`, { model: 'nomic-embed-text', input: [long], truncate: false });
      assert.equal(refused.status, 400);
      assert.equal(JSON.parse(refused.text).error, EMBED_CONTEXT_ERROR);
      const cut = JSON.parse((await post(`${sim.url}/api/embed`, { model: 'nomic-embed-text', input: [long] })).text) as { prompt_eval_count: number };
      assert.equal(cut.prompt_eval_count, 2048, 'truncate (the default) keeps the window');
    });

    it('refuses non-string inputs and answers an empty input with no vectors', async () => {
      assert.equal((await post(`${sim.url}/api/embed`, { model: 'nomic-embed-text', input: [1, 2] })).status, 400);
      assert.deepEqual(JSON.parse((await post(`${sim.url}/api/embed`, { model: 'nomic-embed-text', input: '' })).text), {
        model: 'nomic-embed-text',
        embeddings: [],
      });
    });
  });

  describe('EmbeddingClient', () => {
    it("probes the model's window: budget = context_length - margin, in bytes", async () => {
      const probe = await client().probe();
      assert.ok(probe.ok);
      assert.deepEqual(probe.info, { model: 'nomic-embed-text', contextLength: 2048, dimensions: 768, budgetBytes: 2048 - MARGIN_TOKENS });
    });

    it("prefixes nomic's task words and cuts a long chunk to the budget itself", async () => {
      const c = client();
      await c.probe();
      const short = c.prepare('const x = 1;', 'document');
      assert.deepEqual(short, { input: 'search_document: const x = 1;', cut: false });
      assert.equal(c.prepare('where is x set', 'query').input, 'search_query: where is x set');
      const long = c.prepare('é'.repeat(5000), 'document');
      assert.equal(long.cut, true);
      assert.ok(Buffer.byteLength(long.input) <= 2040);
      assert.ok(Buffer.byteLength(long.input) > 2030, 'cut at the budget, not far below it');
      assert.ok(!long.input.includes('\ufffd'));
    });

    it('batches inputs, sends truncate:false and num_ctx, and never overflows the window', async () => {
      const c = client('nomic-embed-text', 32);
      await c.probe();
      const texts = Array.from({ length: 70 }, (_, i) => (i % 10 === 0 ? 'x = y + z; '.repeat(800) : `function f${i}() { return ${i}; }`));
      const vectors = await c.embed(texts.map((t) => c.prepare(t, 'document').input));
      assert.equal(vectors.length, 70);
      assert.ok(vectors.every((v) => v.length === 768 && v instanceof Float32Array));
      const sent = embedRequests();
      assert.deepEqual(
        sent.map((r) => (r.body as { input: string[] }).input.length),
        [32, 32, 6],
      );
      assert.ok(sent.every((r) => r.status === 200));
      assert.ok(sent.every((r) => (r.body as { truncate: boolean }).truncate === false));
      assert.ok(sent.every((r) => (r.body as { options: { num_ctx: number } }).options.num_ctx === 2048));
    });

    it('the byte budget holds against the simulated tokenizer for any text (property)', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 4000 }), (text) => {
          const cut = cutToBytes(text, 2040);
          assert.ok(Buffer.byteLength(cut) <= 2040);
          assert.ok(text.startsWith(cut));
          assert.ok(simulatedTokenCount(cut) <= 2048);
        }),
        { numRuns: 200 },
      );
    });

    it('a missing model is a state with the panel note, not an error', async () => {
      sim.embeddings.remove('nomic-embed-text:latest');
      const probe = await client().probe();
      assert.equal(probe.ok, false);
      if (probe.ok) return;
      assert.equal(probe.state, 'model-missing');
      assert.equal(probe.note, '`ollama pull nomic-embed-text` for semantic search');
      assert.equal(probe.notice.code, 'embedding-model-missing');
      assert.equal(probe.notice.advice, '`ollama pull nomic-embed-text` for semantic search');
    });

    it('no server is the unreachable state', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const probe = await new EmbeddingClient({
        endpoint: { baseUrl: `http://127.0.0.1:${port}` },
        model: 'nomic-embed-text',
        batchSize: 8,
        timeoutMs: 2000,
      }).probe();
      assert.equal(probe.ok, false);
      if (!probe.ok) assert.equal(probe.state, 'unreachable');
    });

    it('a context error (a window smaller than probed) retries one input at a time, halving what does not fit', async () => {
      sim.embeddings.configure({ name: 'nomic-embed-text:latest', contextLength: 64 });
      const c = client('nomic-embed-text', 8);
      await c.probe();
      // The server now has a smaller window than it said: 56-byte inputs of one-letter words are 30 tokens.
      sim.embeddings.configure({ name: 'nomic-embed-text:latest', contextLength: 20 });
      const inputs = [cutToBytes('a '.repeat(40), 56), 'ok'];
      const vectors = await c.embed(inputs);
      assert.equal(vectors.length, 2);
      const statuses = embedRequests().map((r) => r.status);
      assert.deepEqual(statuses, [400, 400, 200, 200]);
    });

    it('an answer with the wrong number of vectors is an EmbeddingResponseError', async () => {
      const bad: Server = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.url === '/api/show' ? '{"model_info":{"general.architecture":"bert","bert.context_length":512}}' : '{"embeddings":[[0.5,0.5]]}');
      });
      await new Promise<void>((resolve) => bad.listen(0, '127.0.0.1', () => resolve()));
      try {
        const c = new EmbeddingClient({
          endpoint: { baseUrl: `http://127.0.0.1:${(bad.address() as AddressInfo).port}` },
          model: 'bert',
          batchSize: 8,
          timeoutMs: 2000,
        });
        assert.ok((await c.probe()).ok);
        await assert.rejects(
          c.embed(['a', 'b']),
          (e: Error & { code?: string }) => e.code === 'embedding-response' && /1 vectors for 2 inputs/.test(e.message),
        );
      } finally {
        bad.closeAllConnections();
        await new Promise<void>((resolve) => bad.close(() => resolve()));
      }
    });
  });
});
