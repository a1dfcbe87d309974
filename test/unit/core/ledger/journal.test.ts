import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Ledger } from '../../../../src/core/ledger';
import { ask, FakeClock, memoryLogger, NOON, openAt, tempLedgerPath } from './ledgerTestKit';

describe('ledger: journal durability, recovery and compaction', () => {
  let tmp: ReturnType<typeof tempLedgerPath>;
  let clock: FakeClock;
  const open: Ledger[] = [];
  beforeEach(() => {
    tmp = tempLedgerPath();
    clock = new FakeClock(NOON);
  });
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close();
    tmp.cleanup();
  });
  const track = async (p: Promise<Ledger>): Promise<Ledger> => {
    const l = await p;
    open.push(l);
    return l;
  };
  const commitOne = async (l: Ledger, tokens: number, conversation = 'c1'): Promise<void> => {
    await (await l.reserve(ask({ conversation, promptTokens: tokens, completionTokens: 0 }))).commit({ promptTokens: tokens, completionTokens: 0 });
  };

  it('starts every file with a header line and writes one JSON line per record', async () => {
    const l = await track(openAt(tmp.file, clock));
    await commitOne(l, 10);
    const lines = readFileSync(tmp.file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((x) => JSON.parse(x) as { t: string });
    assert.deepEqual(
      lines.map((x) => x.t),
      ['hdr', 'res', 'set'],
    );
  });

  it('a record torn in the middle is dropped on reopen, the file repaired, and appends continue', async () => {
    const l = await track(openAt(tmp.file, clock));
    await commitOne(l, 100);
    await commitOne(l, 200);
    await l.close();
    open.length = 0;
    const goodSize = statSync(tmp.file).size;
    const torn = JSON.stringify({ t: 'set', r: { id: 'x', at: NOON, user: 'ana', promptTokens: 999 } });
    appendFileSync(tmp.file, torn.slice(0, Math.floor(torn.length / 2)));
    const log = memoryLogger();
    const reopened = await track(openAt(tmp.file, clock, {}, { logger: log }));
    assert.equal(statSync(tmp.file).size, goodSize);
    assert.ok(
      log.lines.some((x) => /removed a torn last record/.test(x)),
      log.lines.join('\n'),
    );
    assert.equal(reopened.usage({ user: 'ana' }).today.totalTokens, 300);
    await commitOne(reopened, 5);
    assert.equal(reopened.requestLog().length, 3);
    for (const line of readFileSync(tmp.file, 'utf8').trimEnd().split('\n')) JSON.parse(line);
  });

  it('truncating the store inside the last record loses only that record', async () => {
    const l = await track(openAt(tmp.file, clock));
    await commitOne(l, 100);
    const r = await l.reserve(ask({ promptTokens: 50, completionTokens: 0 }));
    const beforeSettle = statSync(tmp.file).size;
    await r.commit({ promptTokens: 50, completionTokens: 0 });
    await l.close();
    open.length = 0;
    truncateSync(tmp.file, beforeSettle + 17);
    const reopened = await track(openAt(tmp.file, clock));
    // The commit record is gone: the reservation is back, and it belongs to this (live) process.
    assert.equal(reopened.usage({ user: 'ana' }).today.totalTokens, 100);
    assert.deepEqual(
      reopened.pendingReservations().map((x) => x.id),
      [r.id],
    );
    assert.equal(statSync(tmp.file).size, beforeSettle);
  });

  it('skips an unreadable line in the middle, says so, and keeps the rest', async () => {
    const l = await track(openAt(tmp.file, clock));
    await commitOne(l, 100);
    await l.close();
    open.length = 0;
    appendFileSync(tmp.file, 'this is not json\n');
    const l2 = await track(openAt(tmp.file, clock));
    await commitOne(l2, 20);
    await l2.close();
    open.length = 0;
    const log = memoryLogger();
    const l3 = await track(openAt(tmp.file, clock, {}, { logger: log }));
    assert.equal(l3.usage({ user: 'ana' }).today.totalTokens, 120);
    assert.ok(log.lines.some((x) => /skipped an unreadable record/.test(x)));
  });

  it('two ledgers on one file (as two windows) see each other and share the quota', async () => {
    const a = await track(openAt(tmp.file, clock, { dailyTokens: 1000 }));
    const b = await track(openAt(tmp.file, clock, { dailyTokens: 1000 }));
    const held = await a.reserve(ask({ promptTokens: 700, completionTokens: 0 }));
    await assert.rejects(b.reserve(ask({ promptTokens: 301, completionTokens: 0 })), /only 300 are left/);
    await held.commit({ promptTokens: 600, completionTokens: 0 });
    await b.reserve(ask({ promptTokens: 400, completionTokens: 0 }));
    assert.equal(a.usage({ user: 'ana' }).gauges[0].used + a.usage({ user: 'ana' }).gauges[0].reserved, 1000);
  });

  it('compacts when the file grows: old requests fold into rollups, totals and open reservations survive', async () => {
    const a = await track(openAt(tmp.file, clock, {}, { compactAtBytes: 8 * 1024, retainDays: 2 }));
    const b = await track(openAt(tmp.file, clock));
    for (let i = 0; i < 20; i++) await commitOne(a, 10, i % 2 ? 'c1' : 'c2');
    clock.advance(3 * 86_400_000);
    const pending = await b.reserve(ask({ promptTokens: 7, completionTokens: 0 }));
    let compactedAt = -1;
    for (let i = 0; i < 40 && compactedAt < 0; i++) {
      const before = statSync(tmp.file).size;
      await commitOne(a, 1, 'c3');
      if (statSync(tmp.file).size < before) compactedAt = i;
    }
    assert.ok(compactedAt >= 0, 'the journal was never compacted');
    const lines = readFileSync(tmp.file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((x) => JSON.parse(x) as { t: string });
    assert.equal(lines[0].t, 'hdr');
    assert.ok(lines.some((x) => x.t === 'roll'));
    assert.ok(lines.some((x) => x.t === 'res'));
    assert.equal(readdirSync(tmp.dir).filter((n) => n.includes('.compact-')).length, 0);
    // The other window notices the new file, rebuilds, and keeps settling its reservation.
    await pending.commit({ promptTokens: 7, completionTokens: 0 });
    for (const l of [a, b]) {
      const report = l.analytics();
      assert.equal(report.totals.totalTokens, 200 + (compactedAt + 1) + 7);
      assert.equal(report.perConversation.find((c) => c.conversation === 'c2')!.totalTokens, 100);
      assert.equal(l.usage({ user: 'ana', conversation: 'c1' }).conversationTotal!.totalTokens, 107);
    }
  });

  it('creates the folder of a new ledger (first run: global storage may not exist yet)', async () => {
    const nested = path.join(tmp.dir, 'globalStorage', 'therapist', 'token-ledger.jsonl');
    const l = await track(openAt(nested, clock));
    await commitOne(l, 3);
    assert.equal(readFileSync(nested, 'utf8').split('\n').length, 4);
  });

  it('removes a compaction file left by a crash', async () => {
    writeFileSync(`${tmp.file}.compact-12345`, '{"t":"hdr"');
    await track(openAt(tmp.file, clock));
    assert.deepEqual(
      readdirSync(tmp.dir).filter((n) => n !== path.basename(tmp.file)),
      [],
    );
  });
});
