import * as vscode from 'vscode';
import { DEFAULTS, SECTION, SETTING_KEYS, type TherapistConfig } from '../core/config';

/** Reads the current settings, typed by the core's one schema. Values are read as the user wrote them; validation is the core's. */
export function readConfig(): TherapistConfig {
  const c = vscode.workspace.getConfiguration(SECTION);
  const out = { ...DEFAULTS };
  for (const key of SETTING_KEYS) (out as Record<string, unknown>)[key] = c.get(key, DEFAULTS[key]);
  return out;
}

/** Calls `listener` with the new settings whenever any therapist.* setting changes. */
export function onConfigChange(listener: (config: TherapistConfig) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener(readConfig());
  });
}
