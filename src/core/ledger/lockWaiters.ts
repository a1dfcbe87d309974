import { closeSync, openSync, readdirSync, unlinkSync, utimesSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * How waiters learn that the lock was released: `<lock>.bell`, a file nobody writes. The releasing
 * holder touches it (one `utimes`), and every waiting process watches that one file. Why not a watch on
 * the folder: every lock create/write/delete, every journal append and every ticket then woke every
 * waiter (about 14 wake-ups per reserve+commit with 4 processes contending), and each wake-up also
 * re-read the lock; on a busy 2-core machine that took the CPU the holder needed. Now a waiter wakes
 * once per release. Why one bell and not one per waiter: ringing each ticket needs a readdir and one
 * `utimes` per waiter at every release, and each waiter would add and remove a watch every time it waits.
 */
export class Doorbell {
  /** Undefined until first needed; null when the file system gives no change events (timers poll alone). */
  private watcher: FSWatcher | null | undefined;
  private readonly wakers = new Set<() => void>();

  constructor(readonly file: string) {}

  /** Starts watching (once); true when rings arrive as events. Call before the last try, then `wait`. */
  listen(): boolean {
    if (this.watcher === undefined) {
      try {
        closeSync(openSync(this.file, 'a'));
        const watcher = watch(this.file, { persistent: false }, (event) => {
          // The bell was deleted or replaced (someone cleaned the folder): this watch will hear nothing
          // more, so drop it and let the next `listen` create the file and watch it again.
          if (event === 'rename' && this.watcher === watcher) {
            watcher.close();
            this.watcher = undefined;
          }
          for (const wake of [...this.wakers]) wake();
        });
        this.watcher = watcher;
        this.watcher.on('error', () => this.close());
      } catch {
        this.watcher = null;
      }
    }
    return this.watcher !== null;
  }

  /** Resolves at the next ring, or after `ms` (the fallback for a holder that died, which never rings). */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /** Wakes every waiting process. A missing bell means nobody has ever waited on this lock. */
  ring(): void {
    const now = new Date();
    try {
      utimesSync(this.file, now, now);
    } catch {
      // ENOENT: nobody listens. Anything else: waiters fall back to their timers.
    }
  }

  /** Stops watching. */
  close(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}

/** Creates a waiter's `<lock>.wait-<pid>-<n>` ticket: it tells a holder that just released to step aside. */
export function createTicket(lockPath: string): string {
  const ticket = `${lockPath}.wait-${process.pid}-${Math.random().toString(36).slice(2)}`;
  closeSync(openSync(ticket, 'w'));
  return ticket;
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

/** Deletes a file that may already be gone. */
export function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
