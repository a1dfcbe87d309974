// Turns what the backend reports (token engine and Ollama facts) into what the panel shows.
// Pure functions: no `vscode`, no state, unit-tested in plain Node.
import { CHAT_ACTIONS, type ChatAction, type ChatErrorInfo, type ChatMessage, type DroppedChunk, type ServerTruncationReport, type TokenBreakdown, type TruncationReport } from '../../protocol/chat';
import { truncationWarning } from '../../core/tokens/optimizer';
import type { PromptSection } from '../../core/tokens/types';
import type { BackendDroppedChunk, BackendTokenUsage, ChatTurn, GenerateResult, TokenUsageInfo } from './chatBackend';
import { messageOf } from '../../core/runtime';

const PROMPT_SECTIONS: readonly string[] = ['system', 'user', 'history', 'context'];

/** The token engine's own warning, for a report that carries sections but no warning text. */
export function truncationWarningText(sections: readonly string[]): string {
  return truncationWarning(sections.filter((s): s is PromptSection => PROMPT_SECTIONS.includes(s)));
}

export function breakdownFromInfo(info: TokenUsageInfo): TokenBreakdown {
  const s = info.perSection;
  return { system: s.system, user: s.user, context: s.context, history: s.history, reserved: info.completionReserve, used: info.totalTokens, limit: info.limit, estimated: info.estimated };
}

export function breakdownFromUsage(usage: BackendTokenUsage): TokenBreakdown {
  return {
    system: usage.perSection.system,
    user: usage.perSection.user,
    context: usage.perSection.context,
    history: usage.perSection.history,
    reserved: usage.completionReserve,
    used: usage.total,
    limit: usage.limit,
    estimated: usage.estimated ?? false,
  };
}

/** A truncation report from the preflight count, or undefined when nothing would be cut. */
export function truncationFromInfo(info: TokenUsageInfo): TruncationReport | undefined {
  if (!info.truncated) return undefined;
  const tokensCut = info.requested !== undefined && info.requested > info.totalTokens ? info.requested - info.totalTokens : undefined;
  return { warning: info.warning ?? truncationWarningText(info.truncatedSections), sections: info.truncatedSections.slice(), tokensCut, droppedChunks: [] };
}

/** The truncation report of a finished request, or undefined when nothing was cut. Never drops what it was told. */
export function truncationFromResult(result: GenerateResult): TruncationReport | undefined {
  const dropped = result.droppedChunks.map(toDroppedChunk);
  if (!result.truncated && dropped.length === 0 && result.truncatedSections.length === 0) return undefined;
  const sections = result.truncatedSections.length ? result.truncatedSections.slice() : dropped.length ? ['context'] : [];
  const warning = result.warnings.find((w) => /truncated due to token limits/i.test(w)) ?? truncationWarningText(sections);
  const { requested, total } = result.usage;
  const chunkTokens = dropped.reduce((sum, c) => sum + (c.tokens ?? 0), 0);
  const tokensCut = requested !== undefined && requested > total ? requested - total : chunkTokens > 0 ? chunkTokens : undefined;
  return { warning, sections, tokensCut, droppedChunks: dropped };
}

/** Warnings that no other report shows (near-quota degradation, a re-plan after a context error, ...). */
export function notesFromResult(result: GenerateResult): string[] {
  return result.warnings.filter((w) => !/truncated due to token limits/i.test(w) && !/^Streaming failed/.test(w) && !(result.serverTruncationSuspected && /server|prompt_eval_count|evaluated/i.test(w)));
}

/** The server-truncation report (the model read fewer prompt tokens than we sent), or undefined. */
export function serverTruncationFromResult(result: GenerateResult): ServerTruncationReport | undefined {
  if (!result.serverTruncationSuspected) return undefined;
  const sent = result.usage.total;
  const evaluated = result.usage.promptEvalCount;
  const message = result.warnings.find((w) => /server|prompt_eval_count|evaluated/i.test(w) && !/truncated due to token limits/i.test(w))
    ?? `The model read ${evaluated ?? 'fewer'} prompt tokens while Therapist sent ${sent}: Ollama may have cut the prompt itself.`;
  return { message, sentTokens: sent, evaluatedTokens: evaluated };
}

function toDroppedChunk(chunk: BackendDroppedChunk, position: number): DroppedChunk {
  const source = chunk.source ?? chunk.id ?? `context chunk ${(chunk.index ?? position) + 1}`;
  const partial = chunk.status === 'cut';
  // For a cut chunk, what was lost is the whole minus what was kept (the kept part includes the cut marker).
  const tokens = chunk.tokens === undefined ? undefined : partial ? Math.max(0, chunk.tokens - (chunk.keptTokens ?? 0)) : chunk.tokens;
  return partial ? { source, tokens, partial } : { source, tokens };
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
    const info: ChatErrorInfo = { code: error.code, message: error.message, advice: error.advice, actions };
    if (actions.includes('copyPullCommand')) info.pullCommand = `ollama pull ${model}`;
    return info;
  }
  const message = messageOf(error);
  return { code: 'unexpected', message: `Something went wrong: ${message}`, advice: 'The log has the details. Retrying may help.', actions: ['retry', 'openLog'] };
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
