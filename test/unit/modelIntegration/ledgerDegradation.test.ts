import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QuotaExceededError } from '../../../src/core/ledger';
import type { LedgerHook } from '../../../src/core/ledger/hook';
import type { PlanAdvice } from '../../../src/core/ledger/types';
import { noticeOf, type DegradedNotice } from '../../../src/shared/notices';
import { LedgerService } from '../../../src/core/ledger/ledgerService';
import { ModelIntegration, type ModelIntegrationOptions } from '../../../src/modelIntegration';
import { TokenCounter } from '../../../src/tokenCounter';
import { OllamaSimulator } from '../../support/ollamaSimulator';
import { instantSleepClock } from '../../support/ollamaTestKit';
import { realCode } from '../../support/codeChunks';

// Graceful degradation: near a quota the request shrinks (less context, smaller answer reserve) and says
// so; at the limit it is refused before anything is sent. num_ctx never changes.
const chunk = (i: number) => ({ text: `// file${i}.ts\n${realCode(i, 1500)}`, source: `file${i}.ts`, relevance: 100 - i });
type ChatBody = { options: { num_ctx: number; num_predict: number } };

describe('ModelIntegration with a ledger near its limits', () => {
  let sim: OllamaSimulator;
  let counter: TokenCounter;
  before(() => {
    counter = new TokenCounter();
    counter.countTokens('warm up');
  });
  after(() => counter.dispose());
  beforeEach(async () => {
    sim = new OllamaSimulator({ models: [{ name: 'coder:7b', contextLength: 16384 }] });
    await sim.start();
  });
  afterEach(() => sim.stop());
  const make = (ledger: LedgerHook, extra: Partial<ModelIntegrationOptions> = {}) =>
    new ModelIntegration({ ollamaUrl: sim.url, model: 'coder:7b', maxTokens: 4096, tokenCounter: counter, clock: instantSleepClock(), ledger, ...extra });
  const chats = () => sim.requests.filter((r) => r.path === '/api/chat');
  const settleFree = { commit: () => undefined, cancel: () => undefined, rollback: () => undefined };

  it('shrinks context and the answer reserve when the ledger says degrade, keeps num_ctx, and says why', async () => {
    const asked: number[] = [];
    const notice: DegradedNotice = {
      kind: 'degraded',
      limit: 'daily quota',
      percentFull: 85,
      percentAfter: 81,
      wouldPass: false,
      completionFrom: 410,
      completionTo: 200,
      contextDropped: 1500,
    };
    const advice: PlanAdvice = { level: 'degrade', shrinkCompletionTo: 200, shrinkContextBy: 1500, notice, message: 'shown from the notice' };
    const ledger: LedgerHook = {
      plan: (r) => {
        asked.push(r.promptTokens);
        return advice;
      },
      reserve: (r) => {
        asked.push(r.promptTokens);
        return settleFree;
      },
    };
    const full = await make({ reserve: () => settleFree }).generateResponse('What do these do?', [1, 2, 3, 4, 5, 6].map(chunk));
    const result = await make(ledger).generateResponse('What do these do?', [1, 2, 3, 4, 5, 6].map(chunk));
    const [first, second] = chats();
    assert.equal((second.body as ChatBody).options.num_ctx, (first.body as ChatBody).options.num_ctx, 'num_ctx is stable');
    assert.equal((second.body as ChatBody).options.num_predict, 200, 'the smaller answer reserve is what we ask for');
    assert.ok(asked[1] < asked[0], `the reserved prompt shrank (${asked[0]} -> ${asked[1]})`);
    assert.ok(result.usage.perSection.context < full.usage.perSection.context, 'context shrank');
    assert.ok(result.droppedChunks.length > full.droppedChunks.length, 'more low-relevance chunks were dropped');
    assert.deepEqual(noticeOf(result.notices, 'degraded'), notice, "the ledger's reason reaches the panel as it was given");
    assert.ok(result.usage.total + result.usage.completionReserve <= 4096);
  });

  it('refuses before sending anything when the ledger says refuse', async () => {
    const now = Date.now();
    const error = new QuotaExceededError({
      quota: 'daily',
      user: 'dev',
      conversation: 'c1',
      asked: 900,
      available: 0,
      limit: 1000,
      used: 1000,
      reserved: 0,
      resetAt: now + 3600e3,
      now,
    });
    let reserved = false;
    const ledger: LedgerHook = {
      plan: () => ({ level: 'refuse', message: error.message, error }),
      reserve: () => {
        reserved = true;
        return settleFree;
      },
    };
    await assert.rejects(make(ledger).generateResponse('hello', []), (e: unknown) => e === error);
    assert.equal(reserved, false);
    assert.equal(chats().length, 0, 'nothing reached Ollama');
  });

  it('with the real ledger: past 80% of the daily quota the request shrinks; at the quota it is refused and logged once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'therapist-degrade-'));
    const service = new LedgerService({
      path: path.join(dir, 'ledger.jsonl'),
      limits: { dailyTokens: 6000, monthlyTokens: 0, conversationTokens: 0, tokensPerMinute: 0 },
      logger: { info() {}, warn() {}, error() {} },
    });
    try {
      const mi = make(service, { user: 'dev' });
      const context = [1, 2, 3, 4, 5, 6].map(chunk);
      const ok = await mi.generateResponse('Explain', context, { conversationId: 'c1' });
      assert.equal(noticeOf(ok.notices, 'degraded'), undefined, 'well within the quota: nothing shrinks');
      // Use up most of the day so the next full request would pass 80%.
      const ledger = await service.ledger();
      const filler = await ledger.reserve({
        user: 'dev',
        conversation: 'c0',
        model: 'coder:7b',
        command: 'chat',
        promptTokens: 6000 - ledger.usage({ user: 'dev' }).today.totalTokens - 3000,
        completionTokens: 0,
      });
      await filler.commit({ promptTokens: 6000 - ledger.usage({ user: 'dev' }).today.totalTokens - 3000, completionTokens: 0 });
      const shrunk = await mi.generateResponse('Explain', context, { conversationId: 'c1' });
      assert.equal(noticeOf(shrunk.notices, 'degraded')?.limit, 'daily quota', JSON.stringify(shrunk.notices));
      assert.ok(shrunk.usage.total < ok.usage.total, `smaller prompt (${ok.usage.total} -> ${shrunk.usage.total})`);
      // Now use up the rest: the next request is refused before sending.
      const rest = 6000 - ledger.usage({ user: 'dev' }).today.totalTokens;
      if (rest > 0)
        await (
          await ledger.reserve({ user: 'dev', conversation: 'c0', model: 'coder:7b', command: 'chat', promptTokens: rest, completionTokens: 0 })
        ).commit({ promptTokens: rest, completionTokens: 0 });
      const before = chats().length;
      await assert.rejects(
        mi.generateResponse('Explain', context, { conversationId: 'c1' }),
        (e: unknown) => e instanceof QuotaExceededError && /therapist\.quota\.dailyTokens/.test(`${e.message} ${e.advice}`),
      );
      assert.equal(chats().length, before, 'nothing sent');
      const refusals = ledger.requestLog().filter((r) => r.outcome === 'refused');
      assert.equal(refusals.length, 1, 'the refusal is logged exactly once');
    } finally {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
