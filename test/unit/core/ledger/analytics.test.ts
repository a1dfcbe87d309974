import assert from 'node:assert/strict';
import type { Ledger } from '../../../../src/core/ledger';
import { ask, FakeClock, NOON, openAt, tempLedgerPath } from './ledgerTestKit';

describe('ledger: analytics and export', () => {
  let tmp: ReturnType<typeof tempLedgerPath>;
  let clock: FakeClock;
  let ledger: Ledger;
  beforeEach(async () => {
    tmp = tempLedgerPath();
    clock = new FakeClock(NOON);
    ledger = await openAt(tmp.file, clock, { dailyTokens: 100_000, conversationTokens: 5000 });
    const run = async (over: Parameters<typeof ask>[0], prompt: number, completion: number): Promise<void> => {
      await (
        await ledger.reserve(ask({ ...over, promptTokens: prompt, completionTokens: completion }))
      ).commit({ promptTokens: prompt, completionTokens: completion, truncatedSections: prompt > 2000 ? ['history', 'context'] : [], latencyMs: 1200 });
    };
    await run({ conversation: 'c1', model: 'coder:7b' }, 1000, 200);
    await run({ conversation: 'c2', model: 'llama3:8b' }, 3000, 500);
    clock.advance(86_400_000);
    await run({ conversation: 'c1', model: 'coder:7b', command: 'summarize' }, 500, 100);
    await (await ledger.reserve(ask({ conversation: 'c2' }))).rollback('Ollama is not reachable');
    await ledger.recordRefusal({
      user: 'bo',
      conversation: 'c3',
      model: 'coder:7b',
      command: 'explainSelection',
      promptTokens: 9000,
      completionTokens: 1000,
      reason: 'the selection does not fit the window',
    });
  });
  afterEach(async () => {
    await ledger.close();
    tmp.cleanup();
  });

  it('sums per day (prompt vs completion), per conversation, per model and per command', () => {
    const a = ledger.analytics();
    assert.deepEqual(
      a.perDay.map((d) => [d.day, d.promptTokens, d.completionTokens, d.requests]),
      [
        ['2026-03-10', 4000, 700, 2],
        ['2026-03-11', 500, 100, 3],
      ],
    );
    assert.deepEqual(
      a.perConversation.map((c) => [c.conversation, c.totalTokens, c.requests]),
      [
        ['c2', 3500, 2],
        ['c1', 1800, 2],
        ['c3', 0, 1],
      ],
    );
    assert.deepEqual(
      a.perModel.map((m) => [m.model, m.totalTokens]),
      [
        ['llama3:8b', 3500],
        ['coder:7b', 1800],
      ],
    );
    // Per command: the summaries of long conversations are recorded (and counted against quotas) under `summarize`.
    assert.deepEqual(
      a.perCommand.map((c) => [c.command, c.totalTokens, c.requests]),
      [
        ['chat', 4700, 3],
        ['summarize', 600, 1],
        ['explainSelection', 0, 1],
      ],
    );
    assert.deepEqual(a.outcomes, { ok: 3, cancelled: 0, failed: 1, refused: 1 });
    assert.equal(a.totals.totalTokens, 5300);
    assert.deepEqual(
      a.biggestRequests.slice(0, 2).map((r) => r.promptTokens + r.completionTokens),
      [3500, 1200],
    );
    assert.deepEqual(a.biggestRequests[0].truncatedSections, ['history', 'context']);
    assert.deepEqual(
      a.users.map((u) => u.user),
      ['ana', 'bo'],
    );
  });

  it('filters by time and by user, and includes gauges with reset times', () => {
    const a = ledger.analytics({ since: NOON + 86_400_000, user: 'ana' });
    assert.equal(a.totals.totalTokens, 600);
    assert.equal(a.totals.requests, 2);
    assert.deepEqual(
      a.users.map((u) => u.user),
      ['ana'],
    );
    const daily = a.users[0].gauges.find((g) => g.kind === 'daily')!;
    assert.deepEqual([daily.used, daily.limit, daily.resetsAt, daily.setting], [600, 100_000, Date.UTC(2026, 2, 12), 'therapist.quota.dailyTokens']);
  });

  it('usage gives today, the month and the conversation total', () => {
    const u = ledger.usage({ user: 'ana', conversation: 'c1' });
    assert.deepEqual([u.today.totalTokens, u.month.totalTokens, u.conversationTotal!.totalTokens], [600, 5300, 1800]);
    const conv = u.gauges.find((g) => g.kind === 'conversation')!;
    assert.deepEqual([conv.used, conv.limit, conv.fraction, conv.resetsAt], [1800, 5000, 0.36, undefined]);
  });

  it('exports CSV with one row per request, quoted where needed, formulas defused', async () => {
    await ledger.recordRefusal({
      user: 'ana',
      conversation: '=HYPERLINK("x")',
      model: 'm',
      command: 'chat',
      promptTokens: 1,
      completionTokens: 1,
      reason: 'too big, "really"\nsecond line',
    });
    const csv = ledger.exportCsv();
    const lines = csv.split('\r\n');
    assert.equal(
      lines[0],
      'id,time,settledAt,user,conversation,model,command,outcome,promptTokens,ourPromptTokens,completionTokens,totalTokens,reservedPromptTokens,reservedCompletionTokens,latencyMs,truncatedSections,reason',
    );
    assert.equal(lines.at(-1), '');
    assert.match(csv, /,2026-03-10T12:00:00\.000Z,2026-03-10T12:00:00\.000Z,ana,c2,llama3:8b,chat,ok,3000,3000,500,3500,3000,500,1200,history;context,\r\n/);
    assert.match(csv, /,"'=HYPERLINK\(""x""\)",m,chat,refused,0,1,0,0,1,1,,,"too big, ""really""\nsecond line"\r\n$/);
  });

  it('exports JSON that round-trips the request log and limits', () => {
    const parsed = JSON.parse(ledger.exportJson()) as {
      format: string;
      version: number;
      limits: { dailyTokens: number };
      requests: { outcome: string }[];
      rollups: unknown[];
    };
    assert.equal(parsed.format, 'therapist-token-ledger');
    assert.equal(parsed.version, 1);
    assert.equal(parsed.limits.dailyTokens, 100_000);
    assert.deepEqual(
      parsed.requests.map((r) => r.outcome),
      ['ok', 'ok', 'ok', 'failed', 'refused'],
    );
    assert.deepEqual(parsed.rollups, []);
  });
});
