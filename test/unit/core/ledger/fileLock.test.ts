import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LedgerBusyError } from '../../../../src/core/ledger';
import { FileLock } from '../../../../src/core/ledger/fileLock';
import { Doorbell } from '../../../../src/core/ledger/lockWaiters';
import { NO_LIMITS, ask, deadPid, memoryLogger, tempLedgerPath } from './ledgerTestKit';
import { Ledger } from '../../../../src/core/ledger';

describe('ledger: cross-process file lock', () => {
  let tmp: ReturnType<typeof tempLedgerPath>;
  beforeEach(() => {
    tmp = tempLedgerPath();
  });
  afterEach(() => tmp.cleanup());
  const lockPath = (): string => `${tmp.file}.lock`;
  const holder = (pid: number, host = os.hostname()): string => JSON.stringify({ pid, host, start: 'wall:0', at: Date.now(), nonce: 'n' });

  it('is held by whoever created the file, and released by deleting it', async () => {
    const lock = new FileLock(lockPath(), { timeoutMs: 1000, staleMs: 30_000 });
    await lock.acquire();
    assert.equal((JSON.parse(readFileSync(lockPath(), 'utf8')) as { pid: number }).pid, process.pid);
    lock.release();
    assert.equal(existsSync(lockPath()), false);
  });

  it('serialises two holders in one process', async () => {
    const a = new FileLock(lockPath(), { timeoutMs: 2000, staleMs: 30_000 });
    const b = new FileLock(lockPath(), { timeoutMs: 2000, staleMs: 30_000 });
    await a.acquire();
    let bHasIt = false;
    const waiting = b.acquire().then(() => (bHasIt = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(bHasIt, false);
    a.release();
    await waiting;
    assert.equal(bHasIt, true);
    b.release();
  });

  it('breaks at once a lock whose holder process is gone, and says so', async () => {
    writeFileSync(lockPath(), holder(deadPid()));
    const log = memoryLogger();
    const lock = new FileLock(lockPath(), { timeoutMs: 1000, staleMs: 30_000, logger: log });
    await lock.acquire();
    assert.ok(log.lines.some((l) => /no longer running/.test(l)));
    lock.release();
  });

  it('waits for a live holder, then gives up with LedgerBusyError naming it', async () => {
    writeFileSync(lockPath(), holder(process.ppid));
    const lock = new FileLock(lockPath(), { timeoutMs: 50, staleMs: 30_000 });
    await assert.rejects(
      lock.acquire(),
      (e: unknown) => e instanceof LedgerBusyError && e.holder === `pid ${process.ppid} on ${os.hostname()}` && e.actions[0] === 'retry',
    );
    assert.ok(existsSync(lockPath()));
  });

  it('a holder on another host is only broken once the lock is older than staleMs', async () => {
    writeFileSync(lockPath(), holder(deadPid(), 'other-host'));
    await assert.rejects(new FileLock(lockPath(), { timeoutMs: 30, staleMs: 60_000 }).acquire(), LedgerBusyError);
    const lock = new FileLock(lockPath(), { timeoutMs: 1000, staleMs: 0 });
    await lock.acquire();
    lock.release();
  });

  it('never exists without its holder: a process killed between writing its details and taking the lock stalls nobody', async function () {
    this.timeout(15_000);
    const worker = path.join(__dirname, '..', '..', '..', 'support', 'lockKillWorker.ts');
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', worker, lockPath()], {
      cwd: path.join(__dirname, '..', '..', '..', '..'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL', `the worker was to be killed at the hook: ${stderr}`);
    // What the kill left: the details file, and no lock (the old code left an empty lock here, and a 2 s stall).
    assert.equal(existsSync(lockPath()), false);
    assert.equal(readdirSync(tmp.dir).filter((n) => n.endsWith('.tmp')).length, 1);
    const ledger = await Ledger.open({ path: tmp.file, limits: NO_LIMITS });
    const started = performance.now();
    const r = await ledger.reserve(ask());
    const waited = performance.now() - started;
    await r.commit({ promptTokens: 100, completionTokens: 10 });
    await ledger.close();
    assert.ok(waited < 500, `reserve after the kill took ${waited.toFixed(0)} ms`);
    assert.deepEqual(
      readdirSync(tmp.dir).filter((n) => n.endsWith('.tmp')),
      [],
      "the dead process's details file was swept",
    );
  });

  it('an empty lock file (left by an older version) is broken within 100 ms, not 2 s', async () => {
    writeFileSync(lockPath(), '');
    const log = memoryLogger();
    const lock = new FileLock(lockPath(), { timeoutMs: 3000, staleMs: 30_000, logger: log });
    const started = performance.now();
    await lock.acquire();
    const waited = performance.now() - started;
    lock.release();
    lock.close();
    assert.ok(waited < 1000, `took ${waited.toFixed(0)} ms`);
    assert.ok(
      log.lines.some((l) => /empty or unreadable/.test(l)),
      log.lines.join('\n'),
    );
  });

  it('the lock file appears with its details already written', async () => {
    let seenDuringWrite: boolean | undefined;
    const lock = new FileLock(lockPath(), { timeoutMs: 1000, staleMs: 30_000, onDetailsWritten: () => (seenDuringWrite = existsSync(lockPath())) });
    await lock.acquire();
    assert.equal(seenDuringWrite, false, 'no lock file may exist while its details are being written');
    assert.equal((JSON.parse(readFileSync(lockPath(), 'utf8')) as { pid: number }).pid, process.pid);
    assert.deepEqual(
      readdirSync(tmp.dir).filter((n) => n.endsWith('.tmp')),
      [],
    );
    lock.release();
    lock.close();
  });

  it('does not delete a lock that someone else took over', async () => {
    const log = memoryLogger();
    const lock = new FileLock(lockPath(), { timeoutMs: 1000, staleMs: 30_000, logger: log });
    await lock.acquire();
    // A take-over deletes the lock and creates a new one (what breakIfStale does after staleMs).
    unlinkSync(lockPath());
    writeFileSync(lockPath(), holder(process.ppid));
    lock.release();
    assert.ok(existsSync(lockPath()));
    assert.equal((JSON.parse(readFileSync(lockPath(), 'utf8')) as { pid: number }).pid, process.ppid);
    assert.ok(log.lines.some((l) => l.includes(`taken over by pid ${process.ppid}`)));
  });
});

describe('ledger: file lock hand-over', () => {
  let tmp: ReturnType<typeof tempLedgerPath>;
  const holder = (pid: number): string => JSON.stringify({ pid, host: os.hostname(), start: 'wall:0', at: Date.now(), nonce: 'n' });
  beforeEach(() => {
    tmp = tempLedgerPath();
  });
  afterEach(() => tmp.cleanup());

  it('a waiter leaves a ticket while it waits and removes it once it holds the lock', async () => {
    const lockPath = `${tmp.file}.lock`;
    const a = new FileLock(lockPath, { timeoutMs: 2000, staleMs: 30_000 });
    const b = new FileLock(lockPath, { timeoutMs: 2000, staleMs: 30_000 });
    await a.acquire();
    const waiting = b.acquire();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(readdirSync(tmp.dir).filter((n) => n.startsWith('ledger.jsonl.lock.wait-')).length, 1);
    a.release();
    await waiting;
    assert.equal(readdirSync(tmp.dir).filter((n) => n.includes('.wait-')).length, 0);
    assert.ok(readdirSync(tmp.dir).includes('ledger.jsonl.lock.bell'), 'the waiter listened on the bell');
    b.release();
    a.close();
    b.close();
  });

  it('tickets of waiters that died are swept by the first acquire, so they never make a holder step aside', async () => {
    const lockPath = `${tmp.file}.lock`;
    writeFileSync(`${lockPath}.wait-${deadPid()}-x`, '');
    const a = new FileLock(lockPath, { timeoutMs: 2000, staleMs: 30_000 });
    await a.acquire();
    a.release();
    a.close();
    assert.deepEqual(readdirSync(tmp.dir), []);
  });

  it('a release rings the bell: a waiter listening with a timer far longer than the test timeout wakes', async () => {
    const lockPath = `${tmp.file}.lock`;
    const a = new FileLock(lockPath, { timeoutMs: 2000, staleMs: 30_000 });
    await a.acquire();
    const bell = new Doorbell(`${lockPath}.bell`);
    assert.equal(bell.listen(), true);
    const woken = bell.wait(60_000);
    a.release();
    await woken;
    bell.close();
    a.close();
  });

  it('a bell deleted by someone cleaning the folder is created and watched again by the next listen', async () => {
    const lockPath = `${tmp.file}.lock`;
    const bell = new Doorbell(`${lockPath}.bell`);
    assert.equal(bell.listen(), true);
    unlinkSync(`${lockPath}.bell`);
    // The deletion reaches the watch as one or more events; the one that says "gone" drops the dead watch,
    // after which listen creates the file again. Each wait ends at the next event (or after 50 ms).
    for (let i = 0; i < 20 && !existsSync(`${lockPath}.bell`); i++) {
      await bell.wait(50);
      assert.equal(bell.listen(), true);
    }
    assert.ok(existsSync(`${lockPath}.bell`), 'listen re-created the deleted bell');
    const rung = bell.wait(60_000);
    bell.ring();
    await rung;
    bell.close();
  });

  it('with nobody listening, a release rings nothing and leaves no bell file behind', async () => {
    const lockPath = `${tmp.file}.lock`;
    const a = new FileLock(lockPath, { timeoutMs: 2000, staleMs: 30_000 });
    await a.acquire();
    a.release();
    a.close();
    assert.deepEqual(readdirSync(tmp.dir), []);
  });

  it('a waiter that already saw a live holder still breaks the lock once that holder dies', async () => {
    const lockPath = `${tmp.file}.lock`;
    writeFileSync(lockPath, holder(process.ppid));
    const log = memoryLogger();
    const lock = new FileLock(lockPath, { timeoutMs: 5000, staleMs: 30_000, logger: log });
    const waiting = lock.acquire();
    await new Promise((r) => setTimeout(r, 20));
    // The holder "dies": its lock file now names a pid that no longer exists, and nobody rings.
    writeFileSync(lockPath, holder(deadPid()));
    await waiting;
    assert.ok(log.lines.some((l) => /no longer running/.test(l)));
    lock.release();
  });
});
