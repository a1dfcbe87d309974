import assert from 'node:assert/strict';
import { RateLimitedError, type Ledger } from '../../../../src/core/ledger';
import { ask, FakeClock, NOON, openAt, tempLedgerPath } from './ledgerTestKit';

describe('ledger: sliding-window token rate limit', () => {
  let tmp: ReturnType<typeof tempLedgerPath>;
  let clock: FakeClock;
  let ledger: Ledger;
  beforeEach(async () => {
    tmp = tempLedgerPath();
    clock = new FakeClock(NOON);
    ledger = await openAt(tmp.file, clock, { tokensPerMinute: 1000 });
  });
  afterEach(async () => {
    await ledger.close();
    tmp.cleanup();
  });

  const spend = async (tokens: number): Promise<void> => {
    await (await ledger.reserve(ask({ promptTokens: tokens, completionTokens: 0 }))).commit({ promptTokens: tokens, completionTokens: 0 });
  };
  const rateError = (p: Promise<unknown>): Promise<RateLimitedError> =>
    p.then(
      () => assert.fail('expected a RateLimitedError'),
      (e: unknown) => {
        assert.ok(e instanceof RateLimitedError, String(e));
        return e;
      },
    );

  it('admits up to the limit inside one minute and says when the next request fits', async () => {
    await spend(400);
    clock.advance(10_000);
    await spend(600);
    clock.advance(5_000);
    const err = await rateError(ledger.reserve(ask({ promptTokens: 300, completionTokens: 0 })));
    assert.equal(err.available, 0);
    assert.equal(err.limit, 1000);
    // The first 400 leave the window 60 s after they were admitted: 45 s from now.
    assert.equal(err.retryAfterMs, 45_000);
    assert.equal(err.retryAt, NOON + 60_000);
    assert.deepEqual(err.actions, ['wait', 'retry', 'reduceContext', 'openSettings']);
    assert.equal(err.suggestions[0], 'Wait 45 s and retry.');
  });

  it('needs exactly as much of the window to slide out as the request is over', async () => {
    await spend(400);
    clock.advance(10_000);
    await spend(600);
    clock.advance(5_000);
    // 700 asked, 0 free: both earlier admissions must leave, the second one at NOON + 70 s.
    const err = await rateError(ledger.reserve(ask({ promptTokens: 700, completionTokens: 0 })));
    assert.equal(err.retryAfterMs, 55_000);
  });

  it('an admission stops counting exactly 60 s later', async () => {
    await spend(1000);
    clock.advance(59_999);
    await rateError(ledger.reserve(ask({ promptTokens: 1, completionTokens: 0 })));
    clock.advance(1);
    await spend(1000);
  });

  it('counts a running request by its reserve and a settled one by its charge', async () => {
    const running = await ledger.reserve(ask({ promptTokens: 500, completionTokens: 400 }));
    const err = await rateError(ledger.reserve(ask({ promptTokens: 101, completionTokens: 0 })));
    assert.equal(err.available, 100);
    await running.commit({ promptTokens: 500, completionTokens: 100 });
    await spend(400);
    const full = await rateError(ledger.reserve(ask({ promptTokens: 1, completionTokens: 0 })));
    assert.equal(full.available, 0);
  });

  it('waits when allowed, counting down each second, then admits', async () => {
    await spend(1000);
    clock.advance(57_500);
    const shown: number[] = [];
    const r = await ledger.reserve(ask({ promptTokens: 500, completionTokens: 0, maxWaitMs: 5000, onWait: (s) => shown.push(s) }));
    assert.deepEqual(shown, [3, 2, 1]);
    assert.deepEqual(clock.sleeps, [1000, 1000, 500]);
    assert.equal(r.at, NOON + 60_000);
  });

  it('refuses at once when the wait needed is longer than allowed', async () => {
    await spend(1000);
    clock.advance(10_000);
    const err = await rateError(ledger.reserve(ask({ promptTokens: 1, completionTokens: 0, maxWaitMs: 49_999 })));
    assert.equal(err.retryAfterMs, 50_000);
    assert.deepEqual(clock.sleeps, []);
    assert.equal(ledger.requestLog().at(-1)!.outcome, 'refused');
  });

  it('a request larger than the whole limit can never fit: no retry time, advice to shrink it', async () => {
    const err = await rateError(ledger.reserve(ask({ promptTokens: 900, completionTokens: 101, maxWaitMs: 600_000 })));
    assert.equal(err.retryAfterMs, undefined);
    assert.equal(err.retryAt, undefined);
    assert.deepEqual(err.actions, ['reduceContext', 'openSettings']);
    assert.match(err.message, /more than the whole rate limit of 1,000 tokens per minute/);
  });

  it('stopping the wait logs the request as cancelled and rethrows the abort reason', async () => {
    await spend(1000);
    const stop = new AbortController();
    const reason = new Error('user pressed Stop');
    const p = ledger.reserve(
      ask({ promptTokens: 10, completionTokens: 0, maxWaitMs: 60_000, signal: stop.signal, onWait: (s) => s < 59 && stop.abort(reason) }),
    );
    await assert.rejects(p, (e) => e === reason);
    const last = ledger.requestLog().at(-1)!;
    assert.equal(last.outcome, 'cancelled');
    assert.match(last.reason!, /waiting for the token rate limit/);
    assert.equal(ledger.pendingReservations().length, 0);
  });

  it('the rate gauge shows the tokens in the window and when the oldest leaves it', async () => {
    await spend(250);
    clock.advance(20_000);
    const g = ledger.usage({ user: 'ana' }).gauges.find((x) => x.kind === 'rate')!;
    assert.deepEqual([g.used, g.limit, g.fraction, g.resetsAt], [250, 1000, 0.25, NOON + 60_000]);
  });
});
