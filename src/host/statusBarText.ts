// What the status bar item says, as pure functions (no `vscode`), so the thresholds unit-test in Node.
import { formatCount, formatTokens, formatWindow } from '../shared/format';

export interface LastUsage {
  model: string;
  /** Prompt tokens sent plus the answer's tokens when known. */
  used: number;
  limit: number;
  truncated: boolean;
  estimated: boolean;
  /** Which tokenizer counted ("qwen2 (exact)", "cl100k estimate x1.02"). */
  tokenizer?: string;
}

export type StatusLevel = 'normal' | 'warning' | 'error';

/** Near the limit means 90% or more of the window. */
export const WARNING_FRACTION = 0.9;

export function statusText(model: string, last: LastUsage | undefined): { text: string; tooltip: string; level: StatusLevel } {
  if (!last) return { text: '$(hubot) Therapist', tooltip: `Therapist · ${model}\nNo request yet. Click for token usage.`, level: 'normal' };
  const approx = last.estimated ? '≈' : '';
  const level: StatusLevel = last.used > last.limit ? 'error' : last.truncated || last.used >= last.limit * WARNING_FRACTION ? 'warning' : 'normal';
  const lines = [
    `Therapist · ${last.model}`,
    `Last request: ${approx}${formatCount(last.used)} of ${formatCount(last.limit)} tokens${last.estimated ? ' (estimate)' : ''}`,
  ];
  if (last.tokenizer) lines.push(`Counted with ${last.tokenizer}`);
  if (last.truncated) lines.push('Something was cut to fit the window: see the chat panel.');
  lines.push('Click for token usage.');
  return { text: `$(hubot) Therapist: ${approx}${formatTokens(last.used)}/${formatWindow(last.limit)}`, tooltip: lines.join('\n'), level };
}

/** The status bar's view of a finished request: the model's own counts when it reported them, else ours. */
export function lastUsageOf(
  model: string,
  result: {
    truncated: boolean;
    serverTruncationSuspected: boolean;
    usage: { total: number; limit: number; promptEvalCount?: number; evalCount?: number; estimated?: boolean; tokenizer?: string };
  },
): LastUsage {
  const u = result.usage;
  return {
    model,
    used: (u.promptEvalCount ?? u.total) + (u.evalCount ?? 0),
    limit: u.limit,
    truncated: result.truncated || result.serverTruncationSuspected,
    estimated: Boolean(u.estimated) && u.promptEvalCount === undefined,
    tokenizer: u.tokenizer,
  };
}
