import type { Logger } from '../runtime';
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { LedgerBusyError } from './errors';
import { currentProcess, processState, type ProcessIdentity } from './processIdentity';
import { createTicket, Doorbell, listTickets, removeQuietly, ticketPid } from './lockWaiters';

/**
 * This code never lets the lock exist without its holder's details (they are written to a private file first,
 * which is then linked into place). An unreadable lock therefore comes from an older Therapist between its
 * create and write (microseconds) or from a damaged disk: after this long it is treated as abandoned.
 */
const UNREADABLE_LOCK_STALE_MS = 100;
/** Breaking takes microseconds; a break token older than this belongs to a breaker that died. */
const BREAK_TOKEN_STALE_MS = 1000;
/** A process that released the lock less than this long ago lets waiting processes go first. */
const YIELD_WINDOW_MS = 2;
/** How often a process checks whether the lock's holder still lives while it waits. */
const STALE_CHECK_MS = 4;
/** Waiters are rung at every release; this poll only catches a holder that died or a lost event. */
const WATCHED_POLL_MS = 4;
/** Windows may keep the name of a deleted file that is still open, so there the lock file is closed at once. */
const KEEP_LOCK_OPEN = process.platform !== 'win32';

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
  private releasedAt = Number.NEGATIVE_INFINITY;
  private swept = false;
  /** When this process last checked whether the holder lives (performance.now()). */
  private staleCheckedAt = Number.NEGATIVE_INFINITY;
  /** The open lock file while held (POSIX), -1 otherwise. */
  private heldFd = -1;
  private readonly bell: Doorbell;

  constructor(
    readonly lockPath: string,
    private readonly opts: {
      timeoutMs: number;
      staleMs: number;
      logger?: Logger;
      /** Tests only: called when the holder's details are written but not yet linked into place (a test kills the process here). */
      onDetailsWritten?: () => void;
    },
  ) {
    this.bell = new Doorbell(`${lockPath}.bell`);
  }

  /** Waits until this process holds the lock; throws LedgerBusyError after `timeoutMs`. */
  async acquire(): Promise<void> {
    if (this.held) throw new Error('FileLock is not reentrant: acquire() called while held');
    const started = Date.now();
    let attempt = 0;
    let ticket: string | undefined;
    let watching = false;
    try {
      // Fairness: waiters would rarely win against a holder that re-acquires microseconds after
      // releasing, so a process that just released steps aside once when others have said they wait.
      // The first acquire also sweeps tickets left by waiters that died.
      const justReleased = performance.now() - this.releasedAt < YIELD_WINDOW_MS;
      if (justReleased || !this.swept) {
        if (!this.swept) this.sweepDeadDetails();
        this.swept = true;
        if (this.othersWaiting() && justReleased) {
          ticket = createTicket(this.lockPath);
          watching = this.bell.listen();
          await this.bell.wait(1);
        }
      }
      for (;;) {
        if (this.tryCreate()) return;
        // Whether the holder still lives is checked at most every STALE_CHECK_MS per process (so at once
        // when this process has not looked lately): a check costs ~12 system calls, and under contention
        // almost every acquire waits and is woken at every hand-over; checking each time took the CPU the
        // holder needed. A holder that dies is still found within STALE_CHECK_MS.
        const t = performance.now();
        if (t - this.staleCheckedAt >= STALE_CHECK_MS) {
          this.staleCheckedAt = t;
          if (this.breakIfStale()) continue;
        }
        const waited = Date.now() - started;
        if (waited > this.opts.timeoutMs) throw new LedgerBusyError(this.lockPath, waited, this.describeHolder());
        if (!ticket) {
          // Try once more after listening: a release between our attempt and the watch rang nobody we heard.
          ticket = createTicket(this.lockPath);
          watching = this.bell.listen();
          continue;
        }
        attempt++;
        // Rung at every release; the timer is the fallback for a holder that died (it never rings) and
        // for file systems without change events (then short polls first, backing off for long holders).
        const base = watching ? WATCHED_POLL_MS : attempt < 40 ? 1 : Math.min(16, 1 << Math.min(4, Math.floor((attempt - 40) / 10)));
        await this.bell.wait(base);
      }
    } finally {
      if (ticket) removeQuietly(ticket);
    }
  }

  /** Releases the lock, unless someone broke it meanwhile (then it is theirs and is left alone). */
  release(): void {
    const mine = this.held;
    this.held = undefined;
    if (!mine) return;
    this.releasedAt = performance.now();
    if (this.takenOver(mine)) {
      const owner = this.readOwner(this.lockPath);
      this.opts.logger?.warn(`ledger lock ${this.lockPath} was taken over${owner ? ` by pid ${owner.pid}` : ''} while we held it; leaving it`);
      return;
    }
    try {
      unlinkSync(this.lockPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.bell.ring();
  }

  /**
   * Whether someone broke our lock while we held it (only possible after `staleMs`, or for a holder on
   * another host). A lock is only ever taken over by deleting it and creating a new file, so on POSIX our
   * still-open file having no name left (nlink 0) says it in one system call; elsewhere the nonce is read.
   */
  private takenOver(mine: LockOwner): boolean {
    const fd = this.heldFd;
    if (fd < 0) {
      const owner = this.readOwner(this.lockPath);
      return owner !== undefined && owner.nonce !== mine.nonce;
    }
    this.heldFd = -1;
    try {
      return fstatSync(fd).nlink === 0;
    } finally {
      closeSync(fd);
    }
  }

  /** Stops listening for releases (the lock itself is released by `release`). */
  close(): void {
    this.bell.close();
  }

  /** Whether another live process has a waiting ticket; tickets of dead processes are removed. */
  private othersWaiting(): boolean {
    let found = false;
    for (const ticket of listTickets(this.lockPath)) {
      const pid = ticketPid(ticket);
      if (pid === process.pid) continue;
      if (processState({ ...currentProcess(), pid, start: '' }) === 'dead') removeQuietly(ticket);
      else found = true;
    }
    return found;
  }

  /**
   * One attempt to take the lock. The holder's details go into a private `<lock>.<pid>.<nonce>.tmp` first and are
   * then hard-linked to the lock's name (link fails with EEXIST like an O_EXCL create), so the lock appears with
   * its content complete: a process killed at any point leaves either no lock, or one naming its dead pid, which
   * the next process breaks at once. The private file is unlinked right after; the lock keeps the same inode.
   */
  private tryCreate(): boolean {
    const owner: LockOwner = { ...currentProcess(), at: Date.now(), nonce: Math.random().toString(36).slice(2) };
    const details = `${this.lockPath}.${process.pid}.${owner.nonce}.tmp`;
    let fd: number;
    try {
      fd = openSync(details, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        mkdirSync(path.dirname(this.lockPath), { recursive: true });
        return this.tryCreate();
      }
      throw e;
    }
    let linked = false;
    try {
      const text = Buffer.from(JSON.stringify(owner));
      if (writeSync(fd, text) !== text.length) throw new Error(`short write of the ledger lock's details (${details})`);
      this.opts.onDetailsWritten?.();
      try {
        linkSync(details, this.lockPath);
        linked = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    } finally {
      removeQuietly(details);
      // Kept open while held on POSIX, where one fstat at release tells whether the lock file is still ours.
      if (!linked || !KEEP_LOCK_OPEN) closeSync(fd);
    }
    if (!linked) return false;
    if (KEEP_LOCK_OPEN) this.heldFd = fd;
    this.held = owner;
    return true;
  }

  /** Removes the private details files of processes that died between writing them and linking them into place. */
  private sweepDeadDetails(): void {
    const dir = path.dirname(this.lockPath);
    const prefix = `${path.basename(this.lockPath)}.`;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
      const pid = Number(name.slice(prefix.length).split('.')[0]);
      if (Number.isSafeInteger(pid) && pid !== process.pid && processState({ ...currentProcess(), pid, start: '' }) === 'dead')
        removeQuietly(path.join(dir, name));
    }
  }

  /**
   * Removes the lock file if its holder is gone; true when the caller should retry at once.
   * Breakers first take `<lock>.break` (O_EXCL) and re-read the lock under it, so two processes that both
   * saw the same dead holder cannot end up deleting the lock a third process has just taken.
   */
  private breakIfStale(): boolean {
    const seen = this.readStale();
    if (seen === undefined) return false;
    if (seen === null) return true;
    const breakPath = `${this.lockPath}.break`;
    let fd: number;
    try {
      fd = openSync(breakPath, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another breaker is at work (microseconds). One that stays longer died mid-break: clear its token.
      try {
        if (Date.now() - statSync(breakPath).mtimeMs > BREAK_TOKEN_STALE_MS) unlinkSync(breakPath);
      } catch {
        // Gone already.
      }
      return false;
    }
    closeSync(fd);
    try {
      let now: string;
      try {
        now = readFileSync(this.lockPath, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
        throw e;
      }
      if (now !== seen.text) return false;
      unlinkSync(this.lockPath);
    } finally {
      unlinkSync(breakPath);
    }
    const o = seen.owner;
    this.opts.logger?.warn(
      `released the ledger lock held by ${o ? `pid ${o.pid} on ${o.host}, which is no longer running` : 'nobody it could name (the lock file was empty or unreadable)'}`,
    );
    return true;
  }

  /** The lock's content when its holder is gone; undefined when it is alive; null when the lock vanished. */
  private readStale(): { text: string; owner: LockOwner | undefined } | undefined | null {
    let text: string;
    let mtimeMs: number;
    try {
      text = readFileSync(this.lockPath, 'utf8');
      mtimeMs = statSync(this.lockPath).mtimeMs;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const owner = parseOwner(text);
    const age = Date.now() - mtimeMs;
    // Our locks always name their holder (see tryCreate); an unreadable one is an older writer's or damage.
    const stale = owner ? processState(owner) === 'dead' || age > this.opts.staleMs : age > UNREADABLE_LOCK_STALE_MS;
    return stale ? { text, owner } : undefined;
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
