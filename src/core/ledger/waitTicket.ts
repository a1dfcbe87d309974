import { closeSync, openSync, readdirSync, unlinkSync, utimesSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * A waiter's `<lock>.wait-<pid>-<n>` file: it tells the holder that someone waits (so a holder that
 * just released steps aside), and it is the waiter's doorbell: the releasing holder touches every
 * ticket (`ringWaiters`), and each waiter watches only its own file. Why not one watch on the folder:
 * every lock create/write/delete, every journal append and every other ticket then woke every waiter
 * (about 14 wake-ups per reserve+commit with 4 processes contending), and on a busy 2-core machine
 * those wake-ups took the CPU the holder needed. Now a waiter wakes once per hand-over.
 */
export class WaitTicket {
  private watcher: FSWatcher | null = null;
  private wake: (() => void) | undefined;
  /** A ring that came while nobody was waiting on it: the next `wait` returns at once. */
  private rung = false;

  constructor(readonly file: string) {
    closeSync(openSync(file, 'w'));
    try {
      this.watcher = watch(file, { persistent: false }, () => this.ding());
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      // No change events on this file system: the caller's timer polls alone.
      this.watcher = null;
    }
  }

  /** Whether rings arrive as events (otherwise only the timeout wakes the waiter). */
  get watching(): boolean {
    return this.watcher !== null;
  }

  /** Resolves when the ticket is rung, or after `ms` (the fallback for a lost event or a holder that died). */
  wait(ms: number): Promise<void> {
    if (this.rung) {
      this.rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Stops watching and removes the file. */
  close(): void {
    this.stopWatching();
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone (swept by someone who thought we had died).
    }
  }

  private ding(): void {
    if (this.wake) this.wake();
    else this.rung = true;
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}

/** The ticket files waiting for `lockPath`, as full paths. */
export function listTickets(lockPath: string): string[] {
  const dir = path.dirname(lockPath);
  const prefix = `${path.basename(lockPath)}.wait-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.filter((n) => n.startsWith(prefix)).map((n) => path.join(dir, n));
}

/** The pid written in a ticket's name. */
export function ticketPid(ticket: string): number {
  const name = path.basename(ticket);
  return Number(name.slice(name.lastIndexOf('.wait-') + '.wait-'.length).split('-')[0]);
}

/** Wakes every waiter: touching a ticket is one system call and one change event on that file alone. */
export function ringWaiters(lockPath: string): void {
  const now = new Date();
  for (const ticket of listTickets(lockPath)) {
    try {
      utimesSync(ticket, now, now);
    } catch {
      // The waiter got the lock meanwhile and removed its ticket.
    }
  }
}
