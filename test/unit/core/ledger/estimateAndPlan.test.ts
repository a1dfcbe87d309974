import assert from 'node:assert/strict';
import { DEFAULT_COMPLETION_ESTIMATE, MIN_COMPLETION, p90, QuotaExceededError, type Ledger } from '../../../../src/core/ledger';
import { ask, FakeClock, NOON, openAt, tempLedgerPath } from './ledgerTestKit';

describe('ledger: p90 completion estimate', () => {
  let tmp: ReturnType<typeof tempLedgerPath>;
  let ledger: Ledger;
  beforeEach(async () => {
    tmp = tempLedgerPath();
    ledger = await openAt(tmp.file, new FakeClock(NOON));
  });
  afterEach(async () => {
    await ledger.close();
    tmp.cleanup();
  });

  const answer = async (completion: number, over: { model?: string; command?: string; outcome?: 'ok' | 'cancelled' } = {}): Promise<void> => {
    const r = await ledger.reserve(ask({ model: over.model ?? 'coder:7b', command: over.command ?? 'chat' }));
    if (over.outcome === 'cancelled') await r.cancel({ promptTokens: 100, completionTokens: completion });
    else await r.commit({ promptTokens: 100, completionTokens: completion });
  };

  it('p90 is the nearest-rank 90th percentile', () => {
    assert.equal(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 9);
    assert.equal(p90([10, 1, 9, 2, 8, 3, 7, 4, 6, 5, 11]), 10);
    assert.equal(p90([42]), 42);
    assert.throws(() => p90([]), RangeError);
  });

  it('before five answers, reserves the default, bounded by num_predict', async () => {
    for (const c of [10, 20, 30, 40]) await answer(c);
    assert.equal(ledger.estimateCompletion('coder:7b', 'chat', 4096), DEFAULT_COMPLETION_ESTIMATE);
    assert.equal(ledger.estimateCompletion('coder:7b', 'chat', 300), 300);
  });

  it('from five answers on, reserves their p90, bounded by num_predict; num_predict <= 0 means no bound', async () => {
    for (const c of [100, 200, 300, 400, 900]) await answer(c);
    assert.equal(ledger.estimateCompletion('coder:7b', 'chat', 4096), 900);
    assert.equal(ledger.estimateCompletion('coder:7b', 'chat', 500), 500);
    assert.equal(ledger.estimateCompletion('coder:7b', 'chat', -1), 900);
  });

  it('uses the model-wide p90 for a command without enough answers, and only successful answers count', async () => {
    for (const c of [100, 110, 120]) await answer(c, { command: 'explainSelection' });
    for (const c of [50, 60]) await answer(c, { command: 'chat' });
    for (const c of [5000, 6000, 7000]) await answer(c, { command: 'explainSelection', outcome: 'cancelled' });
    assert.equal(ledger.estimateCompletion('coder:7b', 'explainSelection', 4096), 120);
    assert.equal(ledger.estimateCompletion('other:1b', 'chat', 4096), DEFAULT_COMPLETION_ESTIMATE);
  });
});

describe('ledger: degradation plan', () => {
  let tmp: ReturnType<typeof tempLedgerPath>;
  let ledger: Ledger;
  beforeEach(() => {
    tmp = tempLedgerPath();
  });
  afterEach(async () => {
    await ledger.close();
    tmp.cleanup();
  });

  const used = async (tokens: number): Promise<void> => {
    await (await ledger.reserve(ask({ promptTokens: tokens, completionTokens: 0 }))).commit({ promptTokens: tokens, completionTokens: 0 });
  };
  const plan = (promptTokens: number, completionTokens: number): ReturnType<Ledger['plan']> =>
    ledger.plan({ user: 'ana', conversation: 'c1', promptTokens, completionTokens });

  it('is ok with no limits, and while the request stays within 80% of every limit', async () => {
    ledger = await openAt(tmp.file, new FakeClock(NOON));
    assert.equal(plan(50_000, 4000).level, 'ok');
    ledger.setLimits({ dailyTokens: 10_000, monthlyTokens: 0, conversationTokens: 0, tokensPerMinute: 0 });
    await used(6000);
    assert.equal(plan(1500, 500).level, 'ok'); // exactly 80%
  });

  it('past 80%: halves the answer reserve and drops a quarter of the prompt as low-relevance context', async () => {
    ledger = await openAt(tmp.file, new FakeClock(NOON), { dailyTokens: 10_000 });
    await used(6000);
    const advice = plan(1500, 501);
    assert.equal(advice.level, 'degrade');
    assert.equal(advice.shrinkCompletionTo, 256);
    assert.equal(advice.shrinkContextBy, 375);
    assert.equal(
      advice.message,
      'Near your daily quota: the full request would bring it to 80%, the shrunk one to 74%: answer reserve cut from 501 to 256 tokens and 375 tokens of the least relevant context dropped.',
    );
  });

  it('never shrinks the answer below MIN_COMPLETION, and cuts more context when the request would pass the limit', async () => {
    ledger = await openAt(tmp.file, new FakeClock(NOON), { dailyTokens: 10_000 });
    await used(8000);
    const advice = plan(2400, 1000);
    assert.equal(advice.level, 'degrade');
    assert.equal(advice.shrinkCompletionTo, MIN_COMPLETION);
    assert.equal(2400 - advice.shrinkContextBy! + advice.shrinkCompletionTo!, 2000);
    assert.match(advice.message, /would pass your daily quota \(114%\)/);
    const r = await ledger.reserve(ask({ promptTokens: 2400 - advice.shrinkContextBy!, completionTokens: advice.shrinkCompletionTo! }));
    assert.equal(r.tokens, 2000);
  });

  it('refuses with the quota error when nothing is left, or when even an empty context would not fit', async () => {
    ledger = await openAt(tmp.file, new FakeClock(NOON), { conversationTokens: 1000 });
    await used(1000);
    const none = plan(10, 10);
    assert.equal(none.level, 'refuse');
    assert.ok(none.error instanceof QuotaExceededError);
    assert.equal(none.error.quota, 'conversation');
    assert.equal(none.message, none.error.message);
    ledger.setLimits({ dailyTokens: 0, monthlyTokens: 0, conversationTokens: 1200, tokensPerMinute: 0 });
    assert.equal(plan(100, 1000).level, 'refuse');
  });

  it('a request larger than the per-minute rate limit is shrunk to fit it', async () => {
    ledger = await openAt(tmp.file, new FakeClock(NOON), { tokensPerMinute: 2000 });
    const advice = plan(2000, 1000);
    assert.equal(advice.level, 'degrade');
    assert.equal(2000 - advice.shrinkContextBy! + advice.shrinkCompletionTo!, 2000);
    assert.match(advice.message, /token rate limit/);
  });
});
