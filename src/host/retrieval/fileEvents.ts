// File events as the index takes them: a save, a create, a delete or a rename arrive one by one (a `git checkout`
// sends thousands), and are applied together once things are quiet, at most `maxWaitMs` after the first one. The last
// event for a path wins (deleted then created = changed), a deleted folder covers what was inside it, and the
// watcher's delete/create pair of a rename VS Code also reported as a rename is dropped: the rename moves the
// chunks (and their vectors) instead of indexing the file again.

export interface FileBatch {
  changed: string[];
  deleted: string[];
  renamed: { from: string; to: string }[];
}

export interface BatcherOptions {
  /** Quiet time before a batch is applied. */
  delayMs?: number;
  /** A batch waits at most this long after its first event. */
  maxWaitMs?: number;
  setTimer?: (run: () => void, ms: number) => () => void;
  now?: () => number;
}

const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

export class FileEventBatcher {
  private readonly state = new Map<string, 'changed' | 'deleted'>();
  private renames: { from: string; to: string }[] = [];
  private firstAt: number | undefined;
  private cancelTimer: (() => void) | undefined;
  private readonly delayMs: number;
  private readonly maxWaitMs: number;
  private readonly setTimer: NonNullable<BatcherOptions['setTimer']>;
  private readonly now: () => number;

  constructor(
    private readonly apply: (batch: FileBatch) => void,
    options: BatcherOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 300;
    this.maxWaitMs = options.maxWaitMs ?? 2000;
    this.setTimer =
      options.setTimer ??
      ((run, ms) => {
        const t = setTimeout(run, ms);
        return () => clearTimeout(t);
      });
    this.now = options.now ?? Date.now;
  }

  /** A file was created or saved. */
  changed(path: string): void {
    this.state.set(path, 'changed');
    this.schedule();
  }

  /** A file or folder was deleted. */
  deleted(path: string): void {
    for (const p of [...this.state.keys()]) if (p !== path && under(p, path)) this.state.delete(p);
    this.state.set(path, 'deleted');
    this.schedule();
  }

  /** A file or folder was renamed or moved (VS Code's onDidRenameFiles). */
  renamed(from: string, to: string): void {
    this.renames.push({ from, to });
    this.schedule();
  }

  /** Applies what is pending now (a rebuild is about to list everything anyway: callers may also just drop it). */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.firstAt = undefined;
    if (this.state.size === 0 && this.renames.length === 0) return;
    const renames = this.renames;
    const covered = (p: string) => renames.some((r) => under(p, r.from) || under(p, r.to));
    const batch: FileBatch = { changed: [], deleted: [], renamed: renames };
    for (const [path, kind] of this.state) if (!covered(path)) batch[kind].push(path);
    this.state.clear();
    this.renames = [];
    this.apply(batch);
  }

  /** Forgets what is pending (the index is being rebuilt or closed). */
  clear(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.firstAt = undefined;
    this.state.clear();
    this.renames = [];
  }

  private schedule(): void {
    const now = this.now();
    this.firstAt ??= now;
    this.cancelTimer?.();
    const wait = Math.max(0, Math.min(this.delayMs, this.firstAt + this.maxWaitMs - now));
    this.cancelTimer = this.setTimer(() => this.flush(), wait);
  }
}
