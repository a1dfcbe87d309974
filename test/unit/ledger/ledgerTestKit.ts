// Shared by the ledger unit tests: an injected clock and throwaway ledger files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '../../../src/core/ledger';
import type { LedgerClock, LedgerLimits, LedgerOptions, ReserveRequest } from '../../../src/core/ledger';

/** A clock the test moves by hand; `sleep` advances it instead of waiting. */
export class FakeClock implements LedgerClock {
  readonly sleeps: number[] = [];
  constructor(
    public t: number,
    public offsetMinutes = 0,
  ) {}
  now(): number {
    return this.t;
  }
  utcOffsetMinutes(): number {
    return this.offsetMinutes;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.t += ms;
    await Promise.resolve();
    if (signal?.aborted) throw signal.reason;
  }
}

export const NO_LIMITS: LedgerLimits = { dailyTokens: 0, monthlyTokens: 0, conversationTokens: 0, tokensPerMinute: 0 };

/** A log that remembers what the ledger said, so tests can check it explained itself. */
export function memoryLogger(): { lines: string[]; info(m: string): void; warn(m: string): void } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

/** A fresh folder for one test's ledger; call the returned cleanup in afterEach. */
export function tempLedgerPath(): { file: string; dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'therapist-ledger-'));
  return { dir, file: path.join(dir, 'ledger.jsonl'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openAt(file: string, clock: FakeClock, limits: Partial<LedgerLimits> = {}, extra: Partial<LedgerOptions> = {}): Promise<Ledger> {
  return Ledger.open({ path: file, clock, limits: { ...NO_LIMITS, ...limits }, ...extra });
}

/** A request with sensible defaults; override what the test is about. */
export function ask(over: Partial<ReserveRequest> = {}): ReserveRequest {
  return { user: 'ana', conversation: 'c1', model: 'coder:7b', command: 'chat', promptTokens: 100, completionTokens: 50, ...over };
}

/** The pid of a process that has exited (so `kill(pid, 0)` reports it gone). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** 2026-03-10 12:00 UTC: a Tuesday in the middle of a month, far from any boundary. */
export const NOON = Date.UTC(2026, 2, 10, 12, 0, 0);
