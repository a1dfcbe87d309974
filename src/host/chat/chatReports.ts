// Turns what the backend reports (token engine and Ollama facts) into what the panel shows.
// Pure functions: no `vscode`, no state, unit-tested in plain Node. Notices need no translation: they are typed
// data from the core (shared/notices.ts) and go to the panel as they are.
import { CHAT_ACTIONS, type ChatAction, type ChatErrorInfo, type ChatMessage, type TokenBreakdown } from '../../protocol/chat';
import type { ResponseUsage } from '../../core/request/usageLine';
import { messageOf } from '../../core/runtime';
import type { ChatTurn, UsageInfo } from './chatBackend';
import { isErrorCode } from '../../shared/errorCodes';

/** The meter's numbers for a plan that was not sent (the composer, and a message before its answer). */
export function breakdownFromInfo(info: UsageInfo): TokenBreakdown {
  const s = info.perSection;
  return {
    system: s.system,
    user: s.user,
    context: s.context,
    history: s.history,
    reserved: info.completionReserve,
    used: info.totalTokens,
    limit: info.limit,
    estimated: info.estimated,
    tokenizer: info.tokenizer,
  };
}

/** The meter's numbers for a request that was sent. */
export function breakdownFromUsage(usage: ResponseUsage): TokenBreakdown {
  const s = usage.perSection;
  return {
    system: s.system,
    user: s.user,
    context: s.context,
    history: s.history,
    reserved: usage.completionReserve,
    used: usage.total,
    limit: usage.limit,
    estimated: usage.estimated,
    tokenizer: usage.tokenizer,
  };
}

/** The shape every TherapistError has. Checked structurally so errors from any bundle copy are recognized. */
interface TherapistErrorLike {
  code: string;
  message: string;
  advice: string;
  actions: readonly string[];
  model?: unknown;
}

function isTherapistErrorLike(error: unknown): error is TherapistErrorLike {
  if (!(error instanceof Error)) return false;
  const e = error as unknown as Record<string, unknown>;
  return typeof e.code === 'string' && typeof e.advice === 'string' && Array.isArray(e.actions);
}

/** True when an error means "the request was cancelled" rather than "it failed". */
export function isCancellation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'cancelled' || error.name === 'AbortError';
}

/** An error as the panel shows it: the error's own words and actions, always with a way to the log. */
export function toChatError(error: unknown, currentModel: string): ChatErrorInfo {
  if (isTherapistErrorLike(error)) {
    const actions = error.actions.filter((a): a is ChatAction => (CHAT_ACTIONS as readonly string[]).includes(a));
    if (!actions.includes('openLog')) actions.push('openLog');
    const model = typeof error.model === 'string' ? error.model : currentModel;
    const info: ChatErrorInfo = { code: isErrorCode(error.code) ? error.code : 'unexpected', message: error.message, advice: error.advice, actions };
    if (actions.includes('copyPullCommand')) info.pullCommand = `ollama pull ${model}`;
    return info;
  }
  const message = messageOf(error);
  return {
    code: 'unexpected',
    message: `Something went wrong: ${message}`,
    advice: 'The log has the details. Retrying may help.',
    actions: ['retry', 'openLog'],
  };
}

/**
 * The conversation so far as model turns, oldest first: completed (or stopped) question/answer pairs only.
 * A question whose answer failed is left out, so a retry does not send it twice.
 */
export function historyOf(messages: readonly ChatMessage[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (let i = 0; i < messages.length; i++) {
    const question = messages[i];
    const answer = messages[i + 1];
    if (question.role !== 'user' || !answer || answer.role !== 'assistant') continue;
    if ((answer.status === 'done' || answer.status === 'stopped') && answer.text.trim()) {
      turns.push({ role: 'user', content: question.text }, { role: 'assistant', content: answer.text });
    }
    i++;
  }
  return turns;
}
