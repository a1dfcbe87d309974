import * as vscode from 'vscode';
import { DEFAULTS, type TherapistConfig } from './configSchema';

export { DEFAULTS, type TherapistConfig };

export const SECTION = 'therapist';

/** Reads the current settings. Values are read as the user wrote them; validation is the core's job. */
export function readConfig(): TherapistConfig {
  const c = vscode.workspace.getConfiguration(SECTION);
  const out = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof TherapistConfig)[]) {
    (out as Record<string, unknown>)[key] = c.get(key, DEFAULTS[key]);
  }
  return out;
}

/** Calls `listener` with the new settings whenever any therapist.* setting changes. */
export function onConfigChange(listener: (config: TherapistConfig, changed: (key: keyof TherapistConfig) => boolean) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration(SECTION)) return;
    listener(readConfig(), (key) => e.affectsConfiguration(`${SECTION}.${key}`));
  });
}
