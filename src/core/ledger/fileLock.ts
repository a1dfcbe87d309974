import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { abortableDelay } from './clock';
import { LedgerBusyError } from './errors';
import { currentProcess, processState, type ProcessIdentity } from './processIdentity';
import type { LedgerLogger } from './types';

interface LockOwner extends ProcessIdentity {
  at: number;
  nonce: string;
}

/**
 * A cross-process mutex: whoever creates `<journal>.lock` with O_EXCL holds it. Why not proper-lockfile:
 * it recognises a dead holder only by an old mtime (at least 2 s, 10 s by default), so one window killed
 * inside the critical section would stall every other window; here the file names its holder's pid and
 * start marker, so a dead holder is recognised at once. `staleMs` is the backstop for holders on another
 * host or with an unreadable identity: critical sections last milliseconds, so 30 s means the holder is gone.
 */
export class FileLock {
  private held: LockOwner | undefined;

  constructor(
    readonly lockPath: string,
    private readonly opts: { timeoutMs: number; staleMs: number; logger?: LedgerLogger },
  ) {}

  /** Waits until this process holds the lock; throws LedgerBusyError after `timeoutMs`. */
  async acquire(): Promise<void> {
    if (this.held) throw new Error('FileLock is not reentrant: acquire() called while held');
    const started = Date.now();
    let attempt = 0;
    for (;;) {
      if (this.tryCreate()) return;
      if (this.breakIfStale()) continue;
      const waited = Date.now() - started;
      if (waited > this.opts.timeoutMs) throw new LedgerBusyError(this.lockPath, waited, this.describeHolder());
      // Short polls first (critical sections are sub-millisecond), then back off for long holders.
      attempt++;
      const base = attempt < 40 ? 1 : Math.min(16, 1 << Math.min(4, Math.floor((attempt - 40) / 10)));
      await abortableDelay(base + Math.random());
    }
  }

  /** Releases the lock, unless someone broke it meanwhile (then it is theirs and is left alone). */
  release(): void {
    const mine = this.held;
    this.held = undefined;
    if (!mine) return;
    const owner = this.readOwner(this.lockPath);
    if (owner && owner.nonce !== mine.nonce) {
      this.opts.logger?.warn(`ledger lock ${this.lockPath} was taken over by pid ${owner.pid} while we held it; leaving it`);
      return;
    }
    try {
      unlinkSync(this.lockPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  private tryCreate(): boolean {
    const owner: LockOwner = { ...currentProcess(), at: Date.now(), nonce: Math.random().toString(36).slice(2) };
    let fd: number;
    try {
      fd = openSync(this.lockPath, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code === 'ENOENT') {
        mkdirSync(path.dirname(this.lockPath), { recursive: true });
        return this.tryCreate();
      }
      throw e;
    }
    try {
      writeSync(fd, JSON.stringify(owner));
    } finally {
      closeSync(fd);
    }
    this.held = owner;
    return true;
  }

  /** Removes the lock file if its holder is gone; true when the caller should retry at once. */
  private breakIfStale(): boolean {
    let text: string;
    let mtimeMs: number;
    try {
      text = readFileSync(this.lockPath, 'utf8');
      mtimeMs = statSync(this.lockPath).mtimeMs;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw e;
    }
    const owner = parseOwner(text);
    const age = Date.now() - mtimeMs;
    // An empty file is a holder between open and write; it is stale only if it stays empty.
    const stale = owner ? processState(owner) === 'dead' || age > this.opts.staleMs : age > 2000;
    if (!stale) return false;
    // Move the file aside first: only one breaker can rename a given file, and we can check what we moved.
    const aside = `${this.lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      renameSync(this.lockPath, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw e;
    }
    const moved = readFileSync(aside, 'utf8');
    if (moved !== text) {
      // Another breaker was faster and a new holder already took the lock: give it back (link fails if taken).
      try {
        linkSync(aside, this.lockPath);
      } catch {
        // The name is taken again; the new holder keeps it.
      }
      unlinkSync(aside);
      return false;
    }
    unlinkSync(aside);
    this.opts.logger?.warn(`released the ledger lock held by ${owner ? `pid ${owner.pid} on ${owner.host}, which is no longer running` : 'a process that died while taking it'}`);
    return true;
  }

  private readOwner(p: string): LockOwner | undefined {
    try {
      return parseOwner(readFileSync(p, 'utf8'));
    } catch {
      return undefined;
    }
  }

  private describeHolder(): string {
    const o = this.readOwner(this.lockPath);
    return o ? `pid ${o.pid} on ${o.host}` : '';
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as LockOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}
