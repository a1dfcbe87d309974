// The chat header: what matters for the next request (the model, with its picker; the effective window and how
// full the next prompt would be), the conversation's running total labelled as such, and, on the project's demo
// server, a badge that says its answers are canned. Conversation picker and New conversation on the right.
import type { ChatRequests, ConversationSummary, MeterReading, PanelState, WebviewToHost } from '../../protocol/chat';
import type { RpcClient } from '../../protocol/rpc';
import { formatCount, formatWindow } from '../../shared/format';
import { conversationTotalText, meterLevel, nextPromptText } from './format';
import { ModelPicker } from './modelPicker';
import { el } from './views';

export class Header {
  readonly root = el('header', 'header', undefined, 'header');
  private readonly picker: ModelPicker;
  private readonly window = el('span', 'header-window', '', 'window');
  private readonly next = el('span', 'header-next', '', 'next-prompt');
  private readonly total = el('span', 'header-total', '', 'conversation-total');
  private readonly demo = el('span', 'header-demo', '', 'demo-badge');
  private readonly conversations = el('select', 'header-picker', undefined, 'conversation-list');
  private maxTokens = 0;

  constructor(rpc: RpcClient<ChatRequests>, post: (message: WebviewToHost) => void, notify: (text: string) => void) {
    this.picker = new ModelPicker(rpc, post, notify);
    this.conversations.setAttribute('aria-label', 'Conversation');
    this.demo.hidden = true;
    const newButton = el('button', 'button-secondary', 'New conversation', 'new-conversation');
    newButton.type = 'button';
    newButton.addEventListener('click', () => post({ type: 'newConversation' }));
    this.conversations.addEventListener('change', () => post({ type: 'switchConversation', conversationId: this.conversations.value }));
    const info = el('div', 'header-info');
    info.append(this.picker.root, this.window, this.next, this.demo, this.total);
    const tools = el('div', 'header-tools');
    tools.append(this.conversations, newButton);
    this.root.append(info, tools);
  }

  applyState(state: PanelState): void {
    this.picker.show(state.model);
    this.maxTokens = state.limit;
    // Until the first reading arrives the window is the setting; the reading brings the effective one.
    this.window.textContent = `${formatWindow(state.limit)} window`;
    this.window.title = `therapist.maxTokens ${formatCount(state.limit)}`;
    this.next.textContent = '';
    this.showTotal(state.conversationTokens);
    this.showConversations(state.conversations, state.conversationId);
  }

  /** The next request as the composer's meter counts it: the effective window, and how full the prompt would be. */
  showReading(reading: MeterReading): void {
    const b = reading.breakdown;
    this.window.textContent = `${formatWindow(b.limit)} window`;
    this.window.title = `${formatCount(b.limit)} tokens sent as num_ctx (from ${reading.windowSource}); therapist.maxTokens is ${formatCount(this.maxTokens)}`;
    this.next.textContent = nextPromptText(b);
    this.next.dataset.level = meterLevel(b);
    this.next.title = `The next request: ${formatCount(b.used)} prompt tokens (system, history, your message) plus ${formatCount(b.reserved)} reserved for the answer`;
  }

  /** The demo server's badge (undefined: a real Ollama). */
  showServer(demo: string | undefined): void {
    this.demo.hidden = !demo;
    this.demo.textContent = demo ? `demo server: ${demo}` : '';
  }

  showTotal(tokens: number): void {
    this.total.textContent = conversationTotalText(tokens);
    this.total.title = `${formatCount(tokens)} tokens used by all requests of this conversation (prompts and answers) so far: a running total, not what the next request sends`;
  }

  showConversations(conversations: ConversationSummary[], activeId: string): void {
    this.conversations.replaceChildren(
      ...conversations.map((c) => {
        const option = el('option', undefined, `${c.title} (${c.messageCount} messages)`);
        option.value = c.id;
        option.selected = c.id === activeId;
        return option;
      }),
    );
    this.conversations.hidden = conversations.length < 2;
  }
}
