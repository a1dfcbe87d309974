import assert from 'node:assert/strict';
import { ConfigurationError } from '../../../../src/core/errors';
import { QuotaExceededError, type Ledger } from '../../../../src/core/ledger';
import { ask, FakeClock, NOON, openAt, tempLedgerPath } from './ledgerTestKit';

describe('ledger: quotas', () => {
  let tmp: ReturnType<typeof tempLedgerPath>;
  let clock: FakeClock;
  let ledger: Ledger | undefined;
  beforeEach(() => {
    tmp = tempLedgerPath();
    clock = new FakeClock(NOON);
  });
  afterEach(async () => {
    await ledger?.close();
    tmp.cleanup();
  });

  const refusal = (ledgerUnderTest: Ledger, p: number, c: number, conversation = 'c1'): Promise<QuotaExceededError> =>
    ledgerUnderTest.reserve(ask({ promptTokens: p, completionTokens: c, conversation })).then(
      () => assert.fail('expected a QuotaExceededError'),
      (e: unknown) => {
        assert.ok(e instanceof QuotaExceededError, String(e));
        return e;
      },
    );

  it('admits a request that uses exactly the rest of the daily quota and refuses one token more', async () => {
    ledger = await openAt(tmp.file, clock, { dailyTokens: 1000 });
    await (await ledger.reserve(ask({ promptTokens: 300, completionTokens: 100 }))).commit({ promptTokens: 300, completionTokens: 100 });
    const err = await refusal(ledger, 500, 101);
    assert.equal(err.quota, 'daily');
    assert.equal(err.asked, 601);
    assert.equal(err.available, 600);
    assert.equal(err.used, 400);
    assert.equal(err.limit, 1000);
    assert.equal(err.setting, 'therapist.quota.dailyTokens');
    assert.deepEqual(err.actions, ['reduceContext', 'openSettings', 'wait']);
    assert.ok(err.suggestions.some((s) => s.includes('600 tokens')));
    const r = await ledger.reserve(ask({ promptTokens: 500, completionTokens: 100 }));
    assert.equal(r.tokens, 600);
  });

  it('counts what running requests hold, and frees the unused part at commit', async () => {
    ledger = await openAt(tmp.file, clock, { dailyTokens: 1000 });
    const big = await ledger.reserve(ask({ promptTokens: 400, completionTokens: 400 }));
    const err = await refusal(ledger, 150, 100);
    assert.equal(err.reserved, 800);
    assert.equal(err.available, 200);
    await big.commit({ promptTokens: 400, completionTokens: 150 });
    await ledger.reserve(ask({ promptTokens: 350, completionTokens: 100 }));
  });

  it('records each refusal in the request log with what was asked and why', async () => {
    ledger = await openAt(tmp.file, clock, { dailyTokens: 100 });
    await refusal(ledger, 100, 1);
    const [rec] = ledger.requestLog();
    assert.equal(rec.outcome, 'refused');
    assert.equal(rec.reservedPromptTokens, 100);
    assert.equal(rec.reservedCompletionTokens, 1);
    assert.equal(rec.promptTokens + rec.completionTokens, 0);
    assert.match(rec.reason!, /needs 101 tokens but only 100 are left of your daily quota/);
  });

  it('resets the daily quota at local midnight in the clock zone (UTC+2 here)', async () => {
    clock = new FakeClock(Date.UTC(2026, 2, 10, 21, 59, 0), 120); // 23:59 local
    ledger = await openAt(tmp.file, clock, { dailyTokens: 1000 });
    await (await ledger.reserve(ask({ promptTokens: 900, completionTokens: 100 }))).commit({ promptTokens: 900, completionTokens: 100 });
    const err = await refusal(ledger, 1, 0);
    assert.equal(err.resetAt, Date.UTC(2026, 2, 10, 22, 0, 0));
    clock.t = Date.UTC(2026, 2, 10, 21, 59, 59, 999);
    await refusal(ledger, 1, 0);
    clock.t = Date.UTC(2026, 2, 10, 22, 0, 0);
    await ledger.reserve(ask({ promptTokens: 1000, completionTokens: 0 }));
    const usage = ledger.usage({ user: 'ana' });
    assert.equal(usage.today.totalTokens, 0);
    assert.equal(usage.month.totalTokens, 1000);
    assert.equal(usage.gauges.find((g) => g.kind === 'daily')!.resetsAt, Date.UTC(2026, 2, 11, 22, 0, 0));
  });

  it('resets the monthly quota on the first of the month, local time (UTC-5 here)', async () => {
    clock = new FakeClock(Date.UTC(2026, 1, 1, 4, 59, 0), -300); // Jan 31, 23:59 local
    ledger = await openAt(tmp.file, clock, { monthlyTokens: 5000 });
    await (await ledger.reserve(ask({ promptTokens: 5000, completionTokens: 0 }))).commit({ promptTokens: 5000, completionTokens: 0 });
    const err = await refusal(ledger, 1, 0);
    assert.equal(err.quota, 'monthly');
    assert.equal(err.resetAt, Date.UTC(2026, 1, 1, 5, 0, 0));
    assert.equal(err.setting, 'therapist.quota.monthlyTokens');
    clock.t = Date.UTC(2026, 1, 1, 5, 0, 0);
    const r = await ledger.reserve(ask({ promptTokens: 5000, completionTokens: 0 }));
    assert.equal(r.tokens, 5000);
    assert.equal(ledger.usage({ user: 'ana' }).gauges.find((g) => g.kind === 'monthly')!.resetsAt, Date.UTC(2026, 2, 1, 5, 0, 0));
  });

  it('handles the month after December and a leap February', async () => {
    clock = new FakeClock(Date.UTC(2027, 11, 31, 12), 0);
    ledger = await openAt(tmp.file, clock, { monthlyTokens: 10 });
    assert.equal(ledger.usage({ user: 'ana' }).gauges.find((g) => g.kind === 'monthly')!.resetsAt, Date.UTC(2028, 0, 1));
    clock.t = Date.UTC(2028, 1, 28, 12);
    assert.equal(ledger.usage({ user: 'ana' }).gauges.find((g) => g.kind === 'daily')!.resetsAt, Date.UTC(2028, 1, 29));
    assert.equal(ledger.usage({ user: 'ana' }).gauges.find((g) => g.kind === 'monthly')!.resetsAt, Date.UTC(2028, 2, 1));
  });

  it('caps a conversation for good, suggests a new one, and leaves other conversations alone', async () => {
    ledger = await openAt(tmp.file, clock, { conversationTokens: 2000 });
    await (await ledger.reserve(ask({ promptTokens: 1500, completionTokens: 500 }))).commit({ promptTokens: 1500, completionTokens: 500 });
    clock.advance(40 * 86_400_000);
    const err = await refusal(ledger, 1, 0);
    assert.equal(err.quota, 'conversation');
    assert.equal(err.resetAt, undefined);
    assert.equal(err.actions[0], 'newConversation');
    assert.match(err.suggestions[0], /Start a new conversation/);
    await ledger.reserve(ask({ conversation: 'c2', promptTokens: 2000, completionTokens: 0 }));
  });

  it('reports the tightest quota when several would be passed', async () => {
    ledger = await openAt(tmp.file, clock, { dailyTokens: 1000, monthlyTokens: 1200, conversationTokens: 900 });
    await (await ledger.reserve(ask({ promptTokens: 800, completionTokens: 0 }))).commit({ promptTokens: 800, completionTokens: 0 });
    const err = await refusal(ledger, 300, 0);
    assert.equal(err.quota, 'conversation');
    assert.equal(err.available, 100);
    const err2 = await refusal(ledger, 300, 0, 'c2');
    assert.equal(err2.quota, 'daily');
    assert.equal(err2.available, 200);
  });

  it('quotas are per user; 0 means unlimited; setLimits applies to the next request', async () => {
    ledger = await openAt(tmp.file, clock, { dailyTokens: 100 });
    await ledger.reserve(ask({ promptTokens: 100, completionTokens: 0 }));
    await ledger.reserve(ask({ user: 'bo', promptTokens: 100, completionTokens: 0 }));
    await refusal(ledger, 1, 0);
    ledger.setLimits({ dailyTokens: 0, monthlyTokens: 0, conversationTokens: 0, tokensPerMinute: 0 });
    await ledger.reserve(ask({ promptTokens: 1_000_000, completionTokens: 0 }));
    assert.throws(
      () => ledger!.setLimits({ dailyTokens: -1, monthlyTokens: 0, conversationTokens: 0, tokensPerMinute: 0 }),
      (e: unknown) => e instanceof ConfigurationError && e.setting === 'therapist.quota.dailyTokens',
    );
  });

  it('the error message gives the numbers and the reset time in words', async () => {
    ledger = await openAt(tmp.file, clock, { dailyTokens: 100_000 });
    await (await ledger.reserve(ask({ promptTokens: 99_000, completionTokens: 0 }))).commit({ promptTokens: 99_000, completionTokens: 0 });
    const err = await refusal(ledger, 3200, 0);
    assert.equal(
      err.message,
      'This request needs 3,200 tokens but only 1,000 are left of your daily quota of 100,000 tokens (99,000 used, 0 held by running requests). Nothing was sent. It resets 2026-03-11T00:00:00.000Z (in 12 h).',
    );
    assert.equal(err.code, 'quota-exceeded');
  });
});
