import * as vscode from 'vscode';
import { ChatPanel } from './host/chatPanel';
import { onConfigChange, readConfig } from './host/config';
import { Log } from './host/log';

/**
 * Wires Therapist's services and registrations; nothing else happens here. Heavy work (loading the
 * tokenizer, talking to Ollama) is lazy, so activation stays fast and cannot fail on the network.
 */
export function activate(context: vscode.ExtensionContext): TherapistApi | undefined {
  const log = new Log();
  context.subscriptions.push(log);
  try {
    let config = readConfig();
    const chat = new ChatPanel(context.extensionUri, () => ({ model: config.model, limit: config.maxTokens }));
    context.subscriptions.push(
      chat,
      onConfigChange((next) => {
        config = next;
        log.info(`settings changed: model=${config.model} maxTokens=${config.maxTokens}`);
      }),
      vscode.commands.registerCommand('therapist.openChat', () => chat.show()),
      vscode.commands.registerCommand('therapist.explainSelection', () => chat.show()),
      vscode.commands.registerCommand('therapist.cancel', () => undefined),
      vscode.commands.registerCommand('therapist.showTokenUsage', () => log.show()),
    );
    log.info(`activated (model ${config.model}, window ${config.maxTokens} tokens)`);
    return { getConfig: () => config };
  } catch (error) {
    // VS Code shows nothing when activation throws: say it ourselves, with the way to the details.
    log.error('Therapist failed to activate', error);
    void vscode.window.showErrorMessage(`Therapist failed to start: ${error instanceof Error ? error.message : String(error)}`, 'Open Log').then((choice) => {
      if (choice === 'Open Log') log.show();
    });
    return undefined;
  }
}

/** What the extension exports to tests and other extensions (`extension.exports`). */
export interface TherapistApi {
  getConfig(): ReturnType<typeof readConfig>;
}

export function deactivate(): void {}
