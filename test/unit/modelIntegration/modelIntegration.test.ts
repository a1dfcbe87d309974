import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ledger } from '../../../src/core/ledger';
import { InMemoryClassCalibrationStore } from '../../../src/core/calibration';
import { OllamaHttpError } from '../../../src/core/ollama/errors';
import { ConfigurationError } from '../../../src/core/errors';
import { noticeOf, noticeText } from '../../../src/shared/notices';
import { DEFAULT_SYSTEM_PROMPT, FALLBACK_ENCODING, ModelIntegration, type ModelIntegrationOptions } from '../../../src/modelIntegration';
import { TokenCounter } from '../../../src/tokenCounter';
import { OllamaSimulator } from '../../support/ollamaSimulator';
import { instantSleepClock, recordingLogger } from '../../support/ollamaTestKit';
import { realCode } from '../../support/codeChunks';

const chunk = (i: number) => ({ text: `// file${i}.ts\n${realCode(i, 1700)}`, source: `file${i}.ts`, relevance: 100 - i });
const REPLY = 'Sure. Use `a < b && b > c` here: naïve café, 東京, 🎉 done.';
type ChatBody = { messages: { role: string; content: string }[]; options: { num_ctx: number; num_predict: number } };

describe('ModelIntegration against the simulator', function () {
  let sim: OllamaSimulator;
  let counter: TokenCounter;
  before(() => {
    counter = new TokenCounter(undefined, undefined, undefined, undefined, { encoding: FALLBACK_ENCODING });
    counter.countTokens('warm up');
  });
  after(() => counter.dispose());
  beforeEach(async () => {
    sim = new OllamaSimulator({
      models: [
        // 4 characters per token: about what real vocabularies spend on code (the stand-in is not a real tokenizer).
        { name: 'coder:7b', contextLength: 16384, tokensPerChar: 0.25, perMessageOverhead: 5 },
        { name: 'tiny:1b', contextLength: 2048 },
      ],
    });
    await sim.start();
  });
  afterEach(() => sim.stop());
  const make = (extra: Partial<ModelIntegrationOptions> = {}) =>
    new ModelIntegration({ ollamaUrl: sim.url, model: 'coder:7b', maxTokens: 4096, tokenCounter: counter, clock: instantSleepClock(), ...extra });
  const chats = () => sim.requests.filter((r) => r.path === '/api/chat');

  it('sends the fitted prompt with num_ctx = effective window and num_predict = the answer reserve, and reports usage', async () => {
    const logger = recordingLogger();
    const tokens: string[] = [];
    const result = await make({ logger }).generateResponse('What does parseConfig do?', [chunk(1)], { onToken: (t) => tokens.push(t) });
    assert.equal(result.text, REPLY);
    assert.equal(tokens.join(''), REPLY);
    const body = chats()[0].body as ChatBody;
    assert.deepEqual(body.options, { num_ctx: 4096, num_predict: 410 });
    assert.deepEqual(
      body.messages.map((m) => m.role),
      ['system', 'user'],
    );
    assert.equal(body.messages[0].content, DEFAULT_SYSTEM_PROMPT);
    assert.equal(body.messages[1].content, `${chunk(1).text}\n\nWhat does parseConfig do?`);
    const u = result.usage;
    assert.deepEqual([u.limit, u.completionReserve, u.exact, u.calibrationSamples, u.estimated], [4096, 410, false, 0, false]);
    assert.match(u.tokenizer, /^cl100k estimate x\d\.\d\d$/, 'a model whose vocabulary cannot be read is counted with the cl100k fallback, and says so');
    assert.equal(u.total, u.perSection.system + u.perSection.user + u.perSection.context + u.perSection.history);
    assert.equal(u.promptEvalCount, chats()[0].promptEvalCount);
    assert.equal(u.evalCount, 15);
    assert.deepEqual(
      [result.truncated, result.fallbackUsed, result.cancelled, result.serverTruncationSuspected, result.notices],
      [false, false, false, false, []],
    );
    assert.equal(logger.usages.length, 1);
    const line = JSON.parse(logger.usages[0].replace(/^usage /, ''));
    assert.deepEqual(
      [line.model, line.sent, line.limit, line.promptEvalCount, line.evalCount, line.cut],
      ['coder:7b', u.total, 4096, u.promptEvalCount, 15, []],
    );
  });

  it('plans for the smaller of maxTokens and the trained context, and keeps num_ctx stable (one model load)', async () => {
    const mi = make({ model: 'tiny:1b', maxTokens: 8192 });
    for (let i = 0; i < 3; i++) await mi.generateResponse(`question ${i}`, [chunk(i)]);
    assert.deepEqual(
      chats().map((r) => r.numCtx),
      [2048, 2048, 2048],
    );
    assert.equal(sim.reloads, 1);
    const facts = await mi.getModelFacts();
    assert.deepEqual([facts.effectiveWindow, facts.sources.effectiveWindow, facts.trainedContext], [2048, "the model's trained context", 2048]);
  });

  it("cuts what does not fit itself and says so with the token engine's warning, so Ollama never has to", async () => {
    const result = await make().generateResponse(
      'Explain all of these',
      Array.from({ length: 12 }, (_, i) => chunk(i)),
    );
    assert.equal(result.truncated, true);
    assert.deepEqual(result.truncatedSections, ['context']);
    assert.ok(result.droppedChunks.length > 0);
    const cut = noticeOf(result.notices, 'truncated');
    assert.deepEqual(cut?.sections, ['context']);
    assert.equal(cut?.droppedChunks.length, result.droppedChunks.length, 'every dropped chunk is named in the notice');
    assert.equal(cut?.window, 4096);
    assert.match(noticeText(cut!), /^WARNING: Input was truncated due to token limits\. Truncated sections: code context/);
    assert.equal(chats()[0].truncated, false, 'the simulator (Ollama) did not have to cut anything');
    assert.equal(chats()[0].status, 200);
    assert.ok((chats()[0].promptEvalCount as number) <= 4096 - 410, `${chats()[0].promptEvalCount}`);
  });

  it("learns the model's token ratio from its refusal and its answers: prompts then fill the window, and Ollama never cuts", async () => {
    sim.configureModel({ name: 'coder:7b', tokensPerChar: 0.6 });
    const store = new InMemoryClassCalibrationStore();
    const mi = make({ calibrationStore: store });
    const many = Array.from({ length: 12 }, (_, i) => chunk(i));
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await mi.generateResponse(`Review round ${i}`, many));
    const statuses = chats().map((r) => r.status);
    assert.deepEqual(statuses.slice(0, 2), [400, 200], 'the first plan (priors) was too optimistic: the server refused instead of cutting, and the resend fit');
    assert.ok(noticeOf(results[0].notices, 'retried'), JSON.stringify(results[0].notices));
    assert.deepEqual(statuses.slice(2), [200, 200, 200, 200, 200], 'after learning from the refusal, never refused again');
    assert.ok(
      chats().every((r) => r.truncated !== true),
      'Ollama never cut anything',
    );
    for (const r of results) {
      assert.equal(r.serverTruncationSuspected, false);
      // Never past the window; an estimate that under-counts by more than its margin may reach into the answer's room.
      assert.ok((r.usage.promptEvalCount as number) <= 4096 - 410 + 0.05 * 4096, `fits: ${r.usage.promptEvalCount}`);
    }
    for (const r of results.slice(2))
      assert.ok((r.usage.promptEvalCount as number) >= 0.75 * (4096 - 410), `and still uses the window: ${r.usage.promptEvalCount}`);
    const last = results.at(-1)!;
    // The stand-in spends the same per character on indentation as on words, which no real vocabulary does, so a
    // per-class fit follows it only roughly here; its accuracy on real vocabularies is whatTheModelSees.test.ts's.
    assert.ok(
      Math.abs(last.usage.total - (last.usage.promptEvalCount as number)) / last.usage.total < 0.2,
      `our count within 20% of the stand-in's (${last.usage.total} vs ${last.usage.promptEvalCount})`,
    );
    assert.ok((store.get('coder:7b')?.samples ?? 0) >= 5, 'the refusal and every answer taught the fit');
    const info = await make({ calibrationStore: store }).getTokenUsageInfo('x', many);
    assert.ok((info.calibrationSamples ?? 0) >= 5, 'a new instance on the same store starts from the learned fit');
  });

  it('on a server older than 0.12.6 (which ignores truncate:false and cuts silently), suspects the cut and says so with both numbers', async () => {
    await fetch(`${sim.url}/__sim/config`, { method: 'POST', body: JSON.stringify({ version: '0.12.5' }) });
    const mi = make();
    await mi.generateResponse('first', [chunk(1)]);
    await mi.generateResponse('second', [chunk(2)]);
    sim.configureModel({ name: 'coder:7b', tokensPerChar: 3 }); // the "model" now counts far more: Ollama cuts silently
    const result = await mi.generateResponse(
      'third',
      Array.from({ length: 6 }, (_, i) => chunk(i)),
    );
    assert.equal(chats()[2].truncated, true);
    assert.equal(result.serverTruncationSuspected, true);
    const cut = noticeOf(result.notices, 'serverCut');
    assert.ok(cut, JSON.stringify(result.notices));
    assert.equal(cut.evaluatedTokens, chats()[2].promptEvalCount);
    assert.equal(cut.sentTokens, result.usage.total);
    // Servers before 0.30 cut an overlong prompt to exactly num_ctx: the model read its whole window.
    assert.equal(cut.evaluatedTokens, 4096);
    assert.match(noticeText(cut), /^Ollama evaluated 4096 prompt tokens, its whole window \(num_ctx 4096\)/);
  });

  it('on a current server the same change of tokenizer is a refusal and a smaller resend, never a silent cut', async () => {
    const mi = make();
    await mi.generateResponse('first', [chunk(1)]);
    await mi.generateResponse('second', [chunk(2)]);
    sim.configureModel({ name: 'coder:7b', tokensPerChar: 1.2 }); // four times the GPT-2 count: the learned fit is far off
    const result = await mi.generateResponse(
      'third',
      Array.from({ length: 6 }, (_, i) => chunk(i)),
    );
    const statuses = chats().map((r) => r.status);
    // Refusals cost the server a tokenization only: a fit this far off takes one or two lessons, then the resend fits.
    assert.match(statuses.join(' '), /^200 200 400 (400 )?200$/);
    const resend = chats().at(-1)!;
    assert.equal(resend.truncated, false);
    assert.ok((resend.promptEvalCount as number) <= 4096 - 410, `the resend fits: ${resend.promptEvalCount}`);
    const retried = noticeOf(result.notices, 'retried');
    assert.equal(retried?.modelTokens, chats()[2].promptTokens, "the notice carries the model's own count of the refused prompt");
    assert.equal(result.serverTruncationSuspected, false);
  });

  it("retries once with the model's own count after a 400 context error", async () => {
    sim.configureModel({ name: 'coder:7b', tokensPerChar: 0.8, truncation: 'error' });
    const result = await make().generateResponse(
      'Explain',
      Array.from({ length: 12 }, (_, i) => chunk(i)),
    );
    assert.deepEqual(
      chats().map((r) => r.status),
      [400, 200],
    );
    assert.equal(result.text, REPLY);
    const retried = noticeOf(result.notices, 'retried');
    assert.ok(retried && retried.modelTokens !== undefined && retried.modelTokens > 0, JSON.stringify(result.notices));
  });

  it('asks a thinking model to think (or not, as therapist.think says), never a model that cannot, and returns the reasoning apart', async () => {
    sim.configureModel({ name: 'coder:7b', thinking: 'Let me look at parseConfig first.' });
    const thoughts: string[] = [];
    const thinking = await make().generateResponse('What does parseConfig do?', [], { onThinking: (t) => thoughts.push(t) });
    assert.equal((chats()[0].body as { think?: unknown }).think, true, "'auto' asks a thinking model for its default, on");
    assert.equal(thinking.thinking, 'Let me look at parseConfig first.');
    assert.equal(thoughts.join(''), thinking.thinking);
    assert.equal(thinking.text, REPLY);
    assert.ok((thinking.usage.evalCount ?? 0) > 12, "the reasoning counts in the answer's tokens");
    const off = await make({ think: 'off' }).generateResponse('Again, briefly');
    assert.equal((chats()[1].body as { think?: unknown }).think, false);
    assert.equal(off.thinking, '');
    await make({ model: 'tiny:1b' }).generateResponse('hi');
    assert.equal('think' in (chats()[2].body as object), false, 'a model that cannot think is never asked (Ollama would answer 400)');
    assert.equal((chats()[2].body as { truncate?: unknown }).truncate, false, 'every request asks Ollama to refuse rather than cut');
  });

  it('falls back to non-streaming with the promised warning', async () => {
    sim.configureModel({ name: 'coder:7b', failure: { kind: 'error-line', afterChunks: 2, message: 'llama runner process has terminated', times: 1 } });
    const reasons: string[] = [];
    const result = await make().generateResponse('hi', [], { onFallback: (r) => reasons.push(r) });
    assert.equal(result.fallbackUsed, true);
    assert.equal(result.text, REPLY);
    assert.deepEqual(result.notices, [{ kind: 'fallback', reason: 'the server reported "llama runner process has terminated"' }]);
    assert.equal(reasons.length, 1);
  });

  it('reserves in the ledger before sending and settles: commit, cancel, rollback', async () => {
    const events: string[] = [];
    const ledger = {
      reserve(req: { promptTokens: number; completionTokens: number; command: string; conversation: string; model: string }) {
        events.push(`reserve ${req.model} ${req.command} ${req.conversation} ${req.promptTokens}+${req.completionTokens}`);
        return {
          completionTokens: 100,
          commit: (a: { promptTokens: number; completionTokens: number }) => events.push(`commit ${a.promptTokens}+${a.completionTokens}`),
          cancel: (c: { promptTokens: number; completionTokens: number }) => events.push(`cancel ${c.promptTokens}+${c.completionTokens}`),
          rollback: (reason?: string) => events.push(`rollback ${reason}`),
        };
      },
    };
    const mi = make({ ledger });
    const ok = await mi.generateResponse('hi', [], { command: 'explainSelection', conversationId: 'c1' });
    assert.equal((chats()[0].body as ChatBody).options.num_predict, 100, "the ledger's grant caps num_predict");
    assert.deepEqual(events.splice(0), [`reserve coder:7b explainSelection c1 ${ok.usage.total}+410`, `commit ${ok.usage.promptEvalCount}+15`]);

    sim.configureModel({ name: 'coder:7b', tokensPerSecond: 40, reply: 'word '.repeat(200) });
    const controller = new AbortController();
    let n = 0;
    const stopped = await mi.generateResponse('hi', [], {
      signal: controller.signal,
      onToken: () => {
        if (++n === 3) controller.abort();
      },
    });
    assert.equal(stopped.cancelled, true);
    assert.ok(stopped.text.startsWith('word word word'));
    assert.match(events.at(-1) ?? '', new RegExp(`^cancel ${stopped.usage.total}\\+\\d+$`));

    sim.configureModel({ name: 'coder:7b', failure: { kind: 'http', status: 500, body: '{"error":"out of memory"}' } });
    await assert.rejects(mi.generateResponse('hi'), (e: unknown) => e instanceof OllamaHttpError && e.status === 500);
    assert.equal(events.at(-1), 'rollback Ollama answered HTTP 500 to POST ' + `${sim.url}/api/chat: "out of memory".`);
  });

  it("plugs into the real token ledger: the request log gets the model's own counts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'therapist-ledger-'));
    const ledger = await Ledger.open({
      path: path.join(dir, 'ledger.jsonl'),
      limits: { dailyTokens: 0, monthlyTokens: 0, conversationTokens: 0, tokensPerMinute: 0 },
    });
    try {
      const result = await make({ ledger, user: 'dev' }).generateResponse('hi', [chunk(1)], { conversationId: 'c9', command: 'chat' });
      const [record] = ledger.requestLog();
      assert.deepEqual(
        [record.outcome, record.user, record.conversation, record.model, record.promptTokens, record.completionTokens, record.ourPromptTokens],
        ['ok', 'dev', 'c9', 'coder:7b', result.usage.promptEvalCount, 15, result.usage.total],
      );
      assert.equal(ledger.pendingReservations().length, 0);
    } finally {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resolves as cancelled without sending when stopped before the request goes out; other callers are unaffected', async () => {
    const mi = make();
    const controller = new AbortController();
    controller.abort();
    const [stopped, other] = await Promise.all([mi.generateResponse('hi', [], { signal: controller.signal }), mi.generateResponse('hi')]);
    assert.deepEqual([stopped.cancelled, stopped.text, other.cancelled, other.text], [true, '', false, REPLY]);
    assert.equal(chats().length, 1, 'only the second call reached /api/chat');
  });

  it('sends num_ctx and num_predict on every request: retries, re-plans and fallbacks included', async () => {
    const mi = make();
    sim.configureModel({ name: 'coder:7b', failure: { kind: 'busy', times: 1 } });
    await mi.generateResponse('a');
    sim.configureModel({ name: 'coder:7b', failure: { kind: 'cut', afterChunks: 2, times: 1 } });
    await mi.generateResponse('b');
    sim.configureModel({ name: 'coder:7b', tokensPerChar: 0.8, truncation: 'error' });
    await mi.generateResponse(
      'c',
      Array.from({ length: 12 }, (_, i) => chunk(i)),
    );
    assert.deepEqual(
      chats().map((r) => [r.status, r.stream]),
      [
        [503, true],
        [200, true],
        [200, true],
        [200, false],
        [400, true],
        [200, true],
      ],
    );
    assert.ok(chats().every((r) => r.numCtx === 4096 && typeof r.numPredict === 'number' && (r.numPredict as number) > 0));
  });

  it('copes with a server that omits prompt_eval_count: no calibration, no false alarm, the ledger gets our count', async () => {
    sim.configureModel({ name: 'coder:7b', omitPromptEvalCount: true });
    const store = new InMemoryClassCalibrationStore();
    const commits: number[] = [];
    const ledger = {
      reserve: () => ({ commit: (a: { promptTokens: number }) => commits.push(a.promptTokens), cancel: () => undefined, rollback: () => undefined }),
    };
    const result = await make({ calibrationStore: store, ledger }).generateResponse('hi', [chunk(1)]);
    assert.deepEqual([result.usage.promptEvalCount, result.usage.evalCount, result.serverTruncationSuspected, result.notices], [undefined, 15, false, []]);
    assert.equal(store.get('coder:7b'), undefined);
    assert.deepEqual(commits, [result.usage.total]);
  });

  it('applies settings live, rejects invalid ones with the typed error and keeps the previous ones', async () => {
    const mi = make();
    assert.throws(() => mi.updateOptions({ systemTokenBudget: 0.6, userTokenBudget: 0.6 }), ConfigurationError);
    assert.throws(
      () => mi.updateOptions({ streamingTimeout: 5 }),
      (e: unknown) => e instanceof ConfigurationError && /therapist\.streamingTimeout/.test(e.message),
    );
    assert.throws(() => mi.updateOptions({ ollamaUrl: 'ftp://x' }), ConfigurationError);
    await mi.generateResponse('hi');
    assert.equal(chats()[0].numCtx, 4096, 'the previous valid settings are still in force');
    mi.updateOptions({ model: 'tiny:1b', maxTokens: 3000 });
    await mi.generateResponse('hi');
    assert.deepEqual([chats()[1].model, chats()[1].numCtx], ['tiny:1b', 2048]);
    assert.deepEqual(
      sim.requests.filter((r) => r.path === '/api/show').map((r) => r.model),
      ['coder:7b', 'tiny:1b'],
      'facts of the new model are read',
    );
  });

  it('gives the usage without sending anything, and still answers when Ollama is down', async () => {
    const info = await make().getTokenUsageInfo('hello', [chunk(1)], {
      history: [
        { role: 'user', content: 'before' },
        { role: 'assistant', content: 'ok' },
      ],
    });
    assert.equal(chats().length, 0);
    assert.deepEqual([info.limit, info.truncated, info.model, info.windowSource], [4096, false, 'coder:7b', 'therapist.maxTokens']);
    assert.equal(info.totalTokens, info.perSection.system + info.perSection.user + info.perSection.context + info.perSection.history);
    const offlineIntegration = make();
    await sim.stop();
    const offline = await offlineIntegration.getTokenUsageInfo('hello');
    assert.match(offline.windowSource, /^therapist\.maxTokens \(model facts unavailable: Ollama is not reachable at/);
    assert.equal(offline.limit, 4096);
    sim = new OllamaSimulator();
    await sim.start();
  });
});
