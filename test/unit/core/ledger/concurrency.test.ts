// Several Node processes hammer one ledger file; some are killed with SIGKILL mid-run.
// Afterwards the invariants of a ledger must hold: no quota passed, nothing pending, nothing lost,
// nothing counted twice, totals equal to the request log. Then the file is torn mid-record and reopened.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { Ledger, type LedgerLimits, type RequestRecord } from '../../../../src/core/ledger';
import { memoryLogger, tempLedgerPath } from './ledgerTestKit';

const LIMITS: LedgerLimits = { dailyTokens: 200_000, monthlyTokens: 220_000, conversationTokens: 150_000, tokensPerMinute: 190_000 };
const WORKERS = 5;
const OPS = 250;
const KILLED = 2;
const WORKER = path.join(__dirname, '..', '..', '..', 'support', 'ledgerWorker.ts');

interface WorkerRun {
  pid: number;
  lines: Record<string, unknown>[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function startWorker(file: string, seed: number, onReady: (child: ChildProcess) => void): Promise<WorkerRun> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', WORKER, file, String(seed), String(OPS), JSON.stringify(LIMITS), String(64 * 1024)], {
    cwd: path.join(__dirname, '..', '..', '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      if ('ready' in line) onReady(child);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ pid: child.pid!, lines, code, signal, stderr })));
}

/** The largest token sum over any sliding 60 s window of one user's admissions. */
function maxPerMinute(records: RequestRecord[]): number {
  const sorted = [...records].sort((a, b) => a.at - b.at);
  let best = 0;
  let sum = 0;
  let start = 0;
  for (const r of sorted) {
    sum += r.promptTokens + r.completionTokens;
    while (sorted[start].at <= r.at - 60_000) sum -= sorted[start].promptTokens + sorted[start++].completionTokens;
    best = Math.max(best, sum);
  }
  return best;
}

function checkInvariants(ledger: Ledger, file: string, runs: WorkerRun[]): void {
  assert.deepEqual(ledger.pendingReservations(), [], 'every reservation is settled or released');
  const log = ledger.requestLog();
  const byId = new Map(log.map((r) => [r.id, r]));
  const charge = (rs: RequestRecord[]): number => rs.reduce((s, r) => s + r.promptTokens + r.completionTokens, 0);

  for (const user of ['ana', 'bo']) {
    const mine = log.filter((r) => r.user === user);
    const usage = ledger.usage({ user });
    assert.equal(usage.today.totalTokens, charge(mine.filter((r) => new Date(r.at).toDateString() === new Date().toDateString())));
    assert.ok(usage.today.totalTokens <= LIMITS.dailyTokens, `${user} daily ${usage.today.totalTokens}`);
    assert.ok(usage.month.totalTokens <= LIMITS.monthlyTokens, `${user} monthly ${usage.month.totalTokens}`);
    assert.ok(maxPerMinute(mine) <= LIMITS.tokensPerMinute, `${user} per minute ${maxPerMinute(mine)}`);
  }
  for (const conversation of ['c1', 'c2', 'c3']) {
    const total = ledger.usage({ user: 'ana', conversation }).conversationTotal!.totalTokens;
    assert.equal(total, charge(log.filter((r) => r.conversation === conversation)));
    assert.ok(total <= LIMITS.conversationTokens, `${conversation} ${total}`);
  }
  const report = ledger.analytics();
  assert.equal(report.totals.totalTokens, charge(log));
  assert.equal(report.totals.requests, log.length);

  // Nothing acknowledged is lost; nothing is counted twice.
  for (const run of runs) {
    for (const line of run.lines) {
      if (typeof line.reserved === 'string') assert.ok(byId.has(line.reserved), `reservation ${line.reserved} of pid ${run.pid} is in the log`);
      if (typeof line.settled === 'string') {
        const rec = byId.get(line.settled)!;
        assert.deepEqual(
          [rec.outcome, rec.promptTokens + rec.completionTokens],
          [line.outcome, line.tokens],
          `settle of ${line.settled} by pid ${run.pid}: ${JSON.stringify(rec)}`,
        );
      }
    }
  }
  const settles = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const rec = JSON.parse(line) as { t: string; r?: { id: string } };
    if (rec.t === 'set' || rec.t === 'req') settles.set(rec.r!.id, (settles.get(rec.r!.id) ?? 0) + 1);
  }
  for (const [id, n] of settles) assert.equal(n, 1, `request ${id} settled ${n} times`);
}

describe('ledger: several processes on one file', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempLedgerPath>;
  beforeEach(() => (tmp = tempLedgerPath()));
  afterEach(() => tmp.cleanup());

  it('keeps every invariant under random contention and SIGKILLs, and survives a torn last record', async () => {
    const seedBase = Date.now() % 100_000;
    const victims = new Set<number>([...Array(WORKERS).keys()].sort(() => Math.random() - 0.5).slice(0, KILLED));
    const runs = await Promise.all(
      [...Array(WORKERS).keys()].map((i) =>
        startWorker(tmp.file, seedBase + i, (child) => {
          if (victims.has(i)) setTimeout(() => child.kill('SIGKILL'), 10 + Math.random() * 150);
        }),
      ),
    );
    const context = `seeds ${seedBase}..${seedBase + WORKERS - 1}`;
    for (const [i, run] of runs.entries()) {
      if (victims.has(i)) assert.ok(run.signal === 'SIGKILL' || run.code === 0, `${context}: worker ${i} ${run.code} ${run.signal} ${run.stderr}`);
      else assert.equal(run.code, 0, `${context}: worker ${i} failed: ${run.stderr}`);
    }
    for (const run of runs) {
      assert.doesNotMatch(run.stderr, /changed under the lock|skipped an unreadable record|torn/, `${context}: pid ${run.pid}`);
    }
    // Workers take far longer than 160 ms for their operations, so at least one kill lands mid-run.
    assert.ok(
      runs.some((r) => r.signal === 'SIGKILL'),
      `${context}: every victim finished before its kill`,
    );
    const reservedCount = runs.reduce((s, r) => s + r.lines.filter((l) => 'reserved' in l).length, 0);
    const refusedCount = runs.reduce((s, r) => s + r.lines.filter((l) => 'refused' in l).length, 0);
    assert.ok(reservedCount > 300, `${context}: only ${reservedCount} reservations were made`);
    assert.ok(refusedCount > 0, `${context}: the limits never bound, so the test proved nothing about them`);

    const ledger = await Ledger.open({ path: tmp.file, limits: LIMITS });
    try {
      checkInvariants(ledger, tmp.file, runs);
    } finally {
      await ledger.close();
    }

    // Tear the last record in half, as a crash during the write would, and reopen.
    const lines = readFileSync(tmp.file, 'utf8').trimEnd().split('\n');
    const size = statSync(tmp.file).size;
    truncateSync(tmp.file, size - Math.ceil((Buffer.byteLength(lines.at(-1)!) + 1) / 2));
    const log = memoryLogger();
    const reopened = await Ledger.open({ path: tmp.file, limits: LIMITS, logger: log });
    try {
      assert.ok(
        log.lines.some((l) => /removed a torn last record/.test(l)),
        log.lines.join('\n'),
      );
      // The repaired file holds whole records only (a torn `exp` is simply released again).
      for (const line of readFileSync(tmp.file, 'utf8').trimEnd().split('\n')) JSON.parse(line);
      // Workers' acknowledgements may include the torn record; check the rest, then the ledger's own sums.
      const tornId = (JSON.parse(lines.at(-1)!) as { r?: { id: string }; id?: string }).r?.id;
      const withoutTorn = runs.map((r) => ({ ...r, lines: r.lines.filter((l) => l.settled !== tornId) }));
      checkInvariants(reopened, tmp.file, withoutTorn);
    } finally {
      await reopened.close();
    }
  });
});
