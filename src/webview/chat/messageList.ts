// The conversation: one <article> per message, updated in place by id. Only the streaming answer is
// redrawn while tokens arrive; every other message is drawn once.
import type { ChatErrorInfo, ChatMessage, MessageStatus, MessageUsage } from '../../protocol/chat';
import type { ContextReport } from '../../protocol/context';
import { renderContextReport } from './contextList';
import { formatCount } from '../../shared/format';
import { noticeText, type Notice } from '../../shared/notices';
import { renderMarkdown } from './markdown';
import { StreamingBody } from './streamingBody';
import { decorateCodeBlock, el, renderErrorCard, renderMeter, renderServerTruncationNotice, renderTruncationNotice } from './views';

interface Entry {
  data: ChatMessage;
  root: HTMLElement;
  body: HTMLElement;
  footer: HTMLElement;
  stream?: StreamingBody;
  /** A thinking model's reasoning: a collapsed section above the answer, created when the first thought arrives. */
  thinking?: { section: HTMLDetailsElement; body: HTMLElement; stream?: StreamingBody };
}

export class MessageList {
  private readonly entries = new Map<string, Entry>();
  readonly root = el('main', 'messages', undefined, 'messages');

  /** Follow new content while the user is at the end; stop following once they scroll up to read. */
  private follow = true;

  constructor() {
    this.root.addEventListener('scroll', () => (this.follow = this.nearEnd()));
    this.root.id = 'messages';
    this.root.setAttribute('role', 'log');
    this.root.setAttribute('aria-live', 'polite');
  }

  /** Replaces everything (state after `ready`, a reload or a conversation switch). */
  reset(messages: readonly ChatMessage[], streamingId?: string): void {
    this.entries.clear();
    this.root.replaceChildren();
    for (const m of messages) this.upsert(m.id === streamingId ? { ...m, status: 'streaming' } : m);
    if (!messages.length) this.root.append(emptyState());
    this.follow = true;
    this.scrollToEnd();
  }

  /** Adds a message, or redraws it in place when its id is already shown (a retry reuses the answer's id). */
  upsert(message: ChatMessage): void {
    this.root.querySelector('[data-testid="empty-state"]')?.remove();
    const existing = this.entries.get(message.id);
    const entry = this.build(message);
    if (existing) existing.root.replaceWith(entry.root);
    else this.root.append(entry.root);
    this.entries.set(message.id, entry);
    this.scrollToEnd();
  }

  /** Jumps to the end and follows it again (the user just sent something). */
  stickToEnd(): void {
    this.follow = true;
    this.scrollToEnd();
  }

  appendTokens(id: string, text: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.data.text += text;
    entry.stream?.append(text);
  }

  /** Reasoning of a thinking model, streamed into its collapsed section (rendered as safely as the answer). */
  appendThinking(id: string, text: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.data.thinking = (entry.data.thinking ?? '') + text;
    const thinking = this.thinkingOf(entry);
    if (thinking.stream) thinking.stream.append(text);
    else thinking.stream = new StreamingBody(thinking.body, entry.data.thinking, () => this.scrollToEnd());
    thinking.section.dataset.streaming = 'true';
  }

  endStream(id: string, status: MessageStatus, text: string, thinking?: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.data = { ...entry.data, status, text, thinking };
    if (thinking) {
      const t = this.thinkingOf(entry);
      if (t.stream) t.stream.finish(thinking);
      else t.body.replaceChildren(renderMarkdown(thinking, decorateCodeBlock));
      t.stream = undefined;
      delete t.section.dataset.streaming;
    }
    entry.root.dataset.status = status;
    if (entry.stream) entry.stream.finish(text);
    else entry.body.replaceChildren(renderMarkdown(text, decorateCodeBlock));
    entry.stream = undefined;
    this.drawFooter(entry);
    this.scrollToEnd();
  }

  setUsage(id: string, usage: MessageUsage): void {
    this.patch(id, { usage });
  }

  setNotices(id: string, notices: Notice[]): void {
    this.patch(id, { notices: notices.length ? notices : undefined });
  }

  setContext(id: string, context: ContextReport): void {
    this.patch(id, { context });
  }

  setError(id: string, error: ChatErrorInfo): boolean {
    if (!this.entries.has(id)) return false;
    this.patch(id, { error, status: 'error' });
    return true;
  }

  private patch(id: string, change: Partial<ChatMessage>): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.data = { ...entry.data, ...change };
    entry.root.dataset.status = entry.data.status;
    this.drawFooter(entry);
    this.scrollToEnd();
  }

  /** The entry's Thinking section, created (collapsed, before the answer) on first use. */
  private thinkingOf(entry: Entry): NonNullable<Entry['thinking']> {
    if (entry.thinking) return entry.thinking;
    const section = el('details', 'thinking', undefined, 'thinking');
    const summary = el('summary', 'thinking-summary', 'Thinking', 'thinking-summary');
    const body = el('div', 'thinking-body markdown', undefined, 'thinking-body');
    section.append(summary, body);
    entry.body.before(section);
    entry.thinking = { section, body };
    return entry.thinking;
  }

  private build(message: ChatMessage): Entry {
    const root = el('article', `message message-${message.role}`, undefined, 'message');
    root.dataset.role = message.role;
    root.dataset.messageId = message.id;
    root.dataset.status = message.status;
    const heading = el('div', 'message-heading');
    heading.append(el('span', 'message-author', message.role === 'user' ? 'You' : 'Therapist'));
    if (message.title) heading.append(el('span', 'message-title', message.title, 'message-title'));
    const body = el('div', 'message-body markdown', undefined, 'message-body');
    const footer = el('div', 'message-footer');
    root.append(heading, body, footer);
    const entry: Entry = { data: { ...message }, root, body, footer };
    if (message.role === 'user' && message.command) {
      // A command's prompt (e.g. the selected code) is shown as sent, folded: the title says what it is.
      const details = el('details', 'message-prompt');
      details.append(el('summary', undefined, 'Prompt sent to the model'), el('pre', 'message-prompt-text', message.text));
      body.append(details);
    } else if (message.status === 'streaming') {
      entry.stream = new StreamingBody(body, message.text, () => this.scrollToEnd());
    } else {
      body.append(renderMarkdown(message.text, decorateCodeBlock));
    }
    if (message.thinking) {
      const t = this.thinkingOf(entry);
      if (message.status === 'streaming') {
        t.stream = new StreamingBody(t.body, message.thinking, () => this.scrollToEnd());
        t.section.dataset.streaming = 'true';
      } else t.body.append(renderMarkdown(message.thinking, decorateCodeBlock));
    }
    this.drawFooter(entry);
    return entry;
  }

  /** Meter, notices, stopped marker and error card: everything that can change after a message was drawn. */
  private drawFooter(entry: Entry): void {
    const m = entry.data;
    const parts: HTMLElement[] = [];
    if (m.usage) {
      const meter = renderMeter(m.usage.prompt, 'message-meter', true);
      const extra: string[] = [];
      // The model's own count (prompt_eval_count) beside ours: equal when counted in its own tokenizer.
      if (m.usage.modelPromptTokens !== undefined)
        extra.push(m.usage.modelPromptTokens === m.usage.prompt.used ? 'model read the same' : `model read ${formatCount(m.usage.modelPromptTokens)}`);
      if (m.usage.completionTokens !== undefined) extra.push(`answer ${formatCount(m.usage.completionTokens)} tokens`);
      if (extra.length) meter.querySelector('.meter-line')?.append(el('span', 'meter-extra', extra.join(' · ')));
      parts.push(meter);
    }
    // Each kind of notice has its place: cuts as warning cards first, the rest as notes under them.
    for (const notice of m.notices ?? []) {
      if (notice.kind === 'truncated') parts.push(renderTruncationNotice(notice));
      else if (notice.kind === 'serverCut') parts.push(renderServerTruncationNotice(notice));
    }
    if (m.role === 'assistant' && m.status === 'stopped') {
      parts.push(el('div', 'stopped-marker', m.text.trim() ? 'Stopped: the answer above is partial.' : 'Stopped before any answer arrived.', 'stopped-marker'));
    }
    for (const notice of m.notices ?? []) {
      if (notice.kind === 'truncated' || notice.kind === 'serverCut') continue;
      parts.push(el('div', 'message-note', noticeText(notice), notice.kind === 'fallback' ? 'fallback-note' : 'message-note'));
    }
    if (m.context) parts.push(renderContextReport(m.context, entry.footer.querySelector('.context-list')));
    if (m.error) parts.push(renderErrorCard(m.error, m.id));
    entry.footer.replaceChildren(...parts);
  }

  private nearEnd(): boolean {
    const r = this.root;
    return r.scrollHeight - r.scrollTop - r.clientHeight < 40;
  }

  private scrollToEnd(): void {
    if (this.follow) this.root.scrollTop = this.root.scrollHeight;
  }
}

function emptyState(): HTMLElement {
  const root = el('div', 'empty-state', undefined, 'empty-state');
  root.append(
    el('p', 'empty-title', 'Ask about your code.'),
    el(
      'p',
      undefined,
      'Select code in an editor and run “Therapist: Explain Selection”, or type a question below. The meter under the box shows how much of the model’s window your message will use.',
    ),
  );
  return root;
}
