// The narrow part of ModelIntegration the chat controller needs, in the core's own types (no copies). Tests pass a
// fake that implements it. No `vscode` here, so the controller that depends on it unit-tests in plain Node.
import type { ContextChunk, HistoryMessage } from '../../core/tokens/types';
import type { GenerateOptions, GenerateResult, ModelIntegration, UsageInfo } from '../../modelIntegration';

export type { ContextChunk, GenerateOptions, GenerateResult, UsageInfo };

/** One earlier turn of the conversation, oldest first (the chat sends user/assistant pairs only). */
export type ChatTurn = HistoryMessage & { role: 'user' | 'assistant' };

/**
 * What the chat needs from ModelIntegration. Errors thrown are TherapistError subclasses (src/core/errors.ts)
 * carrying `code`, `message`, `advice` and `actions`; a cancelled request resolves with `cancelled: true`
 * (or rejects with a `cancelled` code), keeping the text received so far.
 */
export type ChatBackend = Pick<ModelIntegration, 'generateResponse' | 'getTokenUsageInfo' | 'listModels' | 'getServerInfo'>;
