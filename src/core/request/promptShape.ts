// What the chat template adds around the messages, for one model and its exact tokenizer: the rendered prompt (so
// the whole thing is counted exactly, as the server will) and, for planning, the template's cost per message and
// per prompt measured by rendering small probe conversations.
import { ChatTemplate, TemplateError, type ChatTemplateMessage } from './chatTemplate';
import type { ExactTokenizer } from './modelTokenizers';

/** A message as it is sent to /api/chat. */
export interface ShapeMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}

/** The template's shape for one model. */
export interface PromptShape {
  /** Renders messages exactly as Ollama will; undefined when the template could not be rendered (see `why`). */
  render?: (messages: readonly ShapeMessage[]) => string;
  /** Template tokens per message and per prompt, for planning (the exact count of the rendered prompt decides). */
  perMessage: number;
  fixed: number;
  /** Why there is no renderer (no template, or a construct the interpreter does not render exactly). */
  why?: string;
}

const PROBE = 'x';

/** What Ollama renders a chat with besides its messages (from /api/show, /api/version and the request). */
export interface ShapeContext {
  /** The request's `think` field as sent. */
  think?: boolean | 'low' | 'medium' | 'high';
  thinkingCapable?: boolean;
  /** The Modelfile's SYSTEM (/api/show `system`) and MESSAGEs (/api/show `messages`). */
  system?: string;
  modelMessages?: readonly ShapeMessage[];
  /** Ollama strips older `<think>` blocks for qwen3 and deepseek-r1. */
  stripThinkTags?: boolean;
  ollamaVersion?: string;
  /** The BOS token's text (stripped from the front of the rendered prompt when the server adds BOS). */
  bosText?: string;
}

/** Compiles `templateSource` and measures its overhead with `tokenizer`. Never throws: a template it cannot render gives no renderer. */
export function promptShape(templateSource: string | undefined, tokenizer: ExactTokenizer, options: ShapeContext = {}): PromptShape {
  if (!templateSource) return { perMessage: 6, fixed: 4, why: 'the model has no chat template in /api/show' };
  let template: ChatTemplate;
  try {
    template = ChatTemplate.compile(templateSource);
  } catch (error) {
    return { perMessage: 6, fixed: 4, why: error instanceof TemplateError ? error.message : String(error) };
  }
  const render = (messages: readonly ShapeMessage[]): string =>
    template.render({
      messages: messages as ChatTemplateMessage[],
      think: options.think,
      thinkingCapable: options.thinkingCapable,
      system: options.system,
      modelMessages: options.modelMessages as ChatTemplateMessage[] | undefined,
      stripThinkTags: options.stripThinkTags,
      ollamaVersion: options.ollamaVersion,
    }).prompt;
  const cost = (messages: readonly ShapeMessage[]): number =>
    tokenizer.countPrompt(render(messages), { leadingBos: options.bosText }) - messages.length * tokenizer.count(PROBE);
  try {
    const one = cost([{ role: 'user', content: PROBE }]);
    const four = cost([
      { role: 'system', content: PROBE },
      { role: 'user', content: PROBE },
      { role: 'assistant', content: PROBE },
      { role: 'user', content: PROBE },
    ]);
    const perMessage = Math.max(0, Math.ceil((four - one) / 3));
    return { render, perMessage, fixed: Math.max(0, one - perMessage) };
  } catch (error) {
    return { perMessage: 6, fixed: 4, why: error instanceof TemplateError ? error.message : String(error) };
  }
}
