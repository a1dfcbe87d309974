import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { streamChatExchange } from '../../src/core/ollama/chatTransport';
import {
  OllamaBusyError,
  OllamaContextError,
  OllamaHttpError,
  OllamaModelNotFoundError,
  OllamaStreamError,
  OllamaTimeoutError,
  OllamaUnreachableError,
} from '../../src/core/ollama/errors';
import { systemClock } from '../../src/core/runtime';
import type { ChatRequest } from '../../src/core/ollama/wire';
import { StreamingService } from '../../src/streamingService';
import { OllamaSimulator, type SimFailure } from '../support/ollamaSimulator';
import { instantSleepClock, recordingLogger } from '../support/ollamaTestKit';

const REPLY = 'Sure. Use `a < b && b > c` here: naïve café, 東京, 🎉 done.';
const chatRequest = (model = 'llama3.2'): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: 'hello' }],
  options: { num_ctx: 8192, num_predict: 512 },
});

describe('StreamingService against the simulator', () => {
  let sim: OllamaSimulator;
  beforeEach(async () => {
    sim = new OllamaSimulator({ models: [{ name: 'llama3.2:latest' }] });
    await sim.start();
  });
  afterEach(() => sim.stop());
  const fail = (failure: SimFailure) => sim.configureModel({ name: 'llama3.2:latest', failure });
  const service = (extra: Partial<ConstructorParameters<typeof StreamingService>[0]> = {}) =>
    new StreamingService({ ollamaUrl: sim.url, clock: instantSleepClock(), ...extra });
  const exchange = () => streamChatExchange({ baseUrl: sim.url }, chatRequest(), { clock: systemClock, firstMs: 5000, idleMs: 5000 });

  it('streams tokens as they arrive and ends with the final metrics', async () => {
    const tokens: string[] = [];
    const out = await service().chat(chatRequest(), { onToken: (t) => tokens.push(t) });
    assert.equal(out.text, REPLY);
    assert.equal(tokens.join(''), REPLY);
    assert.equal(tokens.length, 15);
    assert.deepEqual([out.cancelled, out.fallbackUsed, out.streamed, out.attempts], [false, false, true, 1]);
    assert.equal(out.metrics.doneReason, 'stop');
    assert.equal(out.metrics.evalCount, 15);
    assert.equal(out.metrics.promptEvalCount, Math.ceil(5 * 0.3) + 4);
    assert.ok(out.ttftMs !== undefined && out.ttftMs >= 0);
    assert.ok(out.tokensPerSecond !== undefined && out.tokensPerSecond > 0);
    const sent = sim.requests[0];
    assert.deepEqual(
      [sent.stream, sent.numCtx, sent.numPredict, (sent.body as { stream: boolean }).stream],
      [true, 8192, 512, true],
      'stream:true is sent explicitly',
    );
  });

  describe('mirrors Ollama api/client_test.go', () => {
    it('immediate error response: the server text, with its status', async () => {
      fail({ kind: 'http', status: 400, body: '{"error":"test error message"}' });
      const error = await exchange().catch((e: unknown) => e);
      assert.ok(error instanceof OllamaHttpError);
      assert.deepEqual([error.status, error.serverText], [400, 'test error message']);
    });

    it("error after successful chunks, ok response: an error carrying the line's text", async () => {
      fail({ kind: 'error-line', afterChunks: 2, message: 'mid-stream error' });
      const error = await exchange().catch((e: unknown) => e);
      assert.ok(error instanceof OllamaStreamError);
      assert.deepEqual([error.kind, error.serverText], ['error-line', 'mid-stream error']);
    });

    it('status beats body: a 500 whose body looks like a finished stream is still an error', async () => {
      fail({ kind: 'http', status: 500, contentType: 'application/x-ndjson', body: '{"message":{"content":"hi"},"done":false}\n{"done":true}\n' });
      const error = await exchange().catch((e: unknown) => e);
      assert.ok(error instanceof OllamaHttpError);
      assert.equal(error.status, 500);
    });

    it('plain-text and HTML error bodies become readable text', async () => {
      fail({ kind: 'http', status: 502, contentType: 'text/plain', body: 'Bad Gateway\n' });
      const plain = await exchange().catch((e: unknown) => e);
      assert.ok(plain instanceof OllamaHttpError && plain.serverText === 'Bad Gateway');
      fail({
        kind: 'http',
        status: 502,
        contentType: 'text/html',
        body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
      });
      const html = await exchange().catch((e: unknown) => e);
      assert.ok(html instanceof OllamaHttpError);
      assert.equal(html.message, `Ollama answered HTTP 502 to POST ${sim.url}/api/chat: "502 Bad Gateway".`);
    });

    it('unexpected EOF: a stream that ends without done:true is a failure, never a success', async () => {
      fail({ kind: 'cut', afterChunks: 3 });
      const error = await exchange().catch((e: unknown) => e);
      assert.ok(error instanceof OllamaStreamError);
      assert.equal(error.kind, 'incomplete');
      assert.match(error.message, /without its final "done" line after 3 chunks/);
    });

    it('an unparseable line is an error, not a silent skip', async () => {
      fail({ kind: 'garbage', afterChunks: 1, line: '<html>oops' });
      const error = await exchange().catch((e: unknown) => e);
      assert.ok(error instanceof OllamaStreamError && error.kind === 'unparseable');
    });
  });

  it('cancel mid-stream resolves as cancelled with the text so far, and the server stops generating', async () => {
    sim.configureModel({ name: 'llama3.2:latest', tokensPerSecond: 40, reply: 'word '.repeat(300) });
    const controller = new AbortController();
    let count = 0;
    const out = await service().chat(chatRequest(), {
      signal: controller.signal,
      onToken: () => {
        if (++count === 3) controller.abort();
      },
    });
    assert.equal(out.cancelled, true);
    assert.equal(out.fallbackUsed, false);
    assert.ok(out.text.startsWith('word word word'));
    await sim.settled();
    assert.equal(sim.requests.length, 1, 'no fallback request after a cancel');
    assert.equal(sim.requests[0].clientDisconnected, true);
    assert.ok(sim.requests[0].chunksSent < 300);
  });

  it('times out waiting for the first token, says so, and does not fall back', async () => {
    sim.configureModel({ name: 'llama3.2:latest', timeToFirstTokenMs: 5000 });
    const error = await service({ streamingTimeout: 150 })
      .chat(chatRequest(), { promptTokens: 0 })
      .catch((e: unknown) => e);
    assert.ok(error instanceof OllamaTimeoutError);
    assert.deepEqual([error.phase, error.waitedMs], ['first-token', 150]);
    assert.match(error.message, /must read the whole prompt/);
    await sim.settled();
    assert.equal(sim.requests.length, 1);
    assert.equal(sim.requests[0].clientDisconnected, true);
  });

  it('gives large prompts a longer first-token allowance', () => {
    const s = new StreamingService({ ollamaUrl: 'http://127.0.0.1:1', streamingTimeout: 30000, firstTokenMsPerPromptToken: 10 });
    assert.deepEqual(s.timeoutsFor(8000, 1000), { firstTokenMs: 110000, idleMs: 30000, nonStreamingMs: 210000 });
  });

  it('times out when tokens stop coming (idle), naming the gap', async () => {
    sim.configureModel({ name: 'llama3.2:latest', stall: { afterChunks: 2, ms: 5000 } });
    const tokens: string[] = [];
    const error = await service({ streamingTimeout: 150 })
      .chat(chatRequest(), { onToken: (t) => tokens.push(t) })
      .catch((e: unknown) => e);
    assert.ok(error instanceof OllamaTimeoutError);
    assert.deepEqual([error.phase, error.waitedMs], ['idle', 150]);
    assert.equal(tokens.length, 2);
  });

  it('falls back to one non-streaming request when the stream breaks, and says why', async () => {
    fail({ kind: 'cut', afterChunks: 4, times: 1 });
    const fallbacks: string[] = [];
    const logger = recordingLogger();
    const out = await service({ logger }).chat(chatRequest(), { onFallback: (reason, partial) => fallbacks.push(`${reason}|${partial}`) });
    assert.deepEqual([out.fallbackUsed, out.streamed, out.text, out.attempts], [true, false, REPLY, 2]);
    assert.match(out.fallbackReason ?? '', /ended without its final "done" line/);
    assert.equal(fallbacks.length, 1);
    assert.ok(fallbacks[0].endsWith('|Sure. Use `a <'));
    assert.deepEqual(
      sim.requests.map((r) => r.stream),
      [true, false],
    );
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /retrying once without streaming/.test(l.message)));
  });

  it('falls back to one non-streaming request after a 5xx before the stream began; 503 keeps its retries and 4xx does not fall back', async () => {
    fail({ kind: 'http', status: 500, body: '{"error":"llama runner process has terminated: exit status 2"}', times: 1 });
    const reasons: string[] = [];
    const out = await service().chat(chatRequest(), { onFallback: (reason) => reasons.push(reason) });
    assert.deepEqual([out.fallbackUsed, out.streamed, out.text], [true, false, REPLY]);
    assert.match(reasons[0], /^HTTP 500 "llama runner process has terminated: exit status 2" before the stream began$/);
    assert.deepEqual(
      sim.requests.map((r) => [r.stream, r.status]),
      [
        [true, 500],
        [false, 200],
      ],
    );
    sim.reset();
    fail({ kind: 'http', status: 400, body: '{"error":"invalid options"}', times: 1 });
    await assert.rejects(service().chat(chatRequest()), (e: unknown) => e instanceof OllamaHttpError && e.status === 400);
    assert.equal(sim.requests.length, 1, 'a 4xx is not retried: the same request would fail again');
  });

  it("streams a thinking model's reasoning apart from the answer, in both modes", async () => {
    sim.configureModel({ name: 'llama3.2:latest', thinking: 'First, **a < b**. Then b > c.' });
    const thoughts: string[] = [];
    const tokens: string[] = [];
    const out = await service().chat({ ...chatRequest(), think: true }, { onThinking: (t) => thoughts.push(t), onToken: (t) => tokens.push(t) });
    assert.equal(out.thinking, 'First, **a < b**. Then b > c.');
    assert.equal(thoughts.join(''), out.thinking);
    assert.equal(out.text, REPLY);
    assert.equal(tokens.join(''), REPLY, 'the answer carries no reasoning');
    assert.equal(out.metrics.evalCount, thoughts.length + tokens.length, 'thinking tokens count in eval_count');
    const single = await service({ enableStreaming: false }).chat({ ...chatRequest(), think: true }, { onThinking: (t) => thoughts.push(t) });
    assert.deepEqual([single.thinking, single.text], ['First, **a < b**. Then b > c.', REPLY]);
    const off = await service().chat({ ...chatRequest(), think: false });
    assert.deepEqual([off.thinking, off.text], ['', REPLY]);
  });

  it('sends stream:false once when streaming is off', async () => {
    const tokens: string[] = [];
    const out = await service({ enableStreaming: false }).chat(chatRequest(), { onToken: (t) => tokens.push(t) });
    assert.deepEqual([out.text, out.streamed, out.fallbackUsed, tokens], [REPLY, false, false, [REPLY]]);
    assert.deepEqual(
      sim.requests.map((r) => r.stream),
      [false],
    );
  });

  it('bounds a non-streaming answer by the whole-response timeout, and applies setting changes live', async () => {
    sim.configureModel({ name: 'llama3.2:latest', timeToFirstTokenMs: 5000 });
    const s = service({ streamingTimeout: 150, nonStreamingMsPerToken: 0 });
    s.updateOptions({ enableStreaming: false });
    const error = await s.chat(chatRequest()).catch((e: unknown) => e);
    assert.ok(error instanceof OllamaTimeoutError);
    assert.deepEqual([error.phase, error.waitedMs], ['response', 150]);
    assert.match(error.message, /did not finish the \(non-streaming\) answer within 150 ms/);
    assert.equal(sim.requests[0].stream, false);
  });

  it('retries 503 with bounded exponential backoff, then succeeds', async () => {
    fail({ kind: 'busy', times: 2 });
    const clock = instantSleepClock();
    const out = await service({ clock }).chat(chatRequest());
    assert.equal(out.text, REPLY);
    assert.equal(out.attempts, 3);
    assert.deepEqual(clock.sleeps, [500, 1000]);
  });

  it('reports a busy server after the last retry', async () => {
    fail({ kind: 'busy' });
    const clock = instantSleepClock();
    const error = await service({ clock })
      .chat(chatRequest())
      .catch((e: unknown) => e);
    assert.ok(error instanceof OllamaBusyError);
    assert.equal(error.attempts, 4);
    assert.deepEqual(clock.sleeps, [500, 1000, 2000]);
    assert.equal(error.serverText, 'server busy, please try again.  maximum pending requests exceeded');
  });

  it("maps a missing model, a refused long prompt and an unreachable server to the user's words", async () => {
    const missing = await service()
      .chat(chatRequest('foo'))
      .catch((e: unknown) => e);
    assert.ok(missing instanceof OllamaModelNotFoundError);
    assert.equal(missing.message, "Model 'foo' is not installed. Run `ollama pull foo`.");
    sim.configureModel({ name: 'llama3.2:latest', truncation: 'error' });
    const big: ChatRequest = { model: 'llama3.2', messages: [{ role: 'user', content: 'x'.repeat(40000) }], options: { num_ctx: 4096 } };
    const context = await service()
      .chat(big)
      .catch((e: unknown) => e);
    assert.ok(context instanceof OllamaContextError);
    assert.deepEqual([context.promptTokens, context.availableTokens, context.numCtxSent], [12004, 4096, 4096]);
    assert.equal(sim.requests.length, 2, 'no fallback on 4xx');
    const port = await freePort();
    const down = await new StreamingService({ ollamaUrl: `127.0.0.1:${port}` }).chat(chatRequest()).catch((e: unknown) => e);
    assert.ok(down instanceof OllamaUnreachableError);
    assert.equal(down.message, `Ollama is not reachable at http://127.0.0.1:${port}. Is \`ollama serve\` running?`);
  });

  it('offers the tokens as an async iterator too', async () => {
    const { tokens, result } = service().stream(chatRequest());
    const seen: string[] = [];
    for await (const t of tokens) seen.push(t);
    assert.equal(seen.join(''), REPLY);
    assert.equal((await result).text, REPLY);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
