import * as vscode from 'vscode';
import type { WebviewToHost } from '../../protocol/chat';
import type { AskRequest, ChatController } from './chatController';
import { Lifetime } from '../lifetime';
import { renderWebviewHtml } from '../webviewHtml';

export const CHAT_VIEW_TYPE = 'therapist.chat';

/**
 * Owns the one chat panel: creates it on demand, reveals it when it exists, and adopts the panel VS Code
 * restores after a reload (as its WebviewPanelSerializer). The conversation itself lives in the
 * controller and its store, so a restored panel simply asks for the state again.
 */
export class ChatPanel implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private panel: vscode.WebviewPanel | undefined;
  /** What lives as long as the open panel (its message and dispose listeners). */
  private panelLifetime = new Lifetime('chat panel');
  private readonly bundle: vscode.Uri;
  private readonly icon: vscode.Uri;

  constructor(
    extensionUri: vscode.Uri,
    private readonly controller: ChatController,
  ) {
    this.bundle = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    this.icon = vscode.Uri.joinPath(extensionUri, 'media', 'therapist.svg');
  }

  /** Registers this panel as the serializer for `therapist.chat` (needs the `onWebviewPanel:therapist.chat` activation event). */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(CHAT_VIEW_TYPE, this);
  }

  /**
   * Opens the panel, or reveals it. The chat never covers the editor being worked in: when the panel shares
   * the active editor's group (say, it was opened before any file), it moves beside it, so Explain Selection
   * shows the answer next to the code it explains.
   */
  show(preserveFocus = false): void {
    if (this.panel) {
      const editorColumn = vscode.window.activeTextEditor?.viewColumn;
      const sharesGroup = editorColumn !== undefined && this.panelColumns().includes(editorColumn);
      this.panel.reveal(sharesGroup ? vscode.ViewColumn.Beside : undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(CHAT_VIEW_TYPE, 'Therapist', { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, this.options());
    this.adopt(panel);
  }

  /** The editor groups holding the chat's tab (the panel's own viewColumn is stale while it is hidden behind an editor). */
  private panelColumns(): vscode.ViewColumn[] {
    return vscode.window.tabGroups.all
      .filter((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(CHAT_VIEW_TYPE)))
      .map((g) => g.viewColumn);
  }

  /** Opens the panel (keeping focus in the editor) and streams the answer to `request` into it. */
  async ask(request: AskRequest): Promise<void> {
    this.show(true);
    await this.controller.ask(request);
  }

  /** Stops the answer being streamed ("Therapist: Stop Generating"). Returns false when none was running. */
  stop(): boolean {
    return this.controller.stop();
  }

  /** Redraws the open panel (call after a settings change so the header shows the new model and window). */
  refresh(): void {
    this.controller.refresh();
  }

  get visible(): boolean {
    return this.panel?.visible ?? false;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, _state: unknown): Promise<void> {
    if (this.panel) {
      // One panel only: a second restored one (two windows' state) is closed.
      panel.dispose();
      return;
    }
    panel.webview.options = this.options();
    this.adopt(panel);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [this.bundle] };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = this.icon;
    this.controller.attach({ post: (message) => void panel.webview.postMessage(message) });
    panel.webview.onDidReceiveMessage((m: WebviewToHost) => void this.controller.handle(m), undefined, this.panelLifetime.bucket);
    panel.onDidDispose(() => this.forget(panel), undefined, this.panelLifetime.bucket);
    // Set last: the webview's `ready` must find the message listener in place.
    panel.webview.html = renderWebviewHtml(panel.webview, this.bundle, 'chat', 'Therapist');
  }

  private forget(panel: vscode.WebviewPanel): void {
    if (this.panel !== panel) return;
    this.panel = undefined;
    this.controller.detach();
    this.panelLifetime.dispose();
    this.panelLifetime = new Lifetime('chat panel');
  }

  dispose(): void {
    this.panel?.dispose();
    this.panelLifetime.dispose();
  }
}
