import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import { ReservationSettledError, type Ledger } from '../../../../src/core/ledger';
import { ask, deadPid, FakeClock, memoryLogger, NOON, openAt, tempLedgerPath } from './ledgerTestKit';

describe('ledger: settling reservations', () => {
  let tmp: ReturnType<typeof tempLedgerPath>;
  let clock: FakeClock;
  let ledger: Ledger;
  beforeEach(async () => {
    tmp = tempLedgerPath();
    clock = new FakeClock(NOON);
    ledger = await openAt(tmp.file, clock, { dailyTokens: 10_000 });
  });
  afterEach(async () => {
    await ledger.close();
    tmp.cleanup();
  });

  const dailyUsed = (): { used: number; reserved: number } => {
    const g = ledger.usage({ user: 'ana' }).gauges.find((x) => x.kind === 'daily')!;
    return { used: g.used, reserved: g.reserved };
  };

  it('holds the whole reserve until settled', async () => {
    const r = await ledger.reserve(ask({ promptTokens: 1200, completionTokens: 800 }));
    assert.equal(r.tokens, 2000);
    assert.deepEqual(dailyUsed(), { used: 0, reserved: 2000 });
    assert.equal(ledger.pendingReservations().length, 1);
  });

  it('commit charges the model counts and releases the difference', async () => {
    const r = await ledger.reserve(ask({ promptTokens: 1200, completionTokens: 800 }));
    clock.advance(4000);
    const rec = await r.commit({ promptTokens: 1180, completionTokens: 333, ourPromptTokens: 1200, truncatedSections: ['history'], latencyMs: 4000 });
    assert.deepEqual(dailyUsed(), { used: 1513, reserved: 0 });
    assert.equal(rec.outcome, 'ok');
    assert.deepEqual(rec.truncatedSections, ['history']);
    assert.equal(rec.latencyMs, 4000);
    assert.equal(rec.settledAt, NOON + 4000);
    assert.equal(ledger.pendingReservations().length, 0);
    assert.deepEqual(
      ledger.requestLog().map((x) => [x.outcome, x.promptTokens, x.ourPromptTokens, x.completionTokens]),
      [['ok', 1180, 1200, 333]],
    );
  });

  it('cancel charges the prompt and the tokens generated before the stop', async () => {
    const r = await ledger.reserve(ask({ promptTokens: 1200, completionTokens: 800 }));
    const rec = await r.cancel({ promptTokens: 1190, completionTokens: 42 });
    assert.equal(rec.outcome, 'cancelled');
    assert.deepEqual(dailyUsed(), { used: 1232, reserved: 0 });
  });

  it('rollback releases everything and keeps the reason', async () => {
    const r = await ledger.reserve(ask({ promptTokens: 1200, completionTokens: 800 }));
    const rec = await r.rollback('Ollama is not reachable');
    assert.equal(rec.outcome, 'failed');
    assert.equal(rec.reason, 'Ollama is not reachable');
    assert.deepEqual(dailyUsed(), { used: 0, reserved: 0 });
  });

  for (const [first, second] of [
    ['commit', 'commit'],
    ['commit', 'rollback'],
    ['rollback', 'cancel'],
    ['cancel', 'commit'],
  ] as const) {
    it(`a second settle (${first} then ${second}) throws and records nothing`, async () => {
      const r = await ledger.reserve(ask());
      const settle = (how: string): Promise<unknown> =>
        how === 'commit'
          ? r.commit({ promptTokens: 90, completionTokens: 10 })
          : how === 'cancel'
            ? r.cancel({ promptTokens: 90, completionTokens: 5 })
            : r.rollback();
      await settle(first);
      const before = dailyUsed();
      await assert.rejects(
        settle(second),
        (e: unknown) => e instanceof ReservationSettledError && e.firstSettle === first && e.secondSettle === second && e.code === 'reservation-settled',
      );
      assert.deepEqual(dailyUsed(), before);
      assert.equal(ledger.requestLog().length, 1);
    });
  }

  it('two settles started in the same tick cannot both pass', async () => {
    const r = await ledger.reserve(ask());
    const results = await Promise.allSettled([r.commit({ promptTokens: 100, completionTokens: 50 }), r.rollback()]);
    assert.deepEqual(
      results.map((x) => x.status),
      ['fulfilled', 'rejected'],
    );
    assert.equal(ledger.requestLog().length, 1);
    assert.equal(dailyUsed().used, 150);
  });

  it('an unsettled reservation expires after the TTL, and not a millisecond before', async () => {
    await ledger.close();
    ledger = await openAt(tmp.file, clock, { dailyTokens: 10_000 }, { reservationTtlMs: 60_000 });
    const r = await ledger.reserve(ask({ promptTokens: 500, completionTokens: 500 }));
    clock.advance(59_999);
    await ledger.reserve(ask({ promptTokens: 1, completionTokens: 0 })).then((x) => x.rollback());
    assert.equal(dailyUsed().reserved, 1000);
    clock.advance(1);
    await ledger.reserve(ask({ promptTokens: 1, completionTokens: 0 })).then((x) => x.rollback());
    assert.deepEqual(dailyUsed(), { used: 0, reserved: 0 });
    const expired = ledger.requestLog().find((x) => x.id === r.id)!;
    assert.equal(expired.outcome, 'failed');
    assert.match(expired.reason!, /not settled within 60 s/);
  });

  it('a commit after expiry is still counted, exactly once', async () => {
    await ledger.close();
    ledger = await openAt(tmp.file, clock, { dailyTokens: 10_000 }, { reservationTtlMs: 1000 });
    const r = await ledger.reserve(ask({ promptTokens: 500, completionTokens: 500 }));
    clock.advance(1000);
    await ledger.reserve(ask({ promptTokens: 1, completionTokens: 0 })).then((x) => x.rollback());
    assert.equal(ledger.pendingReservations().length, 0);
    await r.commit({ promptTokens: 480, completionTokens: 120 });
    assert.deepEqual(dailyUsed(), { used: 600, reserved: 0 });
    assert.deepEqual(
      ledger
        .requestLog()
        .filter((x) => x.id === r.id)
        .map((x) => x.outcome),
      ['ok'],
    );
    await assert.rejects(r.rollback(), ReservationSettledError);
  });

  it('on open, releases reservations of processes that no longer exist, and keeps live and remote ones', async () => {
    const log = memoryLogger();
    const res = (id: string, owner: { pid: number; host: string; start: string }): string =>
      JSON.stringify({
        t: 'res',
        r: {
          id,
          at: NOON,
          expiresAt: NOON + 3_600_000,
          user: 'ana',
          conversation: 'c1',
          model: 'm',
          command: 'chat',
          promptTokens: 700,
          completionTokens: 300,
          owner,
        },
      }) + '\n';
    const dead = deadPid();
    appendFileSync(tmp.file, res('dead-one', { pid: dead, host: os.hostname(), start: 'proc:1' }));
    appendFileSync(tmp.file, res('remote-one', { pid: dead, host: 'another-machine', start: 'proc:1' }));
    appendFileSync(tmp.file, res('reused-pid', { pid: process.pid, host: os.hostname(), start: 'proc:not-this-process' }));
    const other = await openAt(tmp.file, clock, { dailyTokens: 10_000 }, { logger: log });
    try {
      assert.deepEqual(
        other.pendingReservations().map((r) => r.id),
        ['remote-one'],
      );
      const released = other.requestLog().filter((r) => r.id === 'dead-one' || r.id === 'reused-pid');
      assert.equal(released.length, 2);
      for (const r of released) assert.match(r.reason!, /ended without settling/);
      assert.ok(
        log.lines.some((l) => /released 2 reservation\(s\) of processes that ended/.test(l)),
        log.lines.join('\n'),
      );
    } finally {
      await other.close();
    }
  });

  it('rejects negative and fractional token counts', async () => {
    await assert.rejects(ledger.reserve(ask({ promptTokens: -1 })), RangeError);
    await assert.rejects(ledger.reserve(ask({ completionTokens: 1.5 })), RangeError);
    const r = await ledger.reserve(ask());
    await assert.rejects(r.commit({ promptTokens: Number.NaN, completionTokens: 0 }), RangeError);
    assert.equal(r.settled, false);
  });
});
