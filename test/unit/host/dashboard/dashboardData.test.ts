import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../../src/core/runtime';
import { Ledger } from '../../../../src/core/ledger';
import { toDashboardData } from '../../../../src/host/dashboard/dashboardData';

// The dashboard's numbers come from a real ledger (a journal in a temp folder) with a pinned clock.
describe('dashboard data from the ledger', () => {
  let dir: string;
  let now = Date.UTC(2026, 10, 20, 10, 0, 0);
  const clock = { ...systemClock, now: () => now, utcOffsetMinutes: () => 0, sleep: async () => {} };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dash-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('maps totals, days, conversations (with titles), models, gauges and biggest requests', async () => {
    const ledger = await Ledger.open({
      path: join(dir, 'ledger.jsonl'),
      clock,
      limits: { dailyTokens: 10000, monthlyTokens: 0, conversationTokens: 0, tokensPerMinute: 0 },
    });
    try {
      const a = await ledger.reserve({ user: 'ana', conversation: 'c1', model: 'coder:7b', command: 'chat', promptTokens: 1000, completionTokens: 200 });
      await a.commit({ promptTokens: 1200, completionTokens: 150, ourPromptTokens: 1000, truncatedSections: ['context'], latencyMs: 900 });
      now += 86400000; // next day
      const b = await ledger.reserve({
        user: 'ana',
        conversation: 'c2',
        model: 'qwen:7b',
        command: 'explainSelection',
        promptTokens: 300,
        completionTokens: 100,
      });
      await b.cancel({ promptTokens: 310, completionTokens: 20 });
      const data = toDashboardData(ledger.analytics({ user: 'ana' }), ledger.usage({ user: 'ana', conversation: 'c2' }), (id) =>
        id === 'c1' ? 'Refactor the parser' : undefined,
      );
      assert.equal(data.user, 'ana');
      assert.deepEqual(data.totals, { requests: 2, prompt: 1510, completion: 170, cancelled: 1, failed: 0, refused: 0 });
      assert.deepEqual(
        data.days.map((d) => [d.day, d.prompt, d.completion]),
        [
          ['2026-11-20', 1200, 150],
          ['2026-11-21', 310, 20],
        ],
      );
      assert.deepEqual(
        data.conversations.map((c) => [c.label, c.prompt + c.completion]),
        [
          ['c2', 330],
          ['Refactor the parser', 1350],
        ],
        'most recent first, titled when known',
      );
      assert.deepEqual(data.models.map((m) => m.key).sort(), ['coder:7b', 'qwen:7b']);
      const daily = data.gauges.find((g) => g.setting === 'therapist.quota.dailyTokens')!;
      assert.equal(daily.name, 'Today');
      assert.equal(daily.used, 330, 'only today counts against the daily quota');
      assert.equal(daily.limit, 10000);
      assert.equal(daily.resetsAt, Date.UTC(2026, 10, 22));
      const biggest = data.biggest[0];
      assert.equal(biggest.conversation, 'Refactor the parser');
      assert.equal(biggest.promptTokens, 1000, 'ours');
      assert.equal(biggest.modelPromptTokens, 1200, "the model's");
      assert.deepEqual(biggest.truncatedSections, ['code context']);
    } finally {
      await ledger.close();
    }
  });
});
