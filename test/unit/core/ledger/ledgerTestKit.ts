// Shared by the ledger unit tests: an injected clock and throwaway ledger files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '../../../../src/core/ledger';
import type { LedgerLimits, LedgerOptions, ReserveRequest } from '../../../../src/core/ledger';
import { systemClock, type Clock, type Logger } from '../../../../src/core/runtime';

/** A clock the test moves by hand; `sleep` advances it instead of waiting. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(
    public t: number,
    public offsetMinutes = 0,
  ) {}
  now(): number {
    return this.t;
  }
  monotonic(): number {
    return this.t;
  }
  setTimer(callback: () => void, ms: number): () => void {
    return systemClock.setTimer(callback, ms);
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
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => void lines.push(`info ${m}`), warn: (m) => void lines.push(`warn ${m}`), error: (m) => void lines.push(`error ${m}`) };
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
