// Every request's outcome, reported to whoever needs it (status bar, dashboard, log, the extension's API) without
// the chat controller knowing about them: the backend it is given is this wrapper around ModelIntegration.
import type { RequestOutcome } from '../extensionApi';
import type { ChatBackend } from './chatBackend';

/** Wraps a backend so that every finished request is reported to `report`, then passed through unchanged. */
export function observeBackend(backend: ChatBackend, report: (outcome: RequestOutcome) => void): ChatBackend {
  return {
    getTokenUsageInfo: (prompt, context, options) => backend.getTokenUsageInfo(prompt, context, options),
    listModels: () => backend.listModels(),
    getServerInfo: () => backend.getServerInfo(),
    async generateResponse(prompt, context, options = {}) {
      const command = options.command ?? 'chat';
      try {
        const result = await backend.generateResponse(prompt, context, options);
        report({ command, conversationId: options.conversationId, result });
        return result;
      } catch (e) {
        const err = e as { name?: string; code?: string; message?: string; advice?: string; actions?: readonly string[] };
        report({
          command,
          conversationId: options.conversationId,
          error: { name: err?.name ?? 'Error', code: err?.code, message: err?.message ?? String(e), advice: err?.advice, actions: err?.actions },
        });
        throw e;
      }
    },
  };
}
