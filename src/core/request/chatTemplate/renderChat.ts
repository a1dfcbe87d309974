import type { ListNode, ParsedTemplate } from './ast';
import { GO_BUILTINS, TEMPLATE_FUNCTION_NAMES, ollamaFuncs, type GoFunc } from './builtins';
import { executeTemplate } from './executor';
import { anyMap, type GoValue } from './goValues';
import { collate, requestMessages, tagImages, thinkFlags, type ThinkFlags, type ThinkRequest } from './ollamaMessages';
import { eraForVersion, messagesValue, toolsValue, type ChatTemplateMessage, type ChatTemplateTool, type TemplateValueEra } from './ollamaValues';
import { parseTemplate } from './parser';
import { cutAfterResponse, inferThinkingTags, templateVars, withResponseAppended } from './templateAnalysis';

// Renders a chat the way Ollama's /api/chat does for a model served by its Go template (no RENDERER):
// routes.go ChatHandler -> prompt.go chatPrompt/renderPrompt -> template.go Template.Execute.

/** A chat as Therapist sends it, plus the model facts that change the prompt (all from /api/show). */
export interface RenderChatInput {
  readonly messages: readonly ChatTemplateMessage[];
  /** The request's tools; absent is Go's nil (`{{ if .Tools }}` false, `{{ .Tools }}` prints "null"). */
  readonly tools?: readonly ChatTemplateTool[];
  /** The request's `think` field as sent (absent, true/false, or a level). */
  readonly think?: ThinkRequest;
  /** Whether the model has the "thinking" capability; by default inferred from the template as Ollama does. */
  readonly thinkingCapable?: boolean;
  /** The model's default system prompt (/api/show `system`): prepended when the first message is not a system one. */
  readonly system?: string;
  /** The model's Modelfile MESSAGEs (/api/show `messages`): placed before the request's messages. */
  readonly modelMessages?: readonly ChatTemplateMessage[];
  /** Strip `<think>` blocks from older assistant turns, as Ollama does for qwen3 and deepseek-r1 (see stripsThinkTags). */
  readonly stripThinkTags?: boolean;
  /** The server's version (/api/version): selects the template value types and the think default. */
  readonly ollamaVersion?: string;
  /** The server's clock, for `currentDate`/`yesterdayDate`. */
  readonly now?: () => Date;
}

/** The rendered prompt and what the template saw. */
export interface RenderedChat {
  /** Exactly the string Ollama tokenizes (the model's BOS token, if any, is added by the tokenizer). */
  readonly prompt: string;
  /** `messages` for templates that range over `.Messages`; `legacy` for `.System/.Prompt/.Response` ones. */
  readonly mode: 'messages' | 'legacy';
  readonly think: ThinkFlags;
  /** `.System`: every system message joined by blank lines. */
  readonly system: string;
  /** The messages after Ollama's preparation and collation, as the template saw them. */
  readonly messages: readonly ChatTemplateMessage[];
}

/** What a template can do, decided the way Ollama decides a model's capabilities from its template. */
export interface TemplateCapabilities {
  readonly tools: boolean;
  readonly insert: boolean;
  readonly thinking: boolean;
  readonly thinkingTags: { readonly open: string; readonly close: string };
}

/** A request after Ollama's message preparation, ready to render. */
export interface PreparedChat {
  readonly messages: readonly ChatTemplateMessage[];
  readonly flags: ThinkFlags;
  readonly era: TemplateValueEra;
  readonly funcs: ReadonlyMap<string, GoFunc>;
}

const BUILTINS_ONLY: ReadonlyMap<string, GoFunc> = new Map(GO_BUILTINS.map((f) => [f.name, f]));

/** A parsed Ollama chat template, reusable across renders (parse once per model). */
export class ChatTemplate {
  /** template.Vars as Ollama computes them (after appending `{{ .Response }}` to a template that lacks it). */
  readonly vars: readonly string[];
  private readonly legacyRoot: ListNode;
  private readonly legacyCut: ListNode | Error;

  private constructor(private readonly parsed: ParsedTemplate) {
    const vars = templateVars(parsed.root);
    this.legacyRoot = vars.includes('messages') || vars.includes('response') ? parsed.root : withResponseAppended(parsed.root);
    this.vars = this.legacyRoot === parsed.root ? vars : templateVars(this.legacyRoot);
    let cut: ListNode | Error;
    try {
      cut = cutAfterResponse(this.legacyRoot);
    } catch (e) {
      cut = e as Error;
    }
    this.legacyCut = cut;
  }

  /** Parses a template (the `template` field of /api/show); throws TemplateError if Go or Therapist cannot. */
  static compile(source: string): ChatTemplate {
    return new ChatTemplate(parseTemplate(source, TEMPLATE_FUNCTION_NAMES));
  }

  /** The template source. */
  get source(): string {
    return this.parsed.source;
  }

  /** Whether Ollama renders this template over `.Messages` (otherwise turn by turn, legacy style). */
  get usesMessages(): boolean {
    return this.vars.includes('messages');
  }

  /** Tools, insert (FIM) and thinking capabilities as server/images.go goTemplateCapabilities finds them. */
  capabilities(): TemplateCapabilities {
    const tags = inferThinkingTags(this.parsed.root);
    return { tools: this.vars.includes('tools'), insert: this.vars.includes('suffix'), thinking: tags.open !== '' && tags.close !== '', thinkingTags: tags };
  }

  /** Renders a chat exactly as Ollama would before tokenizing it (no message dropped: see simulateOllamaTruncation). */
  render(input: RenderChatInput): RenderedChat {
    const prepared = this.prepare(input);
    return this.renderMessages(tagImages(prepared.messages, 0), input.tools, prepared);
  }

  /** The request's messages after Ollama's preparation, with the think flags and value types to render them. */
  prepare(input: RenderChatInput): PreparedChat {
    const capable = input.thinkingCapable ?? this.capabilities().thinking;
    const flags = thinkFlags(input.think, capable, input.ollamaVersion);
    const now = input.now ?? (() => new Date());
    const funcs = new Map<string, GoFunc>([...GO_BUILTINS, ...ollamaFuncs({ now })].map((f) => [f.name, f]));
    return {
      messages: requestMessages(input.messages, input.modelMessages, input.system, input.stripThinkTags ?? false),
      flags,
      era: eraForVersion(input.ollamaVersion),
      funcs,
    };
  }

  /** template.Execute over already prepared messages (prompt.go renderPrompt). */
  renderMessages(msgs: readonly ChatTemplateMessage[], tools: readonly ChatTemplateTool[] | undefined, p: PreparedChat): RenderedChat {
    const { system, messages } = collate(msgs);
    const base = { think: p.flags, system, messages };
    if (this.usesMessages) {
      const data = anyMap([
        ['System', system],
        ['Messages', messagesValue(messages, p.era)],
        ['Tools', toolsValue(tools, p.era)],
        ['Response', ''],
        ['Think', p.flags.think],
        ['ThinkLevel', p.flags.thinkLevel],
        ['IsThinkSet', p.flags.isThinkSet],
      ]);
      return { ...base, mode: 'messages', prompt: executeTemplate(this.parsed, data, { funcs: p.funcs, missingKey: 'zero' }) };
    }
    return { ...base, mode: 'legacy', prompt: this.renderLegacy(messages, p) };
  }

  /** The legacy path of Template.Execute: one render per user/assistant turn, then the final turn cut after .Response. */
  private renderLegacy(messages: readonly ChatTemplateMessage[], p: PreparedChat): string {
    const out: string[] = [];
    let system = '';
    let prompt = '';
    let response = '';
    const values = (): GoValue =>
      anyMap([
        ['System', system],
        ['Prompt', prompt],
        ['Response', response],
        ['Think', p.flags.think],
        ['ThinkLevel', p.flags.thinkLevel],
        ['IsThinkSet', p.flags.isThinkSet],
      ]);
    const turn = (): void => {
      out.push(executeTemplate(this.parsed, values(), { funcs: p.funcs, missingKey: 'zero' }, this.legacyRoot));
      system = '';
      prompt = '';
      response = '';
    };
    for (const m of messages) {
      if (m.role === 'system') {
        if (prompt !== '' || response !== '') turn();
        system = m.content;
      } else if (m.role === 'user') {
        if (response !== '') turn();
        prompt = m.content;
      } else if (m.role === 'assistant') {
        response = m.content;
      }
    }
    if (this.legacyCut instanceof Error) throw this.legacyCut;
    // Ollama executes the cut tree in a fresh template: no FuncMap, no missingkey=zero.
    out.push(executeTemplate(this.parsed, values(), { funcs: BUILTINS_ONLY, missingKey: 'invalid' }, this.legacyCut));
    return out.join('');
  }
}

/** Renders a chat with a template source or a compiled ChatTemplate (compile once per model for speed). */
export function renderChat(template: string | ChatTemplate, input: RenderChatInput): RenderedChat {
  return (typeof template === 'string' ? ChatTemplate.compile(template) : template).render(input);
}

/** What Ollama keeps of a chat that does not fit in num_ctx (truncate on), and the prompt it then renders. */
export interface TruncationOutcome {
  /** Index (in the prepared messages) of the first non-system message kept. */
  readonly firstKept: number;
  readonly rendered: RenderedChat;
  /** The token count of the kept prompt as `countTokens` measured it (plus image tokens). */
  readonly tokens: number;
}

/**
 * prompt.go chatPrompt with truncation on: drops messages from the front (keeping system messages and
 * the last message) until the rendered prompt's token count fits num_ctx. `countTokens` must be the
 * model's tokenizer; `imageTokens` is what each image counts (768 for models with a projector).
 */
export function simulateOllamaTruncation(
  template: ChatTemplate,
  input: RenderChatInput,
  opts: { readonly numCtx: number; readonly countTokens: (prompt: string) => number; readonly imageTokens?: number },
): TruncationOutcome {
  const p = template.prepare(input);
  const msgs = p.messages;
  const last = msgs.length - 1;
  const imagesFrom = (i: number): number => msgs.slice(i).reduce((n, m) => n + (m.images?.length ?? 0), 0);
  let first = 0;
  let system: ChatTemplateMessage[] = [];
  let tokens = 0;
  for (let i = 0; i <= last; i++) {
    system = msgs.slice(0, i).filter((m) => m.role === 'system');
    const prompt = template.renderMessages([...system, ...msgs.slice(i)], input.tools, p).prompt;
    tokens = opts.countTokens(prompt) + (opts.imageTokens ?? 0) * imagesFrom(i);
    first = i;
    if (tokens <= opts.numCtx || i === last) break;
  }
  const tagged = tagImages(msgs, first);
  const rendered = template.renderMessages([...system, ...tagged.slice(first)], input.tools, p);
  return { firstKept: first, rendered, tokens };
}
