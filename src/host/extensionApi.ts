// What activate() returns (`extension.exports`): a small, read-only window into the running extension for
// its own extension-host tests and for other extensions. Plus the backend observer that feeds it, the
// status bar and the dashboard: every request's outcome, without the chat controller knowing about them.
import type * as vscode from 'vscode';
import type { ChatBackend, GenerateResult } from './chat/chatBackend';
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

/** Wraps a backend so that every finished request is reported to `report`, then passed through unchanged. */
export function observeBackend(backend: ChatBackend, report: (outcome: RequestOutcome) => void): ChatBackend {
  return {
    getTokenUsageInfo: (prompt, context, options) => backend.getTokenUsageInfo(prompt, context, options),
    async generateResponse(prompt, context, options) {
      const command = options.command ?? 'chat';
      try {
        const result = await backend.generateResponse(prompt, context, options);
        report({ command, conversationId: options.conversationId, result });
        return result;
      } catch (e) {
        const err = e as { name?: string; code?: string; message?: string; advice?: string; actions?: readonly string[] };
        report({ command, conversationId: options.conversationId, error: { name: err?.name ?? 'Error', code: err?.code, message: err?.message ?? String(e), advice: err?.advice, actions: err?.actions } });
        throw e;
      }
    },
  };
}
