import * as vscode from 'vscode';
import type { DashboardData, DashboardToHost, HostToDashboard } from '../../protocol/dashboard';
import { renderWebviewHtml } from '../webviewHtml';
import { messageOf } from '../../core/runtime';

/** Where the dashboard's numbers come from (the token ledger), as the host wires it. */
export interface DashboardSource {
  data(): Promise<DashboardData>;
  export(format: 'csv' | 'json'): Promise<string>;
}

/** "Therapist: Show Token Usage": one dashboard panel, refreshed on open, on request and after each request. */
export class DashboardPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: DashboardSource,
    private readonly onError: (message: string, error: unknown) => void,
  ) {}

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      void this.refresh();
      return;
    }
    const bundle = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel('therapist.usage', 'Therapist: Token Usage', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [bundle],
    });
    panel.webview.html = renderWebviewHtml(panel.webview, bundle, 'dashboard', 'Therapist: Token Usage');
    panel.webview.onDidReceiveMessage((m: DashboardToHost) => this.onMessage(m), undefined, this.disposables);
    panel.onDidDispose(() => (this.panel = undefined), undefined, this.disposables);
    this.panel = panel;
  }

  /** Re-sends the numbers if the dashboard is open (after each request, so it stays live). */
  async refresh(): Promise<void> {
    if (!this.panel) return;
    try {
      this.post({ type: 'data', data: await this.source.data() });
    } catch (error) {
      this.onError('Could not read token usage', error);
      this.post({ type: 'error', message: `Could not read token usage: ${messageOf(error)}` });
    }
  }

  private async onMessage(m: DashboardToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
      case 'refresh':
        return this.refresh();
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', m.setting);
        return;
      case 'export':
        try {
          const content = await this.source.export(m.format);
          const doc = await vscode.workspace.openTextDocument({ language: m.format === 'csv' ? 'csv' : 'json', content });
          await vscode.window.showTextDocument(doc, { preview: false });
          this.post({ type: 'exported', format: m.format, where: 'opened in a new editor; save it with Ctrl+S' });
        } catch (error) {
          this.onError('Export failed', error);
          this.post({ type: 'error', message: `Export failed: ${messageOf(error)}` });
        }
    }
  }

  private post(message: HostToDashboard): void {
    void this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
