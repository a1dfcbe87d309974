import * as vscode from 'vscode';
import { statusText, type LastUsage } from './statusBarText';

/** The status bar item: the model and the last request's usage; warning colour near or over the limit. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('therapist.usage', vscode.StatusBarAlignment.Right, 100);
  private last: LastUsage | undefined;

  constructor(private model: string) {
    this.item.name = 'Therapist token usage';
    this.item.command = 'therapist.showTokenUsage';
    this.render();
    this.item.show();
  }

  setModel(model: string): void {
    this.model = model;
    this.render();
  }

  update(last: LastUsage): void {
    this.last = last;
    this.render();
  }

  private render(): void {
    const s = statusText(this.model, this.last);
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.backgroundColor =
      s.level === 'normal' ? undefined : new vscode.ThemeColor(s.level === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
  }

  dispose(): void {
    this.item.dispose();
  }
}
