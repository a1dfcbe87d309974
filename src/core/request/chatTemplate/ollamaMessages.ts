import { compareVersions } from './ollamaValues';
import type { ChatTemplateMessage } from './ollamaValues';
import { TemplateError } from './templateError';

// What Ollama does to the messages of /api/chat before its template sees them (server/routes.go
// ChatHandler, server/prompt.go chatPrompt, template/template.go collate).

/** The `think` request field: absent, a bool, or a level. */
export type ThinkRequest = boolean | 'high' | 'medium' | 'low' | 'max' | undefined;

/** The think flags a template sees (`.Think`, `.ThinkLevel`, `.IsThinkSet`). */
export interface ThinkFlags {
  readonly think: boolean;
  readonly thinkLevel: string;
  readonly isThinkSet: boolean;
}

/**
 * The flags for a request: since Ollama 0.12.4 an absent `think` means ON for a thinking-capable model
 * (routes.go: `req.Think = &api.ThinkValue{Value: true}`); `think` on a model without the capability
 * is refused with HTTP 400 `"<model>" does not support thinking`.
 */
export function thinkFlags(think: ThinkRequest, thinkingCapable: boolean, ollamaVersion?: string): ThinkFlags {
  let t = think;
  if (thinkingCapable) {
    if (t === undefined && (ollamaVersion === undefined || compareVersions(ollamaVersion, '0.12.4') >= 0)) t = true;
  } else if (t !== undefined && t !== false) {
    throw new TemplateError('request', 'think', 'the model does not support thinking (Ollama answers HTTP 400 "\\"<model>\\" does not support thinking")');
  }
  if (t === undefined) return { think: false, thinkLevel: '', isThinkSet: false };
  if (typeof t === 'boolean') return { think: t, thinkLevel: t ? 'medium' : '', isThinkSet: true };
  return { think: true, thinkLevel: t, isThinkSet: true };
}

/** Go's unicode.IsSpace. */
function isGoSpace(c: string): boolean {
  return /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(c);
}

function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s[i])) i++;
  return s.slice(i);
}

/**
 * The content Ollama keeps of an older assistant turn for qwen3 and deepseek-r1 (routes.go
 * filterThinkTags): one pass of thinking.Parser over `<think>...</think>`, keeping what follows.
 */
export function stripThinkTags(content: string, open = '<think>', close = '</think>'): string {
  const trimmed = trimLeftSpace(content);
  if (trimmed.startsWith(open)) {
    const after = trimLeftSpace(trimmed.slice(open.length));
    if (after === '') return '';
    const at = after.indexOf(close);
    if (at < 0) return '';
    return trimLeftSpace(after.slice(at + close.length));
  }
  // A partial opening tag or only whitespace is buffered by the streaming parser, so nothing is kept.
  if (open.startsWith(trimmed)) return '';
  return content;
}

/** Whether Ollama strips think tags from the history of this model (family "qwen3", or a model named deepseek-r1). */
export function stripsThinkTags(family: string | undefined, modelName: string | undefined): boolean {
  if (family === 'qwen3') return true;
  if (!modelName) return false;
  const base = modelName.split('/').pop() ?? modelName;
  return base.split(':')[0] === 'deepseek-r1';
}

/** The messages the request becomes: Modelfile MESSAGEs, then the request's, a default SYSTEM first if needed. */
export function requestMessages(
  messages: readonly ChatTemplateMessage[],
  modelMessages: readonly ChatTemplateMessage[] = [],
  modelSystem = '',
  stripThink = false,
): ChatTemplateMessage[] {
  // api.Message.UnmarshalJSON lowercases roles.
  let msgs = [...modelMessages, ...messages].map((m) => ({ ...m, role: m.role.toLowerCase() }));
  if (messages.length > 0 && messages[0].role.toLowerCase() !== 'system' && modelSystem !== '') {
    msgs = [{ role: 'system', content: modelSystem }, ...msgs];
  }
  if (stripThink) {
    let finalUser = -1;
    msgs.forEach((m, i) => {
      if (m.role === 'user') finalUser = i;
    });
    msgs = msgs.map((m, i) => (m.role === 'assistant' && i < finalUser ? { ...m, content: stripThinkTags(m.content) } : m));
  }
  return msgs;
}

/**
 * Adds `[img-N]` tags as prompt.go imageTaggedMessages does for template-rendered models: each image
 * replaces the first `[img]` placeholder, or, when there is none, is prefixed. IDs count from `start`.
 */
export function tagImages(msgs: readonly ChatTemplateMessage[], start: number): ChatTemplateMessage[] {
  let id = 0;
  return msgs.map((m, i) => {
    if (i < start || !m.images || m.images.length === 0) return m;
    let prefix = '';
    let content = m.content;
    for (let k = 0; k < m.images.length; k++) {
      const tag = `[img-${id++}]`;
      if (!content.includes('[img]')) prefix += tag;
      else content = content.replace('[img]', tag);
    }
    return { ...m, content: prefix + content };
  });
}

/** template.go collate: all system contents joined by blank lines; consecutive same-role turns merged (tool turns never). */
export function collate(msgs: readonly ChatTemplateMessage[]): { system: string; messages: ChatTemplateMessage[] } {
  const system: string[] = [];
  const out: ChatTemplateMessage[] = [];
  for (const m of msgs) {
    if (m.role === 'system') system.push(m.content);
    const last = out[out.length - 1];
    if (last && last.role === m.role && m.role !== 'tool') out[out.length - 1] = { ...last, content: `${last.content}\n\n${m.content}` };
    else out.push(m);
  }
  return { system: system.join('\n\n'), messages: out };
}
