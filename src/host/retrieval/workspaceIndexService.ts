import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IndexNotice, SemanticState } from '../../core/context/retrieval';
import type { TherapistConfig } from '../../core/config';
import type { ContextLocation } from '../../protocol/context';
import { Lifetime } from '../lifetime';
import type { Log } from '../log';
import { FolderIndex } from './folderIndex';
import { retrievalKey } from './indexSettings';
import { combineActivities, noticePresentation, type IndexActivity } from './indexStatus';
import { IndexStatusBar, STOP_INDEXING_COMMAND } from './indexStatusBar';
import type { EditorHints, RetrievalAvailability } from './retrievalContext';
import { WorkspaceSearch } from './workspaceSearch';

export interface WorkspaceIndexServiceOptions {
  extensionPath: string;
  /** The extension's storage for this workspace (undefined without one: then global storage, keyed by folder). */
  storageUri: vscode.Uri | undefined;
  globalStorageUri: vscode.Uri;
  log: Log;
  /** The settings in force, read live. */
  settings: () => Readonly<TherapistConfig>;
}

/** What the index holds, summed over the folders (for the log and the extension's test API). */
export interface IndexSummary {
  folders: number;
  files: number;
  chunks: number;
  semantic: SemanticState[];
}

const RECENT_FILES = 20;

/**
 * The workspace index of every folder on disk: started with the extension (the saved index loads at once, then the
 * files are synced in the worker), restarted when the folders or the retrieval settings change, stopped when
 * therapist.retrieval.enabled is off. Shows progress in the status bar and limits as messages, and knows where the
 * user is (selection, recently edited files) for the ranking.
 */
export class WorkspaceIndexService implements vscode.Disposable {
  readonly search: WorkspaceSearch;
  private folders = new Map<string, FolderIndex>();
  private readonly activities = new Map<string, IndexActivity>();
  private readonly statusBar = new IndexStatusBar();
  private readonly lifetime = new Lifetime('workspace index');
  private readonly shownNotices = new Set<string>();
  private readonly recent: string[] = [];
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private key: string;
  private restarting: Promise<void> = Promise.resolve();

  constructor(private readonly o: WorkspaceIndexServiceOptions) {
    this.key = retrievalKey(o.settings());
    this.search = new WorkspaceSearch(() => [...this.folders.values()].filter((f) => !f.failure).map((f) => ({ name: f.folder.name, index: f.index })));
    this.lifetime.add(
      this.statusBar,
      vscode.commands.registerCommand(STOP_INDEXING_COMMAND, () => this.cancel()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.restart()),
      vscode.workspace.onDidRenameFiles((e) => {
        for (const { oldUri, newUri } of e.files) for (const f of this.folders.values()) f.renamed(f.relative(oldUri), f.relative(newUri), newUri);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.exclude') || e.affectsConfiguration('search.exclude')) for (const f of this.folders.values()) void f.resync();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.touch(e.document.uri);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.lastEditor = editor;
      }),
    );
    this.start();
  }

  /** Applies changed settings: a new index when the embedding model, the server or a limit changed, none when off. */
  configure(settings: Readonly<TherapistConfig>): void {
    const key = retrievalKey(settings);
    if (key === this.key) return;
    this.key = key;
    this.restart();
  }

  /** Whether the index can be asked, and what the user should know about its answers. */
  availability(): RetrievalAvailability {
    const settings = this.o.settings();
    if (!settings['retrieval.enabled']) return { state: 'off' };
    const all = [...this.folders.values()];
    if (all.length === 0) {
      const open = vscode.workspace.workspaceFolders?.length ?? 0;
      return { state: 'unavailable', note: open ? 'Only folders on disk are indexed.' : 'Open a folder to search its code.' };
    }
    const answering = all.filter((f) => !f.failure);
    if (answering.length === 0) return { state: 'unavailable', note: all[0].failure ?? 'The workspace index stopped.' };
    if (answering.some((f) => f.building)) return { state: 'ready', note: 'The workspace index is still being built: files not indexed yet are not searched.' };
    if (!settings.embeddingModel.trim()) return { state: 'ready', note: 'Lexical search only: therapist.embeddingModel is empty.' };
    return { state: 'ready' };
  }

  /** The user's selection (when something is selected) and recently edited files, as workspace paths. */
  where(): EditorHints {
    const visible = vscode.window.visibleTextEditors;
    const editor = vscode.window.activeTextEditor ?? (this.lastEditor && visible.includes(this.lastEditor) ? this.lastEditor : undefined);
    const file = editor && this.displayPath(editor.document.uri);
    // An empty selection is only where the cursor happens to be: no reason to favour the code around it.
    const selection =
      editor && file && !editor.selection.isEmpty ? { file, startLine: editor.selection.start.line + 1, endLine: editor.selection.end.line + 1 } : undefined;
    return { selection, recentFiles: this.recent.slice(0, 10) };
  }

  /** The workspace path of a URI (`<folder>/<path>` in a multi-root workspace), or undefined outside the indexed folders. */
  displayPath(uri: vscode.Uri): string | undefined {
    for (const f of this.folders.values()) {
      const rel = f.relative(uri);
      if (rel !== undefined) return this.search.display(f.folder.name, rel);
    }
    return undefined;
  }

  /** Opens a workspace path at its lines, in the editor group beside the chat (or the last editor's). */
  async open(location: ContextLocation): Promise<boolean> {
    // Explain Selection's chunks of a file outside the workspace carry its absolute path.
    const where = path.isAbsolute(location.file) ? undefined : this.search.resolve(location.file);
    const folder = where && [...this.folders.values()].find((f) => f.folder.name === where.folder.name);
    const uri = path.isAbsolute(location.file)
      ? vscode.Uri.file(location.file)
      : folder && where
        ? vscode.Uri.joinPath(folder.folder.uri, where.path)
        : undefined;
    if (!uri) return false;
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      const last = Math.max(0, Math.min(doc.lineCount - 1, location.endLine - 1));
      const range = new vscode.Range(Math.max(0, location.startLine - 1), 0, last, doc.lineAt(last).text.length);
      const column = this.lastEditor && vscode.window.visibleTextEditors.includes(this.lastEditor) ? this.lastEditor.viewColumn : vscode.ViewColumn.Beside;
      const editor = await vscode.window.showTextDocument(doc, {
        viewColumn: column,
        selection: new vscode.Selection(range.start, range.start),
        preview: true,
      });
      editor.revealRange(range, vscode.TextEditorRevealType.AtTop);
      return true;
    } catch (error) {
      this.o.log.warn(`could not open ${location.file}: ${String(error)}`);
      return false;
    }
  }

  /**
   * "Therapist: Rebuild Workspace Index": new workers (the embedding model is asked again), every folder's saved
   * chunks forgotten and its files indexed again. Resolves when the rebuild has finished.
   */
  async rebuild(): Promise<void> {
    await this.restarting;
    const why = this.availability();
    if (why.state !== 'ready') {
      void vscode.window.showInformationMessage(
        why.state === 'off' ? 'Therapist: workspace retrieval is off (therapist.retrieval.enabled).' : `Therapist: no index to rebuild. ${why.note}`,
      );
      return;
    }
    this.shownNotices.clear();
    this.restart(true);
    await this.idle();
  }

  /** Stops what the indexes are doing (the status bar item's click). */
  cancel(): void {
    for (const f of this.folders.values()) f.cancel();
  }

  /** Resolves when the indexes have done everything asked so far, with their sizes (tests, the log). */
  async idle(): Promise<IndexSummary> {
    await this.restarting;
    const folders = [...this.folders.values()];
    await Promise.all(folders.map((f) => f.idle()));
    const stats = await Promise.all(folders.filter((f) => !f.failure).map((f) => f.index.stats()));
    return {
      folders: folders.length,
      files: stats.reduce((n, s) => n + s.files, 0),
      chunks: stats.reduce((n, s) => n + s.chunks, 0),
      semantic: stats.map((s) => s.semantic),
    };
  }

  private start(rebuild = false): void {
    const settings = this.o.settings();
    if (!settings['retrieval.enabled']) {
      this.statusBar.show({ kind: 'off' });
      return;
    }
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      // The worker reads files and .gitignore from disk: virtual file systems are not indexed.
      if (folder.uri.scheme !== 'file') continue;
      const id = folder.uri.toString();
      const key = createHash('sha1').update(id).digest('hex').slice(0, 16);
      const storageDir = path.join((this.o.storageUri ?? this.o.globalStorageUri).fsPath, 'retrieval', key);
      try {
        const index = new FolderIndex(folder, {
          extensionPath: this.o.extensionPath,
          storageDir,
          settings,
          log: this.o.log,
          onActivity: (activity) => this.showActivity(id, activity),
          onNotice: (notice) => this.notice(folder.name, notice),
        });
        this.folders.set(id, index);
        void index.start(rebuild);
      } catch (error) {
        this.o.log.error(`index ${folder.name}: could not start`, error);
        this.showActivity(id, { kind: 'failed', message: String(error) });
      }
    }
  }

  private restart(rebuild = false): void {
    const previous = [...this.folders.values()];
    this.folders = new Map();
    this.activities.clear();
    this.restarting = this.restarting
      .then(() => Promise.all(previous.map((f) => f.dispose())))
      .then(() => this.start(rebuild))
      .catch((error: unknown) => this.o.log.error('workspace index: restart failed', error));
  }

  private showActivity(id: string, activity: IndexActivity): void {
    if (!this.folders.has(id) && activity.kind !== 'failed') return;
    this.activities.set(id, activity);
    this.statusBar.show(combineActivities([...this.activities.values()]));
  }

  /** Every notice goes to the log; limits and failures also as a message, once per kind and session. */
  private notice(folder: string, n: IndexNotice): void {
    const shown = noticePresentation(n);
    const line = `index ${folder}: ${n.message} ${n.advice} ${JSON.stringify(n.details)}`;
    if (shown.show) this.o.log.warn(line);
    else this.o.log.info(line);
    if (!shown.show || this.shownNotices.has(n.code)) return;
    this.shownNotices.add(n.code);
    const actions = shown.setting ? ['Open Settings', 'Open Log'] : ['Open Log'];
    void vscode.window.showWarningMessage(shown.text, ...actions).then((choice) => {
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', `therapist.${shown.setting}`);
      else if (choice === 'Open Log') this.o.log.show();
    });
  }

  private touch(uri: vscode.Uri): void {
    const file = this.displayPath(uri);
    if (!file) return;
    const at = this.recent.indexOf(file);
    if (at === 0) return;
    if (at > 0) this.recent.splice(at, 1);
    this.recent.unshift(file);
    this.recent.length = Math.min(this.recent.length, RECENT_FILES);
  }

  dispose(): void {
    this.lifetime.dispose();
    const all = [...this.folders.values()];
    this.folders.clear();
    for (const f of all) void f.dispose();
  }
}
