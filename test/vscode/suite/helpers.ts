import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RequestOutcome, TherapistApi } from '../../../src/host/testApi';

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

/** Opens an untitled document with `content`, runs `fn` with its editor, then closes it without saving. */
export async function withEditor<T>(content: string, language: string, fn: (editor: vscode.TextEditor) => Promise<T>): Promise<T> {
  const doc = await vscode.workspace.openTextDocument({ content, language });
  const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
  try {
    return await fn(editor);
  } finally {
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}
