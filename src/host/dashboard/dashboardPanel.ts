import * as vscode from 'vscode';
import type { DashboardData, DashboardRequests, DashboardToHost, HostToDashboard } from '../../protocol/dashboard';
import { answerRequest, type RpcHandlers } from '../../protocol/rpc';
import { messageOf } from '../../core/runtime';
import { Lifetime } from '../lifetime';
import { renderWebviewHtml } from '../webviewHtml';

/** Where the dashboard's numbers come from (the token ledger), as the host wires it. */
export interface DashboardSource {
  data(): Promise<DashboardData>;
  export(format: 'csv' | 'json'): Promise<string>;
}

/** "Therapist: Show Token Usage": one dashboard panel, refreshed on open, on request and after each request. */
export class DashboardPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** What lives as long as the open panel: its listeners end with it, so reopening never piles them up. */
  private panelLifetime: Lifetime | undefined;
  private readonly handlers: RpcHandlers<DashboardRequests> = {
    export: async ({ format }) => {
      const content = await this.source.export(format);
      const doc = await vscode.workspace.openTextDocument({ language: format === 'csv' ? 'csv' : 'json', content });
      await vscode.window.showTextDocument(doc, { preview: false });
      return { where: 'opened in a new editor; save it with Ctrl+S' };
    },
  };

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
    const lifetime = new Lifetime('dashboard panel');
    panel.webview.html = renderWebviewHtml(panel.webview, bundle, 'dashboard', 'Therapist: Token Usage');
    panel.webview.onDidReceiveMessage((m: DashboardToHost) => this.onMessage(m), undefined, lifetime.bucket);
    panel.onDidDispose(
      () => {
        this.panel = undefined;
        this.panelLifetime = undefined;
        lifetime.dispose();
      },
      undefined,
      lifetime.bucket,
    );
    this.panel = panel;
    this.panelLifetime = lifetime;
  }

  /** How many listeners the open panel holds (0 when closed): for the test that reopening does not leak. */
  get listenerCount(): number {
    return this.panelLifetime?.size ?? 0;
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
      case 'request':
        return answerRequest(
          m,
          this.handlers,
          (reply) => this.post(reply),
          (error) => {
            this.onError('Export failed', error);
            return { code: 'export-failed', message: `Export failed: ${messageOf(error)}` };
          },
        );
    }
  }

  private post(message: HostToDashboard): void {
    void this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    this.panelLifetime?.dispose();
  }
}
