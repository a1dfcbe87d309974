import * as vscode from 'vscode';
import type { HostActions } from './chatController';
import { SECTION } from '../../core/config';
import type { Log } from '../log';

/**
 * The chat's host actions on real VS Code APIs. Remembers the last focused text editor, because while
 * the chat panel has focus `window.activeTextEditor` is undefined and "Insert at cursor" needs a target.
 */
export class VsCodeHostActions implements HostActions, vscode.Disposable {
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly log: Log) {
    this.subscription = vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor) this.lastEditor = editor;
    });
  }

  openSettings(): void {
    void vscode.commands.executeCommand('workbench.action.openSettings', 'therapist');
  }

  openLog(): void {
    this.log.show();
  }

  async copyText(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
  }

  async insertAtCursor(code: string): Promise<string | undefined> {
    const editor = this.target();
    if (!editor) return undefined;
    // Replaces each selection (an empty selection is just the cursor), as a paste would.
    const ok = await editor.edit((edit) => {
      for (const selection of editor.selections) edit.replace(selection, code);
    });
    if (!ok) return undefined;
    await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
    return vscode.workspace.asRelativePath(editor.document.uri);
  }

  async setModel(model: string): Promise<'workspace' | 'global'> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const where = config.inspect<string>('model');
    // A workspace (or folder) value wins over the user's: writing the user setting then would change nothing here.
    const workspace = where?.workspaceFolderValue !== undefined || where?.workspaceValue !== undefined;
    await config.update('model', model, workspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
    return workspace ? 'workspace' : 'global';
  }

  logError(message: string, error: unknown): void {
    this.log.error(message, error);
  }

  private target(): vscode.TextEditor | undefined {
    const visible = vscode.window.visibleTextEditors;
    if (this.lastEditor && visible.includes(this.lastEditor)) return this.lastEditor;
    return vscode.window.activeTextEditor ?? visible[0];
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
