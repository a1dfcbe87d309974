// What activate() returns (`extension.exports`): a small, read-only window into the running extension for
// its own extension-host tests and for other extensions.
import type * as vscode from 'vscode';
import type { GenerateResult } from './chat/chatBackend';
import type { DashboardData } from '../protocol/dashboard';
import type { TherapistConfig } from '../core/config';
import type { ChatMessage, WebviewToHost } from '../protocol/chat';
import type { IndexSummary } from './retrieval/workspaceIndexService';

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
  /** Handles one chat panel command as if the panel sent it (`send` resolves when the answer has ended). */
  chatCommand(message: WebviewToHost): Promise<void>;
  /** The active conversation's messages, each answer with its context list (`context`). */
  conversation(): readonly ChatMessage[];
  /** Resolves when the workspace index has done everything asked so far, with its size. */
  indexIdle(): Promise<IndexSummary>;
}
