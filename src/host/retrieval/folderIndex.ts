import * as path from 'node:path';
import * as vscode from 'vscode';
import { IndexCancelledError, WorkerIndex, type IndexNotice, type WorkspaceFile } from '../../core/context/retrieval';
import { messageOf } from '../../core/runtime';
import { Lifetime } from '../lifetime';
import type { Log } from '../log';
import { ExcludeRules } from './excludeGlobs';
import { FileEventBatcher, type FileBatch } from './fileEvents';
import { heapLimitMb, limitsOf, type RetrievalSettings } from './indexSettings';
import type { IndexActivity } from './indexStatus';

/**
 * One workspace folder's index: a WorkerIndex (parsing, chunking and search run in its thread), fed with the
 * folder's files as VS Code lists them (files.exclude and search.exclude honoured; .gitignore is the core's), kept
 * up to date from a file watcher, saved in the extension's storage for this workspace. Jobs run one at a time in
 * order; each long one can be stopped.
 */
export class FolderIndex implements vscode.Disposable {
  readonly index: WorkerIndex;
  /** Set while the first listing and sync of this session have not finished: results may be incomplete. */
  building = true;
  /** Why the index cannot answer (its worker stopped), when it cannot. */
  failure: string | undefined;
  private rules: ExcludeRules;
  private readonly batcher: FileEventBatcher;
  private readonly lifetime = new Lifetime('folder index');
  private job: AbortController | undefined;
  private work: Promise<unknown> = Promise.resolve();
  private files = 0;
  private chunks = 0;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    private readonly o: {
      extensionPath: string;
      storageDir: string;
      settings: RetrievalSettings;
      log: Log;
      onActivity: (activity: IndexActivity) => void;
      onNotice: (notice: IndexNotice) => void;
    },
  ) {
    const dist = path.join(o.extensionPath, 'dist');
    this.index = new WorkerIndex({
      workerScript: path.join(dist, 'retrievalWorker.js'),
      // The fast conservative estimate sizes chunks; the token engine counts the chosen ones again exactly.
      tokenizer: 'estimate',
      maxHeapMb: heapLimitMb(o.settings),
      options: {
        grammarDir: path.join(dist, 'tree-sitter'),
        storageDir: o.storageDir,
        root: folder.uri.fsPath,
        embedding: { ollamaUrl: o.settings.ollamaUrl, model: o.settings.embeddingModel.trim() },
        limits: limitsOf(o.settings),
      },
    });
    this.rules = this.readRules();
    this.batcher = new FileEventBatcher((batch) => void this.enqueue('update', (signal) => this.apply(batch, signal)));
    const stopProgress = this.index.onProgress((progress) => {
      this.files = progress.files;
      this.chunks = progress.chunks;
      o.onActivity(progress.phase === 'idle' ? { kind: 'ready', files: progress.files, chunks: progress.chunks } : { kind: 'working', progress });
    });
    const stopNotices = this.index.onNotice((notice) => {
      if (notice.code === 'worker-stopped') this.failure = notice.message;
      o.onNotice(notice);
    });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
    this.lifetime.add(
      watcher,
      watcher.onDidCreate((uri) => this.event(uri, 'changed')),
      watcher.onDidChange((uri) => this.event(uri, 'changed')),
      watcher.onDidDelete((uri) => this.event(uri, 'deleted')),
      { dispose: stopProgress },
      { dispose: stopNotices },
    );
  }

  /**
   * Opens the saved index (searchable at once), then brings it up to date with the folder's files; with `rebuild`,
   * forgets the saved chunks and indexes every file again (vectors of unchanged chunks are kept).
   */
  start(rebuild = false): Promise<void> {
    return this.enqueue(rebuild ? 'rebuild' : 'open and sync', async (signal) => {
      const opened = await this.index.open();
      this.o.log.info(
        `index ${this.folder.name}: ${opened.loaded ? `loaded ${opened.files} files, ${opened.chunks} chunks, ${opened.vectors} vectors in ${Math.round(opened.elapsedMs)} ms` : 'no saved index'}${opened.rebuiltBecause ? ` (rebuilt: ${opened.rebuiltBecause})` : ''}`,
      );
      const files = await this.list(signal);
      const report = rebuild ? await this.index.rebuild(files, { signal }) : await this.index.sync(files, { signal });
      this.building = false;
      this.o.log.info(
        `index ${this.folder.name}: ${rebuild ? 'rebuilt, ' : ''}${report.files} files (${report.added} added, ${report.updated} updated, ${report.removed} removed, ${report.skipped} skipped), ${report.chunks} chunks in ${Math.round(report.elapsedMs)} ms`,
      );
    });
  }

  /** Lists the files again (the exclude settings changed) and syncs. */
  resync(): Promise<void> {
    this.rules = this.readRules();
    return this.enqueue('sync', async (signal) => {
      await this.index.sync(await this.list(signal), { signal });
    });
  }

  /** Stops the running job; what it finished stays indexed. */
  cancel(): void {
    this.job?.abort();
  }

  /** Resolves when every job queued so far (and the file events pending now) has finished. */
  async idle(): Promise<void> {
    this.batcher.flush();
    for (let seen: Promise<unknown> | undefined; seen !== this.work;) {
      seen = this.work;
      await seen;
    }
  }

  /** A rename VS Code reported (both paths relative to this folder; undefined = outside it). */
  renamed(from: string | undefined, to: string | undefined, toUri: vscode.Uri): void {
    if (from !== undefined && to !== undefined && !this.rules.matches(to)) this.batcher.renamed(from, to);
    else {
      if (from !== undefined) this.batcher.deleted(from);
      if (to !== undefined && !this.rules.matches(to)) void this.expand(toUri).then((paths) => paths.forEach((p) => this.batcher.changed(p)));
    }
  }

  /** The folder-relative path of a URI inside this folder, with `/`; undefined outside it. */
  relative(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== this.folder.uri.scheme) return undefined;
    const rel = path.posix.relative(this.folder.uri.path, uri.path);
    return rel && !rel.startsWith('..') && !path.posix.isAbsolute(rel) ? rel : undefined;
  }

  async dispose(): Promise<void> {
    this.cancel();
    this.batcher.clear();
    this.lifetime.dispose();
    await this.index.close().catch((error: unknown) => this.o.log.warn(`index ${this.folder.name}: closing failed: ${messageOf(error)}`));
  }

  private readRules(): ExcludeRules {
    const files = vscode.workspace.getConfiguration('files', this.folder.uri).get<Record<string, unknown>>('exclude');
    const search = vscode.workspace.getConfiguration('search', this.folder.uri).get<Record<string, unknown>>('exclude');
    return new ExcludeRules(files, search);
  }

  private event(uri: vscode.Uri, kind: 'changed' | 'deleted'): void {
    const rel = this.relative(uri);
    if (rel === undefined || (kind === 'changed' && this.rules.matches(rel))) return;
    if (kind === 'deleted') this.batcher.deleted(rel);
    else this.batcher.changed(rel);
  }

  /** Runs one job after the ones before it, with its own stop signal; failures are logged, never thrown. */
  private enqueue(name: string, job: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const run = async () => {
      const controller = new AbortController();
      this.job = controller;
      try {
        await job(controller.signal);
      } catch (error) {
        // Through the worker a cancel arrives as a RemoteIndexError with the cancel's code.
        if ((error as { code?: string }).code === 'retrieval-cancelled' || controller.signal.aborted) {
          this.o.log.info(`index ${this.folder.name}: ${name} stopped`);
          this.o.onActivity({ kind: 'cancelled', files: this.files });
        } else {
          this.o.log.error(`index ${this.folder.name}: ${name} failed`, error);
          this.o.onActivity({ kind: 'failed', message: messageOf(error) });
        }
      } finally {
        if (this.job === controller) this.job = undefined;
      }
    };
    const next = this.work.then(run);
    this.work = next;
    return next;
  }

  /** The folder's files as VS Code lists them, minus both exclude settings. */
  private async list(signal: AbortSignal): Promise<WorkspaceFile[]> {
    this.o.onActivity({ kind: 'listing', folders: 1 });
    const tokens = new vscode.CancellationTokenSource();
    const stop = () => tokens.cancel();
    signal.addEventListener('abort', stop, { once: true });
    try {
      const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(this.folder, '**/*'), this.rules.findFilesGlob(), undefined, tokens.token);
      if (signal.aborted) throw new IndexCancelledError('listing', 0, uris.length);
      const files: WorkspaceFile[] = [];
      for (const uri of uris) {
        const rel = this.relative(uri);
        if (rel !== undefined && !this.rules.matches(rel)) files.push({ path: rel, fsPath: uri.fsPath });
      }
      return files;
    } finally {
      signal.removeEventListener('abort', stop);
      tokens.dispose();
    }
  }

  /** The files a created path stands for: itself, or everything listed under a new folder. */
  private async expand(uri: vscode.Uri): Promise<string[]> {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (!(stat.type & vscode.FileType.Directory)) {
        const rel = this.relative(uri);
        return rel !== undefined ? [rel] : [];
      }
      const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(uri, '**/*'), this.rules.findFilesGlob());
      return uris.map((u) => this.relative(u)).filter((r): r is string => r !== undefined && !this.rules.matches(r));
    } catch {
      return [];
    }
  }

  /** Applies a batch of file events: created folders expanded, paths that vanished since counted as deleted. */
  private async apply(batch: FileBatch, signal: AbortSignal): Promise<void> {
    const changed: WorkspaceFile[] = [];
    const deleted = [...batch.deleted];
    for (const rel of batch.changed) {
      const uri = vscode.Uri.joinPath(this.folder.uri, rel);
      const paths = await this.expand(uri);
      if (paths.length === 0) deleted.push(rel);
      for (const p of paths) changed.push({ path: p, fsPath: vscode.Uri.joinPath(this.folder.uri, p).fsPath });
    }
    const renamed = batch.renamed.map((r) => ({ from: r.from, to: { path: r.to, fsPath: vscode.Uri.joinPath(this.folder.uri, r.to).fsPath } }));
    const report = await this.index.update({ changed, deleted, renamed }, { signal });
    this.o.log.info(
      `index ${this.folder.name}: update (${changed.length} changed, ${deleted.length} deleted, ${renamed.length} renamed): ${report.added} added, ${report.updated} updated, ${report.removed} removed, ${report.chunks} chunks`,
    );
  }
}
