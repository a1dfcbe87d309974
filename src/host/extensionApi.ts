// What activate() returns (`extension.exports`): a small, read-only window into the running extension for
// its own extension-host tests and for other extensions.
import type * as vscode from 'vscode';
import type { GenerateResult } from './chat/chatBackend';
import type { DashboardData } from '../protocol/dashboard';
import type { TherapistConfig } from '../core/config';

export interface RequestOutcome {
  command: string;
  conversationId?: string;
  result?: GenerateResult;
  error?: { name: string; code?: string; message: string; advice?: string; actions?: readonly string[] };
}

export interface TherapistApi {
  /** The settings as the extension currently applies them. */
  getConfig(): TherapistConfig;
  /** The current settings problem (e.g. budgets summing over 1), or undefined when the settings are valid. */
  configProblem(): string | undefined;
  /** Fires once per finished request: answered, cancelled or failed. */
  onDidFinishRequest: vscode.Event<RequestOutcome>;
  /** What "Therapist: Show Token Usage" shows: this user's usage from the token ledger. */
  tokenUsage(): Promise<DashboardData>;
}
