import { strict as assert } from 'node:assert';
import { request } from 'undici';
import { OllamaSimulator } from '../../support/ollamaSimulator';
import { splitInsideCharacter } from '../../support/simulator/wireFormat';
import { post } from '../../support/ollamaTestKit';

const user = (content: string) => ({ role: 'user', content });

describe('OllamaSimulator speaks Ollama', () => {
  let sim: OllamaSimulator;
  beforeEach(async () => {
    sim = new OllamaSimulator({ models: [{ name: 'llama3.2:latest' }, { name: 'coder:7b', contextLength: 16384, modelfileNumCtx: 2048, tokensPerChar: 0.5 }] });
    await sim.start();
  });
  afterEach(() => sim.stop());

  it('streams NDJSON by default with Go escapes, metrics only on the final line and none that are zero', async () => {
    const res = await post(`${sim.url}/api/chat`, { model: 'llama3.2', messages: [user('hi <b>')] });
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/x-ndjson');
    assert.ok(res.text.endsWith('\n'));
    assert.ok(res.text.includes('\\u003c') && res.text.includes('\\u0026') && !res.text.includes('<'), 'Go-style escapes');
    const lines = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const final = lines.at(-1);
    assert.equal(final.done, true);
    assert.equal(final.done_reason, 'stop');
    assert.equal(final.model, 'llama3.2', 'model echoes the request string');
    assert.equal(
      lines
        .slice(0, -1)
        .map((l) => l.message.content)
        .join(''),
      'Sure. Use `a < b && b > c` here: naïve café, 東京, 🎉 done.',
    );
    assert.ok(lines.slice(0, -1).every((l) => l.done === false && !('eval_count' in l)));
    assert.equal(final.prompt_eval_count, Math.ceil(6 * 0.3) + 4);
    assert.equal(final.eval_count, lines.length - 1);
    assert.match(final.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  });

  it('answers stream:false with one JSON object, no trailing newline', async () => {
    const res = await post(`${sim.url}/api/chat`, { model: 'llama3.2', messages: [user('hi')], stream: false });
    assert.equal(res.type, 'application/json; charset=utf-8');
    assert.ok(!res.text.endsWith('\n'));
    const obj = JSON.parse(res.text);
    assert.equal(obj.done, true);
    assert.ok(obj.message.content.startsWith('Sure.'));
  });

  it('loads and unloads with a single object without metrics, even when streaming', async () => {
    const load = JSON.parse((await post(`${sim.url}/api/chat`, { model: 'llama3.2', messages: [] })).text);
    assert.deepEqual([load.done, load.done_reason, 'eval_count' in load, 'prompt_eval_count' in load], [true, 'load', false, false]);
    const ps = (await (await fetch(`${sim.url}/api/ps`)).json()) as { models: { name: string; context_length: number }[] };
    assert.deepEqual(
      ps.models.map((m) => [m.name, m.context_length]),
      [['llama3.2:latest', 4096]],
    );
    const unload = JSON.parse((await post(`${sim.url}/api/chat`, { model: 'llama3.2', messages: [], keep_alive: 0 })).text);
    assert.equal(unload.done_reason, 'unload');
    assert.deepEqual(((await (await fetch(`${sim.url}/api/ps`)).json()) as { models: unknown[] }).models, []);
  });

  it('uses the exact error statuses and texts', async () => {
    assert.deepEqual(await post(`${sim.url}/api/chat`, ''), { status: 400, type: 'application/json; charset=utf-8', text: '{"error":"missing request body"}' });
    assert.equal((await post(`${sim.url}/api/chat`, 'xyz')).text, '{"error":"invalid character \'x\' looking for beginning of value"}');
    assert.equal((await post(`${sim.url}/api/chat`, { messages: [] })).text, '{"error":"model is required"}');
    const missing = await post(`${sim.url}/api/chat`, { model: 'foo', messages: [user('x')] });
    assert.deepEqual([missing.status, missing.text], [404, '{"error":"model \'foo\' not found"}']);
    const typed = await post(`${sim.url}/api/chat`, { model: 'llama3.2', messages: [user('x')], options: { num_ctx: '8k' } });
    assert.deepEqual([typed.status, typed.text], [500, '{"error":"option \\"num_ctx\\" must be of type integer"}']);
    const route = await fetch(`${sim.url}/api/nothing`);
    assert.deepEqual([route.status, route.headers.get('content-type'), await route.text()], [404, 'text/plain; charset=utf-8', '404 page not found']);
    const method = await fetch(`${sim.url}/api/chat`);
    assert.deepEqual([method.status, await method.text()], [405, '405 method not allowed']);
    const show = await fetch(`${sim.url}/api/show`);
    assert.equal(show.status, 405);
    assert.equal(await (await fetch(`${sim.url}/`)).text(), 'Ollama is running');
    assert.deepEqual(await (await fetch(`${sim.url}/api/version`)).json(), { version: '0.33.0' });
  });

  it('reports trained context and Modelfile num_ctx in /api/show like Ollama', async () => {
    const show = JSON.parse((await post(`${sim.url}/api/show`, { model: 'coder:7b' })).text);
    assert.equal(show.model_info['general.architecture'], 'llama');
    assert.equal(show.model_info['llama.context_length'], 16384);
    assert.match(show.parameters, /^num_ctx {24}2048\nstop {27}"<\|eot_id\|>"/);
    assert.equal((await post(`${sim.url}/api/show`, {})).text, '{"error":"model is required"}');
    assert.equal((await post(`${sim.url}/api/show`, { model: 'nope' })).status, 404);
  });

  it('takes num_ctx from the request, else the Modelfile, else the server default, clamped to the trained context; a change reloads', async () => {
    await post(`${sim.url}/api/chat`, { model: 'coder:7b', messages: [user('a')], stream: false });
    await post(`${sim.url}/api/chat`, { model: 'coder:7b', messages: [user('a')], stream: false, options: { num_ctx: 99999 } });
    await post(`${sim.url}/api/chat`, { model: 'llama3.2', messages: [user('a')], stream: false });
    await post(`${sim.url}/api/chat`, { model: 'llama3.2', messages: [user('a')], stream: false });
    assert.deepEqual(
      sim.requests.map((r) => [r.numCtx, r.effectiveNumCtx, r.reloaded ?? false]),
      [
        [undefined, 2048, true],
        [99999, 16384, true],
        [undefined, 4096, true],
        [undefined, 4096, false],
      ],
    );
    assert.equal(sim.reloads, 3);
  });

  it('truncates silently like Ollama: drops oldest non-system messages, keeps the last, reports only kept tokens', async () => {
    const long = 'x'.repeat(1000); // 300 + 4 tokens per message
    const messages = [{ role: 'system', content: 'be brief' }, user(long), { role: 'assistant', content: long }, user('last one')];
    const res = JSON.parse((await post(`${sim.url}/api/chat`, { model: 'llama3.2', messages, stream: false, options: { num_ctx: 400 } })).text);
    // system 7 + (user 304 dropped) + assistant 304 + last user 7
    assert.equal(res.prompt_eval_count, 7 + 304 + 7);
    const rec = sim.requests[0];
    assert.deepEqual([rec.promptTokens, rec.promptEvalCount, rec.droppedMessages, rec.truncated], [7 + 304 + 304 + 7, 7 + 304 + 7, 1, true]);
    const cut = JSON.parse(
      (await post(`${sim.url}/api/chat`, { model: 'llama3.2', messages: [user('y'.repeat(5000))], stream: false, options: { num_ctx: 1000 } })).text,
    );
    assert.equal(cut.prompt_eval_count, 500, 'one huge message keeps only num_ctx/2 tokens (Ollama 0.30+)');
  });

  it('answers 400 with the numbers for a model configured to refuse long prompts', async () => {
    sim.configureModel({ name: 'strict', truncation: 'error' });
    const res = await post(`${sim.url}/api/chat`, { model: 'strict', messages: [user('z'.repeat(20000))], options: { num_ctx: 2048 } });
    assert.deepEqual(
      [res.status, JSON.parse(res.text).error],
      [400, 'request (6004 tokens) exceeds the available context size (2048 tokens), try increasing it'],
    );
  });

  it('streams /api/generate with `response` chunks and a long `context` array on the final line', async () => {
    const res = await post(`${sim.url}/api/generate`, { model: 'llama3.2', prompt: 'p'.repeat(10000), options: { num_ctx: 8192 } });
    const lines = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(typeof lines[0].response, 'string');
    assert.equal(lines.at(-1).context.length, 3004 + lines.length - 1);
  });

  it('stops at num_predict with done_reason length', async () => {
    const res = JSON.parse((await post(`${sim.url}/api/chat`, { model: 'llama3.2', messages: [user('a')], stream: false, options: { num_predict: 3 } })).text);
    assert.deepEqual([res.done_reason, res.eval_count, res.message.content], ['length', 3, 'Sure. Use `a']);
  });

  it('splits a line inside a multi-byte character when it writes', () => {
    const parts = splitInsideCharacter(Buffer.from('{"c":"aé"}\n'));
    assert.equal(parts.length, 2);
    assert.equal(parts[1][0] & 0xc0, 0x80, 'the second write starts with a continuation byte');
    assert.deepEqual(Buffer.concat(parts).toString(), '{"c":"aé"}\n');
  });

  it('notices a client that disconnects mid-stream and stops generating', async () => {
    sim.configureModel({ name: 'llama3.2:latest', tokensPerSecond: 50, reply: 'word '.repeat(200) });
    const controller = new AbortController();
    const res = await request(`${sim.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2', messages: [user('a')] }),
      signal: controller.signal,
    });
    let reads = 0;
    await assert.rejects(async () => {
      for await (const _chunk of res.body) if (++reads === 3) controller.abort();
    });
    await sim.settled();
    const rec = sim.requests[0];
    assert.equal(rec.clientDisconnected, true);
    assert.equal(rec.completed, false);
    assert.ok(rec.chunksSent < 200, `stopped after ${rec.chunksSent} of 200 chunks`);
  });

  it('exposes the control API under /__sim/ only', async () => {
    const added = await post(`${sim.url}/__sim/models`, { name: 'tiny:1b', contextLength: 2048, failure: { kind: 'busy', times: 1 } });
    assert.equal(added.status, 200);
    assert.equal((await post(`${sim.url}/api/chat`, { model: 'tiny:1b', messages: [user('a')] })).status, 503);
    assert.equal((await post(`${sim.url}/api/chat`, { model: 'tiny:1b', messages: [user('a')], options: { num_ctx: 2048 } })).status, 200);
    const log = (await (await fetch(`${sim.url}/__sim/requests`)).json()) as { requests: { status: number; numCtx?: number; clientDisconnected: boolean }[] };
    assert.deepEqual(
      log.requests.map((r) => [r.status, r.numCtx, r.clientDisconnected]),
      [
        [503, undefined, false],
        [200, 2048, false],
      ],
    );
    assert.equal((await post(`${sim.url}/__sim/reset`, {})).status, 200);
    assert.equal(sim.requests.length, 0);
    assert.equal((await post(`${sim.url}/api/chat`, { model: 'tiny:1b', messages: [user('a')] })).status, 404, 'reset restores the starting models');
  });
});
