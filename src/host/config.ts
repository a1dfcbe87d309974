import * as vscode from 'vscode';

/** Every Therapist setting, typed, with the defaults package.json declares. */
export interface TherapistConfig {
  maxTokens: number;
  systemTokenBudget: number;
  userTokenBudget: number;
  contextTokenBudget: number;
  enableStreaming: boolean;
  streamingTimeout: number;
  ollamaUrl: string;
  model: string;
  /** Empty = the OS user name. */
  userId: string;
  'quota.dailyTokens': number;
  'quota.monthlyTokens': number;
  'quota.conversationTokens': number;
  'rateLimit.tokensPerMinute': number;
}

export const DEFAULTS: TherapistConfig = {
  maxTokens: 8192,
  systemTokenBudget: 0.2,
  userTokenBudget: 0.3,
  contextTokenBudget: 0.5,
  enableStreaming: true,
  streamingTimeout: 30000,
  ollamaUrl: 'http://127.0.0.1:11434',
  model: 'deepseek-coder:6.7b',
  userId: '',
  'quota.dailyTokens': 0,
  'quota.monthlyTokens': 0,
  'quota.conversationTokens': 0,
  'rateLimit.tokensPerMinute': 0,
};

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
