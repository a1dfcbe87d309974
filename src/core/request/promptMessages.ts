import { CONTEXT_SEPARATOR } from '../tokens/contextFit';
import { maxFactor } from '../tokens/meter';
import type { OptimizedPrompt } from '../tokens/types';
import type { ChatMessage } from '../ollama/wire';

/**
 * The messages sent for an optimized prompt: the system prompt (when any), the kept history, then one user
 * message holding the kept context chunks (each followed by the separator the engine counted) and the input.
 */
export function buildMessages(plan: OptimizedPrompt): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (plan.systemPrompt.length > 0) messages.push({ role: 'system', content: plan.systemPrompt });
  for (const m of plan.history) messages.push({ role: m.role, content: m.content });
  const context = plan.contextChunks.map((c) => `${c}${CONTEXT_SEPARATOR}`).join('');
  messages.push({ role: 'user', content: `${context}${plan.userInput}` });
  return messages;
}

/** Template overhead of a message list: `perMessageOverhead` per message, as the engine counts it. */
export function templateTokens(plan: OptimizedPrompt, messageCount: number): number {
  return plan.tokenUsage.perMessageOverhead * messageCount;
}

/**
 * Our uncalibrated count of the message contents (GPT-2 tokens), recovered from the calibrated plan.
 * Each text was calibrated as ceil(c x n), so this is exact to within one token per text.
 */
export function rawContentTokens(plan: OptimizedPrompt, messageCount: number): number {
  const content = plan.tokenUsage.total - templateTokens(plan, messageCount);
  const cal = plan.tokenUsage.calibration;
  return Math.max(0, Math.round(content / (typeof cal === 'number' ? cal : maxFactor(cal))));
}
