import * as vscode from 'vscode';
import { indexStatusView, type IndexActivity } from './indexStatus';

/** Stops the running index job; the status bar item's command while the index works (not in the palette). */
export const STOP_INDEXING_COMMAND = 'therapist.stopIndexing';
export const REBUILD_INDEX_COMMAND = 'therapist.rebuildIndex';

/** The workspace index's status bar item: progress while it works (click stops it), a warning when it needs a rebuild. */
export class IndexStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('therapist.index', vscode.StatusBarAlignment.Right, 99);

  constructor() {
    this.item.name = 'Therapist workspace index';
  }

  show(activity: IndexActivity): void {
    const view = indexStatusView(activity);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.cancellable ? STOP_INDEXING_COMMAND : view.warning ? REBUILD_INDEX_COMMAND : undefined;
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    if (view.visible) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
