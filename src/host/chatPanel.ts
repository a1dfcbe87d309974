import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../protocol';
import { renderWebviewHtml } from './webviewHtml';

/** Owns the single chat panel: creates it on demand, reveals it when it exists. */
export class ChatPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly getState: () => { model: string; limit: number },
  ) {}

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const bundle = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel('therapist.chat', 'Therapist', vscode.ViewColumn.Beside, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [bundle],
    });
    panel.webview.html = renderWebviewHtml(panel.webview, bundle, 'chat', 'Therapist');
    panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m), undefined, this.disposables);
    panel.onDidDispose(() => (this.panel = undefined), undefined, this.disposables);
    this.panel = panel;
  }

  private onMessage(message: WebviewToHost): void {
    if (message.type === 'ready') {
      const { model, limit } = this.getState();
      this.post({ type: 'state', model, limit });
    }
  }

  private post(message: HostToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
