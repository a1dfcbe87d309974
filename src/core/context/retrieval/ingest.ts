import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Chunker } from './chunker';
import { languageLabel } from '../syntax/languages';
import { IndexCancelledError } from './errors';
import { IgnoreRules, candidateGitignores, isBinaryPath, isGeneratedPath } from './fileFilter';
import { normalisePath, readWorkspaceFile, statFile, type ReadOutcome, type WorkspaceFile } from './fileSource';
import type { IndexState } from './indexState';
import { notices } from './notices';
import type { RetrievalOptions } from './options';
import type { IndexNotice, IndexPhase } from './types';

// Reading files into the index: filter, read (a few reads ahead of the chunker, so disk and CPU overlap),
// skip what did not change, chunk, and respect every limit, with one notice per kind of skip.

/** What one sync or update did. */
export interface SyncReport {
  /** Files in the index afterwards. */
  files: number;
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** Files left out (ignored, binary, generated, too large, unreadable, over a limit). */
  skipped: number;
  chunks: number;
  elapsedMs: number;
  notices: IndexNotice[];
}

/** Hooks a job gives the ingester. */
export interface IngestContext {
  signal: AbortSignal;
  job: string;
  progress(phase: IndexPhase, done: number, total: number): void;
  /** Lets queued messages (searches, cancels) run; called often, yields every ~20 ms. */
  yieldNow(): Promise<void>;
}

const READ_AHEAD = 8;

interface Tally {
  count: number;
  example: string;
  extra?: number;
  reason?: string;
}

/** The files one job left out, by why: one notice per kind at the end of the job. */
class Skips {
  readonly tallies: Partial<Record<'tooLarge' | 'binary' | 'generated' | 'unreadable' | 'bytes' | 'chunks', Tally>> = {};
  readonly grammars = new Map<string, { files: number; reason: string }>();

  add(kind: keyof Skips['tallies'], example: string, extra?: number, reason?: string): void {
    const t = (this.tallies[kind] ??= { count: 0, example, extra, reason });
    t.count++;
  }

  grammar(language: string, reason: string): void {
    const seen = this.grammars.get(language) ?? { files: 0, reason };
    seen.files++;
    this.grammars.set(language, seen);
  }

  notices(state: IndexState, options: RetrievalOptions): IndexNotice[] {
    const { tooLarge, binary, generated, unreadable, bytes, chunks } = this.tallies;
    const { limits } = options;
    const out: IndexNotice[] = [];
    if (tooLarge) out.push(notices.fileTooLarge(tooLarge.count, tooLarge.example, tooLarge.extra ?? 0, limits.maxFileBytes));
    if (binary) out.push(notices.binarySkipped(binary.count, binary.example));
    if (generated) out.push(notices.generatedSkipped(generated.count, generated.example));
    if (unreadable) out.push(notices.unreadable(unreadable.count, unreadable.example, unreadable.reason ?? 'unknown'));
    if (bytes) out.push(notices.totalBytes(state.totalBytes, limits.maxTotalBytes, bytes.count));
    if (chunks) out.push(notices.chunkLimit(state.chunks.count, limits.maxChunks, chunks.count));
    for (const [language, seen] of this.grammars) out.push(notices.grammarUnavailable(language, seen.files, seen.reason));
    return out;
  }
}

/** Files to index, changed and unchanged, through filters and limits. */
export class Ingester {
  rules: IgnoreRules;

  constructor(
    private readonly state: IndexState,
    private readonly chunker: Chunker,
    private readonly options: RetrievalOptions,
  ) {
    this.rules = new IgnoreRules(options.ignore);
  }

  /** Makes the index hold exactly the listed files (minus the filtered ones). `full` re-reads every file. */
  async sync(listed: readonly WorkspaceFile[], ctx: IngestContext, full: boolean): Promise<SyncReport> {
    const started = performance.now();
    const files = unique(listed);
    this.rules = await this.readRules(files);
    const report = emptyReport();
    const skips = new Skips();
    const kept = this.filter(files, report, skips);
    const { maxFiles } = this.options.limits;
    if (kept.length > maxFiles) {
      report.notices.push(notices.tooManyFiles(kept.length, maxFiles));
      report.skipped += kept.length - maxFiles;
      kept.length = maxFiles;
    }
    const keep = new Set(kept.map((f) => f.path));
    for (const p of [...this.state.files.keys()]) {
      if (keep.has(p)) continue;
      this.state.removeFile(p);
      report.removed++;
    }
    await this.ingest(kept, ctx, report, skips, full);
    return this.finish(report, skips, started);
  }

  /** Applies file events: changed/created files are re-read, deleted ones (or folders) dropped, renames moved. */
  async update(
    changes: { changed?: readonly WorkspaceFile[]; deleted?: readonly string[]; renamed?: readonly { from: string; to: WorkspaceFile }[] },
    ctx: IngestContext,
  ): Promise<SyncReport> {
    const started = performance.now();
    const report = emptyReport();
    const skips = new Skips();
    const incoming: WorkspaceFile[] = [...(changes.changed ?? [])];
    const gone: string[] = [...(changes.deleted ?? [])];
    for (const { from, to } of changes.renamed ?? []) {
      const source = normalisePath(from);
      const target = { ...to, path: normalisePath(to.path) };
      if (this.state.files.has(source)) incoming.push(target);
      else {
        // A folder: every indexed file under it moves along.
        for (const p of this.state.files.keys()) {
          if (!p.startsWith(`${source}/`)) continue;
          const rest = p.slice(source.length + 1);
          incoming.push({ path: `${target.path}/${rest}`, fsPath: target.fsPath ? path.join(target.fsPath, rest) : undefined });
        }
      }
      gone.push(source);
    }
    const changedGitignores = incoming.filter((f) => path.posix.basename(normalisePath(f.path)) === '.gitignore');
    for (const f of changedGitignores) {
      const text = f.text ?? (await readText(f, this.options.root));
      if (text !== undefined) this.rules.addGitignore(normalisePath(f.path), text);
    }
    // The new copies go in first, so unchanged chunks carry their vectors over from the old paths.
    const kept = this.filter(unique(incoming), report, skips);
    await this.ingest(kept, ctx, report, skips, false);
    const arrived = new Set(kept.map((f) => f.path));
    for (const raw of gone) {
      const p = normalisePath(raw);
      if (arrived.has(p)) continue;
      const under = [...this.state.files.keys()].filter((q) => q === p || q.startsWith(`${p}/`));
      for (const q of under) {
        this.state.removeFile(q);
        report.removed++;
      }
    }
    if (changedGitignores.length > 0) {
      for (const p of [...this.state.files.keys()]) {
        if (!this.rules.ignores(p)) continue;
        this.state.removeFile(p);
        report.removed++;
      }
    }
    return this.finish(report, skips, started);
  }

  private finish(report: SyncReport, skips: Skips, started: number): SyncReport {
    report.notices.push(...skips.notices(this.state, this.options));
    report.files = this.state.files.size;
    report.chunks = this.state.chunks.count;
    report.elapsedMs = performance.now() - started;
    return report;
  }

  private async readRules(files: readonly WorkspaceFile[]): Promise<IgnoreRules> {
    const rules = new IgnoreRules(this.options.ignore);
    const listed = new Map(files.map((f) => [f.path, f]));
    for (const candidate of candidateGitignores(files.map((f) => f.path))) {
      const file = listed.get(candidate) ?? (this.options.root ? { path: candidate } : undefined);
      if (!file) continue;
      const text = file.text ?? (await readText(file, this.options.root));
      if (text !== undefined) rules.addGitignore(candidate, text);
    }
    return rules;
  }

  /** The files worth reading, sorted by path; counts and notices for the rest. */
  private filter(files: readonly WorkspaceFile[], report: SyncReport, skips: Skips): WorkspaceFile[] {
    const kept: WorkspaceFile[] = [];
    for (const file of files) {
      // .gitignore files are the index's rules, not code to search.
      if (this.rules.ignores(file.path) || path.posix.basename(file.path) === '.gitignore') report.skipped++;
      else if (isBinaryPath(file.path)) {
        skips.add('binary', file.path);
        report.skipped++;
      } else if (this.options.skipGenerated && isGeneratedPath(file.path)) {
        skips.add('generated', file.path);
        report.skipped++;
      } else kept.push(file);
    }
    return kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  private async ingest(files: readonly WorkspaceFile[], ctx: IngestContext, report: SyncReport, skips: Skips, full: boolean): Promise<void> {
    const { limits } = this.options;
    const reads: Promise<ReadOutcome | 'unchanged'>[] = [];
    const start = (i: number) => {
      if (i < files.length && reads[i] === undefined) reads[i] = this.read(files[i], full);
    };
    for (let i = 0; i < READ_AHEAD; i++) start(i);
    for (let i = 0; i < files.length; i++) {
      if (ctx.signal.aborted) throw new IndexCancelledError(ctx.job, i, files.length);
      start(i + READ_AHEAD);
      const file = files[i];
      const outcome = await reads[i];
      delete reads[i];
      const existing = this.state.files.get(file.path);
      if (outcome === 'unchanged') {
        this.state.touchFile(file.path, { fsPath: file.fsPath });
        report.unchanged++;
      } else if (outcome.status !== 'ok') {
        if (outcome.status === 'too-large') skips.add('tooLarge', file.path, outcome.size);
        else if (outcome.status === 'unreadable') skips.add('unreadable', file.path, undefined, outcome.reason);
        else skips.add(outcome.status, file.path);
        if (existing) {
          this.state.removeFile(file.path);
          report.removed++;
        }
        report.skipped++;
      } else if (existing && existing.hash === outcome.hash && !full) {
        this.state.touchFile(file.path, { size: outcome.size, mtimeMs: outcome.mtimeMs, fsPath: file.fsPath });
        report.unchanged++;
      } else if (this.state.totalBytes - (existing?.size ?? 0) + outcome.size > limits.maxTotalBytes) {
        skips.add('bytes', file.path);
        report.skipped++;
      } else {
        const cut = await this.chunker.chunkFile(file.path, outcome.text);
        if (ctx.signal.aborted) throw new IndexCancelledError(ctx.job, i, files.length);
        if (this.state.chunks.count - (existing?.docs.length ?? 0) + cut.chunks.length > limits.maxChunks) {
          skips.add('chunks', file.path);
          report.skipped++;
        } else {
          if (cut.fallback?.error) skips.grammar(cut.fallback.error.grammar, cut.fallback.error.message);
          const language = cut.chunks[0]?.language ?? languageLabel(file.path);
          this.state.setFile(
            { path: file.path, fsPath: file.fsPath, hash: outcome.hash, size: outcome.size, mtimeMs: outcome.mtimeMs, language, mode: cut.mode },
            cut.chunks,
          );
          if (existing) report.updated++;
          else report.added++;
        }
      }
      ctx.progress('chunking', i + 1, files.length);
      await ctx.yieldNow();
    }
  }

  /** 'unchanged' when size and mtime match the indexed file (no read), else the read outcome. */
  private async read(file: WorkspaceFile, full: boolean): Promise<ReadOutcome | 'unchanged'> {
    const existing = this.state.files.get(file.path);
    if (existing && !full && file.text === undefined && existing.mtimeMs !== undefined) {
      const facts = await statFile(file, this.options.root);
      if (facts && facts.size === existing.size && facts.mtimeMs === existing.mtimeMs) return 'unchanged';
    }
    return readWorkspaceFile(file, this.options.root, { maxFileBytes: this.options.limits.maxFileBytes, skipGenerated: this.options.skipGenerated });
  }
}

function emptyReport(): SyncReport {
  return { files: 0, added: 0, updated: 0, removed: 0, unchanged: 0, skipped: 0, chunks: 0, elapsedMs: 0, notices: [] };
}

/** Normalised paths, the last entry winning when a path is listed twice. */
function unique(files: readonly WorkspaceFile[]): WorkspaceFile[] {
  const byPath = new Map<string, WorkspaceFile>();
  for (const f of files) byPath.set(normalisePath(f.path), { ...f, path: normalisePath(f.path) });
  return [...byPath.values()];
}

async function readText(file: WorkspaceFile, root: string | undefined): Promise<string | undefined> {
  const where = file.fsPath ?? (root ? path.join(root, file.path) : undefined);
  if (!where) return undefined;
  try {
    return await readFile(where, 'utf8');
  } catch {
    return undefined;
  }
}
