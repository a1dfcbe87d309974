import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RequestOutcome, TherapistApi } from '../../../src/host/extensionApi';
import { OllamaSimulator } from '../../support/ollamaSimulator';

export const EXTENSION_ID = 'therapist-dev.therapist';

/** Activates Therapist (as a user running one of its commands would) and returns its test API. */
export async function activateTherapist(): Promise<TherapistApi> {
  const ext = vscode.extensions.getExtension<TherapistApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  const api = await ext.activate();
  assert.ok(ext.isActive, 'extension did not activate');
  assert.ok(api, 'activate() returned no API (activation failed: see the Therapist log)');
  return api;
}

/** Polls `check` until it returns a truthy value or `ms` pass (VS Code applies some changes a moment later). */
export async function eventually<T>(check: () => T | Promise<T>, ms = 10000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

/** The next finished request (success, cancel or failure) as the extension reports it to tests. */
export function nextOutcome(api: TherapistApi, ms = 60000): Promise<RequestOutcome> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no request finished within ${ms} ms`));
    }, ms);
    const sub = api.onDidFinishRequest((outcome) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(outcome);
    });
  });
}

/** Sets therapist.* user settings (undefined removes one) and waits until VS Code reports them. */
export async function setSettings(values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('therapist');
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Global);
}

export async function resetSettings(): Promise<void> {
  const keys = Object.keys(vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.configuration.properties);
  await setSettings(Object.fromEntries(keys.map((k) => [k.replace(/^therapist\./, ''), undefined])));
}

/**
 * Opens a new file holding `content` in the first editor group, runs `fn` with its editor, then closes it.
 * Real files with unique names, not untitled documents: untitled names are reused ("Untitled-1"), and a new one
 * opened while the previous test's is still closing comes back with the old content.
 */
export async function withEditor<T>(content: string, language: string, fn: (editor: vscode.TextEditor) => Promise<T>): Promise<T> {
  const extension = { javascript: 'js', typescript: 'ts', python: 'py' }[language] ?? 'txt';
  const file = path.join(os.tmpdir(), `therapist-test-${Date.now()}-${Math.random().toString(36).slice(2)}.${extension}`);
  fs.writeFileSync(file, content);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  assert.equal(doc.getText(), content, `${doc.uri.toString()} does not hold the content written`);
  const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
  // On a busy machine the extension host learns about the new active editor a moment after showTextDocument
  // resolves; a command run before that sees the previous editor (or none).
  await eventually(() => vscode.window.activeTextEditor?.document === doc, 10000, 'the new editor to be active');
  try {
    return await fn(editor);
  } finally {
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    fs.rmSync(file, { force: true });
  }
}

/**
 * Runs "Explain Selection" and resolves with the request's outcome. Fails at once, with the reason, when the
 * command found nothing selected (it then sends nothing, and no outcome would ever come).
 */
export async function explainAndWait(api: TherapistApi): Promise<RequestOutcome> {
  const outcome = nextOutcome(api);
  const ran = vscode.commands.executeCommand<boolean>('therapist.explainSelection').then((sent) => {
    if (sent === false) throw new Error('Explain Selection found no selection in the active editor and sent nothing');
    return outcome;
  });
  return Promise.race([outcome, ran]);
}

/**
 * Selects in an editor the way the workbench does, and waits until the extension host sees it. Assigning
 * `editor.selection` right after opening a large document races with the editor's own first selection event,
 * which can arrive later and put the cursor back at the start.
 */
export async function select(editor: vscode.TextEditor, selection: vscode.Selection): Promise<void> {
  await vscode.window.showTextDocument(editor.document, { selection, preview: false, viewColumn: editor.viewColumn });
  const seen = () => {
    const active = vscode.window.activeTextEditor;
    return `active: ${active ? `${active.document.uri.toString()} selection ${JSON.stringify(active.selection)}` : 'none'}; ours: ${JSON.stringify(editor.selection)}; visible: ${vscode.window.visibleTextEditors.length}`;
  };
  await eventually(
    () => vscode.window.activeTextEditor?.document === editor.document && vscode.window.activeTextEditor.selection.isEqual(selection),
    10000,
    `selection ${JSON.stringify(selection)}`,
  ).catch((e) => {
    throw new Error(`${e.message}; ${seen()}`);
  });
}

/**
 * For a mocha suite: an Ollama simulator serving one model `coder:7b` (trained for 16k) with `reply`, Therapist
 * pointed at it with a 4096-token window, everything reset afterwards; the request log is cleared before each test.
 */
export function simulatorForSuite(reply: string): OllamaSimulator {
  const sim = new OllamaSimulator({ models: [{ name: 'coder:7b', contextLength: 16384, reply }] });
  before(async () => {
    await sim.start();
    await activateTherapist();
    await setSettings({ ollamaUrl: sim.url, model: 'coder:7b', maxTokens: 4096 });
  });
  after(async () => {
    await resetSettings();
    await sim.stop();
  });
  beforeEach(() => sim.reset());
  return sim;
}
