import type { Logger } from '../runtime';
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { parseRecord, type JournalRecord } from './records';

const NEWLINE = 0x0a;

/**
 * The append-only JSON-lines file. Every method must be called while holding the ledger lock: the
 * lock is what makes "read the tail, decide, append" atomic across processes.
 */
export class Journal {
  private fd = -1;
  private ino = -1;
  /** Bytes of this file already read and applied. */
  private offset = 0;
  /** Durable records were written since the last fdatasync. */
  private unsynced = false;
  /** Set when the file changed under our lock: the next read starts over. */
  private suspect = false;

  constructor(
    readonly filePath: string,
    private readonly logger?: Logger,
  ) {}

  /** Bytes in the file as far as this process has read it. */
  get size(): number {
    return this.offset;
  }

  /**
   * Returns the records appended since the last call. `reset` is true when the file was replaced
   * (compaction by another process) or is new: the caller must rebuild its view from these records alone.
   * With `locked` false (a read-only catch-up without the lock) a partial last line is a write still in
   * progress: it is left for later instead of being repaired.
   */
  readNew(locked: boolean): { reset: boolean; records: JournalRecord[] } {
    let reset = false;
    const st = this.statPath();
    let size: number;
    if (!st || this.fd < 0 || this.suspect || st.ino !== this.ino || st.size < this.offset) {
      this.suspect = false;
      this.reopen();
      reset = true;
      size = fstatSync(this.fd).size;
    } else {
      // The path still names our open file, so its size is the file's: no second stat inside the lock.
      size = st.size;
    }
    if (size === 0) {
      if (!locked) return { reset, records: [] };
      const header: JournalRecord = { t: 'hdr', v: 1, created: Date.now() };
      this.append([header]);
      return { reset, records: [header] };
    }
    if (size === this.offset) return { reset, records: [] };
    const buf = Buffer.allocUnsafe(size - this.offset);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(this.fd, buf, read, buf.length - read, this.offset + read);
      if (n === 0) break;
      read += n;
    }
    const records: JournalRecord[] = [];
    let lineStart = 0;
    for (let i = 0; i < read; i++) {
      if (buf[i] !== NEWLINE) continue;
      const line = buf.toString('utf8', lineStart, i);
      const rec = parseRecord(line);
      if (rec) records.push(rec);
      else if (line.trim()) this.logger?.warn(`ledger: skipped an unreadable record at byte ${this.offset + lineStart} of ${this.filePath}`);
      lineStart = i + 1;
    }
    if (lineStart < read && locked) {
      // Writers append whole lines under the lock, so a partial last line seen while we hold the lock
      // is a write torn by a crash (power loss, kill mid-write). Its request never got an answer: drop it.
      const tornAt = this.offset + lineStart;
      this.logger?.warn(`ledger: removed a torn last record (${read - lineStart} bytes at byte ${tornAt}) from ${this.filePath}`);
      ftruncateSync(this.fd, tornAt);
      fdatasyncSync(this.fd);
    }
    this.offset += lineStart;
    return { reset, records };
  }

  /**
   * Appends records and advances past them. With `durable`, the next `flush` must fdatasync the file
   * (which also flushes every earlier record of it still in the page cache).
   */
  append(records: readonly JournalRecord[], durable = true): void {
    if (records.length === 0) return;
    const data = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8');
    let written = 0;
    while (written < data.length) written += writeSync(this.fd, data, written, data.length - written);
    if (durable) this.unsynced = true;
    this.offset += data.length;
    if (fstatSync(this.fd).size !== this.offset) {
      // Someone wrote while we held the lock (a lock broken wrongly, or a foreign writer): our byte offset
      // no longer matches the records we applied, so rebuild the whole view on the next read.
      this.logger?.warn(`ledger: ${this.filePath} changed under the lock; rereading it`);
      this.suspect = true;
    }
  }

  /**
   * Makes durable records reach the disk. Safe after the lock is released: other processes already see
   * the records through the page cache; only a power loss needs the disk, and the caller has not been
   * told "settled" yet.
   */
  flush(): void {
    if (!this.unsynced || this.fd < 0) return;
    this.unsynced = false;
    fdatasyncSync(this.fd);
  }

  /**
   * Replaces the file with `records` (compaction): write a sibling, fsync, rename over the journal.
   * Readers holding the old file notice the new inode on their next read and rebuild.
   */
  rewrite(records: readonly JournalRecord[]): void {
    const tmp = `${this.filePath}.compact-${process.pid}`;
    const fd = openSync(tmp, 'w');
    try {
      const data = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8');
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.filePath);
    syncDirectory(path.dirname(this.filePath));
    this.reopen();
    this.offset = fstatSync(this.fd).size;
  }

  /** Deletes compaction leftovers of a crashed process (safe under the lock: nobody else is compacting). */
  removeLeftovers(): void {
    const dir = path.dirname(this.filePath);
    const prefix = `${path.basename(this.filePath)}.compact-`;
    for (const name of readdirSync(dir)) {
      if (name.startsWith(prefix)) {
        unlinkSync(path.join(dir, name));
        this.logger?.info(`ledger: removed an unfinished compaction file ${name}`);
      }
    }
  }

  /** Flushes pending durable records and closes the file. */
  close(): void {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private statPath(): { ino: number; size: number } | undefined {
    try {
      return statSync(this.filePath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private reopen(): void {
    this.close();
    this.unsynced = false;
    mkdirSync(path.dirname(this.filePath), { recursive: true });
    this.fd = openSync(this.filePath, 'a+');
    this.ino = fstatSync(this.fd).ino;
    this.offset = 0;
  }
}

/** Makes a rename durable on POSIX; Windows cannot open directories, and NTFS journals renames itself. */
function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
